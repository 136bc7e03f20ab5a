// The Prometheus text exposition format, as node_exporter's textfile collector reads it
// (*.prom files): HELP and TYPE before each family's samples, label values escaped, each label
// set once per family (a repeated series makes the scrape fail).
#include <cmath>
#include <cstdio>
#include <set>

#include "doctor/doctor.h"
#include "export/export.h"
#include "util/strings.h"

namespace cudafit {
namespace {

// Label values: backslash, double quote and line feed escaped; UTF-8 only.
std::string label_value(std::string_view raw) {
  std::string v = to_valid_utf8(raw);
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

class Family {
 public:
  Family(std::string& out, const char* name, const char* help) : out_(out), name_(name) {
    out_ += std::string("# HELP ") + name + " " + help + "\n";
    out_ += std::string("# TYPE ") + name + " gauge\n";
  }
  void sample(const std::vector<std::pair<const char*, std::string>>& labels, double value) {
    std::string series = name_;
    if (!labels.empty()) {
      series += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) series += ',';
        series += std::string(labels[i].first) + "=\"" + label_value(labels[i].second) + "\"";
      }
      series += '}';
    }
    if (!seen_.insert(series).second) return;
    out_ += series + " " + number(value) + "\n";
  }

 private:
  std::string& out_;
  std::string name_;
  std::set<std::string> seen_;
};

}  // namespace

std::string prometheus_metrics(const ExportInput& in) {
  const Machine& m = in.machine;
  std::string out;
  {
    Family f(out, "cudafit_finding",
             "A cudafit doctor finding on this machine (1 while it holds; env is the Python "
             "environment it is about, empty for the whole machine).");
    for (const auto& finding : in.findings)
      f.sample({{"id", finding.id},
                {"severity", std::string(to_string(finding.severity))},
                {"env", finding_environment(finding, m.environments)}},
               1);
  }
  {
    Family f(out, "cudafit_findings", "How many findings cudafit doctor reported, by severity.");
    const FindingCounts c = count_findings(in.findings);
    f.sample({{"severity", "error"}}, c.errors);
    f.sample({{"severity", "warning"}}, c.warnings);
    f.sample({{"severity", "info"}}, c.infos);
  }
  {
    Family f(out, "cudafit_healthy", "1 when cudafit doctor found no error, else 0.");
    f.sample({}, count_findings(in.findings).errors == 0 ? 1 : 0);
  }
  {
    Family f(out, "cudafit_driver_info",
             "The running NVIDIA driver: version, highest CUDA it runs, kernel module kind.");
    const DriverInfo& d = m.driver;
    if (d.version.known())
      f.sample({{"version", d.version.value->str()},
                {"cuda", d.cuda.known() ? d.cuda.value->major_minor() : ""},
                {"kind", d.module_kind.value.value_or("")}},
               1);
  }
  {
    Family f(out, "cudafit_gpu_info",
             "An NVIDIA GPU on the PCI bus: index, name, PCI id, compute capability.");
    for (const auto& g : m.gpus)
      f.sample({{"index", std::to_string(g.index)},
                {"name", g.name.value.value_or("")},
                {"pci_id", g.device_id != 0 ? g.pci_id() : ""},
                {"cc", g.compute_capability.known() ? g.compute_capability.value->str() : ""}},
               1);
  }
  {
    Family f(out, "cudafit_environment_info",
             "A Python environment: its path, torch version and the CUDA torch is built with.");
    for (const auto& env : m.environments) {
      const InstalledPackage* torch = env.find("torch");
      f.sample({{"path", env.path},
                {"torch", torch != nullptr ? torch->version : ""},
                {"cuda", torch != nullptr && torch->cuda ? torch->cuda->major_minor() : ""}},
               1);
    }
  }
  {
    Family f(out, "cudafit_last_run_timestamp_seconds",
             "When cudafit last looked at this machine (seconds since 1970, UTC).");
    f.sample({}, static_cast<double>(in.run.unix_ms) / 1000.0);
  }
  {
    Family f(out, "cudafit_run_duration_seconds", "How long that run took.");
    f.sample({}, std::round(in.run.duration_s * 1e6) / 1e6);
  }
  return out;
}

}  // namespace cudafit
