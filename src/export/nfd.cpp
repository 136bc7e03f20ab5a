// Node Feature Discovery's local feature source: one "name=value" line per label, '#' comments,
// and the "# +expiry-time=" directive. nfd-worker ignores files whose name starts with '.', so
// the atomic writer's temporary file is never read half-written.
#include <set>

#include "doctor/doctor.h"
#include "export/export.h"
#include "export/labels.h"
#include "util/strings.h"

namespace cudafit {
namespace {

class Labels {
 public:
  explicit Labels(std::string prefix) : prefix_(std::move(prefix)) {}
  // `raw_name` and `raw_value` are made valid (to_label_value); an empty value is left out.
  void add(const std::string& raw_name, const std::string& raw_value) {
    const std::string name = to_label_value(raw_name);
    const std::string value = to_label_value(raw_value);
    if (value.empty()) return;
    // Made valid above; never a line Kubernetes would refuse.
    if (!valid_label_name(name) || !valid_label_value(value)) return;
    if (!seen_.insert(name).second) return;
    out_ += prefix_ + "/" + name + "=" + value + "\n";
  }
  std::string& text() { return out_; }

 private:
  std::string prefix_;
  std::string out_;
  std::set<std::string> seen_;
};

}  // namespace

Result<std::string> nfd_features(const ExportInput& in, const NfdOptions& options) {
  if (!valid_label_prefix(options.prefix))
    return make_error("label prefix '" + options.prefix +
                      "' is not a DNS subdomain (lower-case letters, digits, '-' and '.', at "
                      "most 253 characters)");
  const Machine& m = in.machine;
  Labels labels(options.prefix);
  std::string& out = labels.text();
  // No comment line unless asked: NFD before v0.14 reads every line, '#' ones too, as a label.
  if (options.expires_in_minutes > 0)
    out += "# +expiry-time=" +
           utc_time_text(in.run.unix_ms / 1000 + std::int64_t{options.expires_in_minutes} * 60) +
           "\n";

  const DriverInfo& d = m.driver;
  if (d.version.known()) {
    labels.add("driver.version", d.version.value->str());
    labels.add("driver.branch", std::to_string(d.version.value->branch()));
  }
  if (d.cuda.known()) labels.add("driver.cuda", d.cuda.value->major_minor());
  if (d.module_kind.known()) labels.add("driver.kind", *d.module_kind.value);

  labels.add("gpu.count", std::to_string(m.gpus.size()));
  for (const auto& g : m.gpus) {
    if (g.compute_capability.known()) {
      const ComputeCapability& cc = *g.compute_capability.value;
      labels.add("gpu.cc-" + cc.str(), "true");
      if (const GpuArch* arch = in.kb.arch_of_cc(cc))
        labels.add("gpu.arch-" + to_lower(arch->architecture), "true");
    }
    if (g.name.known()) labels.add("gpu.model-" + *g.name.value, "true");
  }
  for (const auto& t : m.toolkits)
    if (t.active && t.version.known()) labels.add("toolkit.cuda", t.version.value->major_minor());

  if (const Environment* env = main_environment(m)) {
    if (const InstalledPackage* torch = env->find("torch")) {
      std::string version = torch->version.substr(0, torch->version.find('+'));
      labels.add("torch.version", version);
      labels.add("torch.cuda", torch->cuda       ? torch->cuda->major_minor()
                               : torch->cpu_only ? "none"
                                                 : "");
    }
  }
  if (in.best) {
    labels.add("torch.best-version", in.best->release->version.str());
    labels.add("torch.best-variant", in.best->variant->variant);
  }

  const FindingCounts counts = count_findings(in.findings);
  labels.add("healthy", counts.errors == 0 ? "true" : "false");
  labels.add("errors", std::to_string(counts.errors));
  labels.add("warnings", std::to_string(counts.warnings));
  for (const auto& f : in.findings) labels.add("finding." + f.id, "true");
  return std::move(out);
}

}  // namespace cudafit
