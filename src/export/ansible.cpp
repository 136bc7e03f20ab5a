// Ansible custom facts: a static JSON object that setup gathers as ansible_local.cudafit.
// The keys are stable (docs/export.md); a value that is unknown is null, never left out.
#include <nlohmann/json.hpp>
#include <set>

#include "doctor/doctor.h"
#include "export/export.h"
#include "util/json_text.h"

namespace cudafit {
namespace {

using nlohmann::json;

template <typename T>
json or_null(const Fact<T>& f) {
  if (!f.known()) return nullptr;
  if constexpr (std::is_same_v<T, std::string>)
    return *f.value;
  else
    return f.value->str();
}

}  // namespace

std::string ansible_facts(const ExportInput& in) {
  const Machine& m = in.machine;
  json j = json::object();
  j["schema"] = 1;
  j["generated"] = utc_time_text(in.run.unix_ms / 1000);
  j["hostname"] = or_null(m.host.hostname);

  const FindingCounts c = count_findings(in.findings);
  j["healthy"] = c.errors == 0;
  j["errors"] = c.errors;
  j["warnings"] = c.warnings;
  j["infos"] = c.infos;
  json findings = json::array();
  std::set<std::string> ids;
  for (const auto& f : in.findings) {
    ids.insert(f.id);
    findings.push_back({{"id", f.id},
                        {"severity", std::string(to_string(f.severity))},
                        {"env", finding_environment(f, m.environments)},
                        {"summary", f.summary},
                        {"fix", f.fix}});
  }
  j["finding_ids"] = ids;
  j["findings"] = std::move(findings);

  const DriverInfo& d = m.driver;
  j["driver"] = {{"version", or_null(d.version)},
                 {"branch", d.version.known() ? json(d.version.value->branch()) : json(nullptr)},
                 {"cuda", d.cuda.known() ? json(d.cuda.value->major_minor()) : json(nullptr)},
                 {"kind", or_null(d.module_kind)},
                 {"loaded", d.module_loaded}};

  json gpus = json::array();
  std::set<std::string> ccs;
  for (const auto& g : m.gpus) {
    const GpuArch* arch =
        g.compute_capability.known() ? in.kb.arch_of_cc(*g.compute_capability.value) : nullptr;
    if (g.compute_capability.known()) ccs.insert(g.compute_capability.value->str());
    gpus.push_back({{"index", g.index},
                    {"name", or_null(g.name)},
                    {"pci_id", g.device_id != 0 ? json(g.pci_id()) : json(nullptr)},
                    {"cc", or_null(g.compute_capability)},
                    {"chip", or_null(g.chip)},
                    {"architecture", arch ? json(arch->architecture) : json(nullptr)},
                    {"uuid", or_null(g.uuid)},
                    {"visible", g.visible}});
  }
  j["gpu_count"] = m.gpus.size();
  j["gpus"] = std::move(gpus);
  j["compute_capabilities"] = ccs;

  j["toolkit"] = nullptr;
  for (const auto& t : m.toolkits)
    if (t.active) j["toolkit"] = {{"path", t.path}, {"version", or_null(t.version)}};

  json envs = json::array();
  for (const auto& e : m.environments) {
    const InstalledPackage* torch = e.find("torch");
    envs.push_back(
        {{"path", e.path},
         {"kind", e.kind},
         {"active", e.active},
         {"python", or_null(e.python)},
         {"torch", torch ? json(torch->version) : json(nullptr)},
         {"torch_cuda", torch && torch->cuda ? json(torch->cuda->major_minor()) : json(nullptr)}});
  }
  j["environments"] = std::move(envs);

  j["install"] = nullptr;
  if (in.best)
    j["install"] = {{"torch", in.best->release->version.str()},
                    {"variant", in.best->variant->variant},
                    {"index_url", in.best->variant->index_url},
                    {"verdict", std::string(to_string(in.best->verdict.verdict))}};
  j["slurm_features"] = slurm_features(in);
  return json_text(j) + "\n";
}

}  // namespace cudafit
