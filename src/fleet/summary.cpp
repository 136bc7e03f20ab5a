// The merged view: counts, shared findings, driver life cycle. The install command is in
// install_cover.cpp.
#include <algorithm>
#include <map>
#include <set>

#include "fleet/fleet.h"
#include "fleet/fleet_internal.h"
#include "report/run_stamp.h"
#include "util/strings.h"

namespace cudafit {
namespace {

// Counts machines (and items) per key; keys sorted by machines, then by key.
class Counter {
 public:
  void add(const std::string& key, std::size_t machine, int items = 0,
           const std::string& detail = {}) {
    Entry& e = entries_[key];
    if (e.last_machine != machine) {
      ++e.machines;
      e.last_machine = machine;
    }
    e.items += items;
    if (!detail.empty()) ++e.details[detail];
  }
  std::vector<FleetCount> done() const {
    std::vector<FleetCount> out;
    for (const auto& [key, e] : entries_) {
      FleetCount c{key, e.machines, e.items, {}};
      std::vector<std::pair<std::string, int>> details(e.details.begin(), e.details.end());
      std::stable_sort(details.begin(), details.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [d, n] : details) c.detail.push_back(d + " x" + std::to_string(n));
      out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const FleetCount& a, const FleetCount& b) {
      return a.machines > b.machines;
    });
    return out;
  }

 private:
  struct Entry {
    int machines = 0, items = 0;
    std::size_t last_machine = static_cast<std::size_t>(-1);
    std::map<std::string, int> details;
  };
  std::map<std::string, Entry> entries_;
};

std::string torch_build(const FleetData& d, const FleetEnv& e) {
  const std::string& v = d.strings.str(e.torch);
  if (v.find('+') != std::string::npos) return v;
  if (e.torch_cpu_only) return v + " (CPU only)";
  if (e.torch_cuda != 0) return v + " (CUDA " + d.strings.str(e.torch_cuda) + ")";
  return v;
}

// The GPU's generation row: by chip, else by compute capability. Asked once per distinct pair.
class ArchOf {
 public:
  ArchOf(const KnowledgeBase& kb, const FleetData& d) : kb_(kb), d_(d) {}
  const GpuArch* operator()(const FleetGpu& g) {
    auto [it, added] = cache_.try_emplace((std::uint64_t{g.chip} << 32) | g.cc, nullptr);
    if (!added) return it->second;
    for (const auto& a : kb_.gpu_archs())
      if (g.chip != 0 && a.chip == d_.strings.str(g.chip)) return it->second = &a;
    if (g.cc != 0)
      if (auto cc = ComputeCapability::parse(d_.strings.str(g.cc)))
        it->second = kb_.arch_of_cc(*cc);
    return it->second;
  }

 private:
  const KnowledgeBase& kb_;
  const FleetData& d_;
  std::map<std::uint64_t, const GpuArch*> cache_;
};

// "2026-06" -> the first second after that month, in Unix seconds.
std::optional<std::int64_t> end_of_month(const std::string& yyyy_mm) {
  if (yyyy_mm.size() != 7 || yyyy_mm[4] != '-') return std::nullopt;
  auto y = parse_uint(yyyy_mm.substr(0, 4)), m = parse_uint(yyyy_mm.substr(5, 2));
  if (!y || !m || *m < 1 || *m > 12) return std::nullopt;
  const std::uint64_t ny = *m == 12 ? *y + 1 : *y, nm = *m == 12 ? 1 : *m + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04llu-%02llu-01T00:00:00Z", static_cast<unsigned long long>(ny),
                static_cast<unsigned long long>(nm));
  return parse_utc_time(buf);
}

}  // namespace

FleetSummary summarize_fleet(const FleetData& d, const KnowledgeBase& kb, const InstallFacts& facts,
                             const FleetOptions& options) {
  FleetSummary s;
  s.machines = static_cast<int>(d.machines.size());
  s.inputs = d.inputs;
  s.bad_inputs = d.bad_inputs;
  s.skipped = d.skipped;
  Counter branches, models, ccs, builds;
  std::map<std::string, FleetFindingGroup> findings;
  std::int64_t newest = -1, oldest = -1;
  for (std::size_t i = 0; i < d.machines.size(); ++i) {
    const FleetMachine& m = d.machines[i];
    const std::string name = d.name_of(m);
    if (m.unix_ms >= 0) {
      newest = std::max(newest, m.unix_ms);
      oldest = oldest < 0 ? m.unix_ms : std::min(oldest, m.unix_ms);
    }
    const std::string& driver = d.strings.str(m.driver);
    if (!driver.empty()) {
      auto v = DriverVersion::parse(driver);
      branches.add(v ? "R" + std::to_string(v->branch()) : driver, i, 0, driver);
    } else {
      branches.add(m.module_loaded ? "unknown" : "no driver", i);
    }
    for (const auto& g : m.gpus) {
      models.add(g.name != 0 ? d.strings.str(g.name) : "unknown " + d.strings.str(g.pci_id), i, 1);
      ccs.add(g.cc != 0 ? d.strings.str(g.cc) : "unknown", i, 1);
    }
    std::vector<std::string> torches;
    for (const auto& e : m.envs) {
      if (e.torch == 0) continue;
      std::string b = torch_build(d, e);
      builds.add(b, i, 1);
      torches.push_back(b);
    }
    FleetSummary::MachineRow row{
        name, driver.empty() ? "-" : driver, "", join(torches, ", "), "", 0, 0};
    std::map<std::string, int> gpu_names;
    for (const auto& g : m.gpus) ++gpu_names[g.name != 0 ? d.strings.str(g.name) : "unknown"];
    std::vector<std::string> gpu_parts;
    gpu_parts.reserve(gpu_names.size());
    for (const auto& [n, c] : gpu_names) gpu_parts.push_back(std::to_string(c) + "x " + n);
    row.gpus = join(gpu_parts, ", ");
    std::set<std::string> ids;
    for (const auto& f : m.findings) {
      const std::string& id = d.strings.str(f.id);
      if (f.severity == Severity::kError) ++row.errors;
      if (f.severity == Severity::kWarning) ++row.warnings;
      FleetFindingGroup& g = findings[id];
      if (g.id.empty()) {
        g.id = id;
        g.severity = f.severity;
      }
      g.severity = std::min(g.severity, f.severity);  // kError is the lowest value
      if (ids.insert(id).second) g.machines.push_back(name);
    }
    row.findings = join(std::vector<std::string>(ids.begin(), ids.end()), ", ");
    if (row.errors == 0) ++s.healthy;
    s.rows.push_back(std::move(row));
  }
  s.reports = s.machines;
  s.driver_branches = branches.done();
  s.gpu_models = models.done();
  s.compute_capabilities = ccs.done();
  s.torch_builds = builds.done();
  for (auto& [id, g] : findings) s.findings.push_back(std::move(g));
  std::stable_sort(s.findings.begin(), s.findings.end(),
                   [](const FleetFindingGroup& a, const FleetFindingGroup& b) {
                     if (a.machines.size() != b.machines.size())
                       return a.machines.size() > b.machines.size();
                     return a.severity < b.severity;
                   });
  if (newest >= 0) s.newest_report = utc_time_text(newest / 1000);
  if (oldest >= 0) s.oldest_report = utc_time_text(oldest / 1000);

  // Driver life cycle, judged at the newest report's time (so that the answer is the same
  // whenever the reports are merged).
  const std::int64_t now = newest >= 0 ? newest / 1000 : RunClock().finish().unix_ms / 1000;
  ArchOf arch_of(kb, d);
  for (const FleetMachine& m : d.machines) {
    auto v = DriverVersion::parse(d.strings.str(m.driver));
    if (!v) continue;
    const int branch = v->branch();
    std::set<const GpuArch*> seen;
    for (const auto& g : m.gpus) {
      const GpuArch* a = arch_of(g);
      if (a == nullptr || !a->last_driver_branch || *a->last_driver_branch != branch ||
          !seen.insert(a).second)
        continue;
      s.lifecycle.push_back({d.name_of(m), v->str(),
                             "R" + std::to_string(branch) + " is the last driver branch for " +
                                 a->architecture + " (" + a->chip + ", " + a->from.where() +
                                 "): stay on it and on builds for CUDA " +
                                 (a->last_cuda ? a->last_cuda->major_minor() : "?") + " or older",
                             true});
    }
    const DriverBranch* b = kb.driver_branch(branch);
    if (b == nullptr || b->end_of_life.empty()) continue;
    auto end = end_of_month(b->end_of_life);
    if (!end) continue;
    const std::int64_t days = (*end - now) / 86400;
    if (days > options.eol_warning_days) continue;
    std::string when = days < 0 ? "ended " + std::to_string(-days) + " days ago"
                                : "in " + std::to_string(days) + " days";
    s.lifecycle.push_back(
        {d.name_of(m), v->str(),
         "R" + std::to_string(branch) + (b->designation.empty() ? "" : " " + b->designation) +
             " reaches end of life " + b->end_of_life + " (" + when + ", " + b->from.where() + ")",
         false});
  }
  s.install = cover_fleet(d, kb, facts, options.torch);
  return s;
}

}  // namespace cudafit
