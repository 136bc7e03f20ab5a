// `cudafit fleet` as text and as JSON.
#include <algorithm>

#include "fleet/fleet.h"
#include "util/strings.h"

namespace cudafit {
namespace {

constexpr std::size_t kNamesShown = 8;    // machines named per line in the text view
constexpr std::size_t kReasonsShown = 5;  // skipped documents named per input

std::string names(const std::vector<std::string>& all) {
  std::vector<std::string> shown(
      all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), kNamesShown)));
  std::string out = join(shown, ", ");
  if (all.size() > kNamesShown) out += " (+" + std::to_string(all.size() - kNamesShown) + " more)";
  return out;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + " ";
}

void counts(std::string& out, const char* title, const std::vector<FleetCount>& rows,
            const char* items) {
  out += std::string("\n") + title + ":\n";
  if (rows.empty()) out += "  (none)\n";
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.key.size());
  for (const auto& r : rows) {
    out += "  " + pad(r.key, width) + pad(std::to_string(r.machines), 6) +
           (r.machines == 1 ? "machine " : "machines");
    if (items != nullptr && r.items > 0)
      out += "  " + std::to_string(r.items) + " " + items + (r.items == 1 ? "" : "s");
    if (!r.detail.empty()) out += "  (" + join(r.detail, ", ") + ")";
    out += "\n";
  }
}

void append_skipped_text(std::string& out, const std::vector<SkippedInput>& skipped) {
  for (const auto& s : skipped) {
    out += "  " + s.input + ": ";
    if (s.documents > 1)
      out += std::to_string(s.reasons.size()) + " of " + std::to_string(s.documents) +
             " documents skipped: ";
    else
      out += "skipped: ";
    std::vector<std::string> shown(
        s.reasons.begin(),
        s.reasons.begin() + static_cast<std::ptrdiff_t>(std::min(s.reasons.size(), kReasonsShown)));
    out += join(shown, "; ");
    if (s.reasons.size() > kReasonsShown)
      out += "; +" + std::to_string(s.reasons.size() - kReasonsShown) + " more (--json lists all)";
    out += "\n";
  }
}

}  // namespace

std::string fleet_text(const FleetSummary& s) {
  std::string out = "cudafit fleet: " + std::to_string(s.machines) + " machines (" +
                    std::to_string(s.healthy) + " without errors) from " +
                    std::to_string(s.inputs) + (s.inputs == 1 ? " input" : " inputs");
  if (!s.newest_report.empty())
    out += ", reports from " + s.oldest_report + " to " + s.newest_report;
  out += "\n";
  if (!s.skipped.empty()) {
    out += "\nskipped (each input named once):\n";
    append_skipped_text(out, s.skipped);
  }
  counts(out, "driver branches", s.driver_branches, nullptr);
  counts(out, "GPU models", s.gpu_models, "GPU");
  counts(out, "compute capabilities", s.compute_capabilities, "GPU");
  counts(out, "torch builds", s.torch_builds, "environment");

  out += "\nfindings (machines sharing each):\n";
  if (s.findings.empty()) out += "  (none)\n";
  std::size_t width = 0;
  for (const auto& f : s.findings) width = std::max(width, f.id.size());
  for (const auto& f : s.findings)
    out += "  " + pad(std::string(to_string(f.severity)), 7) + pad(f.id, width) +
           pad(std::to_string(f.machines.size()), 6) + names(f.machines) + "\n";

  out += "\ninstall: the one command that runs on the most machines\n";
  if (!s.install.found) {
    out += "  no CUDA build of torch runs on any of these machines\n";
  } else {
    out += "  " + s.install.command + "\n";
    out += "  torch " + s.install.torch + " " + s.install.variant + " runs on " +
           std::to_string(s.install.runs_on) + " of " + std::to_string(s.machines) + " machines (" +
           std::to_string(s.install.ok) + " ok, " +
           std::to_string(s.install.runs_on - s.install.ok) + " with a caveat)\n";
    if (s.install.newer_steps.size() > 1) {
      out += "  newer releases run on fewer machines:";
      for (const auto& step : s.install.newer_steps)
        out += " " + step.torch + " " + step.variant + " " + std::to_string(step.runs_on) + ";";
      out.back() = '\n';
    }
    if (!s.install.left_out.empty()) {
      out += "  it leaves out " + std::to_string(s.install.left_out.size()) + ":\n";
      for (std::size_t i = 0; i < s.install.left_out.size(); ++i) {
        if (i == kNamesShown * 2) {
          out += "    +" + std::to_string(s.install.left_out.size() - i) +
                 " more (--json lists all)\n";
          break;
        }
        out += "    " + s.install.left_out[i].first + ": " + s.install.left_out[i].second + "\n";
      }
    }
  }

  out += "\ndriver support:\n";
  if (s.lifecycle.empty()) out += "  no machine at its GPUs' last branch or near end of life\n";
  // Grouped by reason: a thousand machines on one branch make one line.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& l : s.lifecycle) {
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == l.why; });
    if (it == groups.end()) {
      groups.emplace_back(l.why, std::vector<std::string>{});
      it = groups.end() - 1;
    }
    it->second.push_back(l.machine);
  }
  for (const auto& [why, machines] : groups)
    out += "  " + why + ": " + std::to_string(machines.size()) +
           (machines.size() == 1 ? " machine (" : " machines (") + names(machines) + ")\n";
  return out;
}

nlohmann::json fleet_json(const FleetSummary& s) {
  using nlohmann::json;
  auto counts_json = [](const std::vector<FleetCount>& rows) {
    json a = json::array();
    for (const auto& r : rows)
      a.push_back(
          {{"key", r.key}, {"machines", r.machines}, {"items", r.items}, {"detail", r.detail}});
    return a;
  };
  json j;
  j["machines"] = s.machines;
  j["healthy"] = s.healthy;
  j["inputs"] = s.inputs;
  j["bad_inputs"] = s.bad_inputs;
  j["newest_report"] = s.newest_report.empty() ? json() : json(s.newest_report);
  j["oldest_report"] = s.oldest_report.empty() ? json() : json(s.oldest_report);
  j["driver_branches"] = counts_json(s.driver_branches);
  j["gpu_models"] = counts_json(s.gpu_models);
  j["compute_capabilities"] = counts_json(s.compute_capabilities);
  j["torch_builds"] = counts_json(s.torch_builds);
  json findings = json::array();
  for (const auto& f : s.findings)
    findings.push_back({{"id", f.id},
                        {"severity", std::string(to_string(f.severity))},
                        {"count", f.machines.size()},
                        {"machines", f.machines}});
  j["findings"] = std::move(findings);
  json left = json::array();
  for (const auto& [m, why] : s.install.left_out) left.push_back({{"machine", m}, {"why", why}});
  json steps = json::array();
  for (const auto& st : s.install.newer_steps)
    steps.push_back(
        {{"torch", st.torch}, {"variant", st.variant}, {"runs_on", st.runs_on}, {"ok", st.ok}});
  j["install"] = s.install.found
                     ? json{{"torch", s.install.torch},     {"variant", s.install.variant},
                            {"command", s.install.command}, {"runs_on", s.install.runs_on},
                            {"ok", s.install.ok},           {"left_out", left},
                            {"newer_steps", steps}}
                     : json();
  json life = json::array();
  for (const auto& l : s.lifecycle)
    life.push_back({{"machine", l.machine},
                    {"driver", l.driver},
                    {"kind", l.last_branch ? "last-branch" : "end-of-life"},
                    {"why", l.why}});
  j["driver_support"] = std::move(life);
  json rows = json::array();
  for (const auto& r : s.rows)
    rows.push_back({{"machine", r.name},
                    {"driver", r.driver},
                    {"gpus", r.gpus},
                    {"torch", r.torch},
                    {"errors", r.errors},
                    {"warnings", r.warnings},
                    {"findings", r.findings}});
  j["machine_list"] = std::move(rows);
  json skipped = json::array();
  for (const auto& sk : s.skipped)
    skipped.push_back({{"input", sk.input}, {"documents", sk.documents}, {"reasons", sk.reasons}});
  j["skipped"] = std::move(skipped);
  return j;
}

}  // namespace cudafit
