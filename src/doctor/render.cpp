#include "doctor/render.h"

#include "doctor/doctor.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string src(const std::string& source) { return source.empty() ? "" : "  [" + source + "]"; }

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string doctor_header(const Machine& m) {
  std::string out;
  const DriverInfo& d = m.driver;
  out += "driver    ";
  if (d.version.known()) {
    out += d.version.value->str();
    if (d.module_kind.known()) out += " (" + *d.module_kind.value + " kernel module)";
    if (d.cuda.known()) out += ", CUDA " + d.cuda.value->major_minor();
    out += src(d.version.source);
  } else if (m.host.wsl && d.userspace_version.known()) {
    out += d.userspace_version.value->str() + " (WSL2, Windows driver)";
    if (d.cuda.known()) out += ", CUDA " + d.cuda.value->major_minor();
    out += src(d.userspace_version.source);
  } else {
    out += "none (no NVIDIA kernel module loaded)";
  }
  out += "\n";
  if (m.gpus.empty()) out += "GPUs      none (no NVIDIA device found)\n";
  for (const Gpu& g : m.gpus) {
    out += "GPU " + std::to_string(g.index) + "     ";
    out += g.name.known() ? *g.name.value : std::string("unknown NVIDIA GPU");
    out += "  " + (g.compute_capability.known() ? "compute " + g.compute_capability.value->str() +
                                                      " (" + g.compute_capability.value->sm() + ")"
                                                : std::string("compute capability unknown"));
    out += "  " + g.pci_id();
    if (!g.visible) out += "  (hidden by CUDA_VISIBLE_DEVICES)";
    out += "\n";
  }
  const Toolkit* active = nullptr;
  for (const Toolkit& t : m.toolkits)
    if (t.active && !active) active = &t;
  out += "toolkit   ";
  if (active) {
    out += "CUDA " + (active->version.known() ? active->version.value->str() : std::string("?")) +
           " at " + active->path + " (active)";
  } else if (!m.toolkits.empty()) {
    out += "none active (" + plural(static_cast<int>(m.toolkits.size()), "toolkit", "toolkits") +
           " installed)";
  } else {
    out += "none";
  }
  if (m.toolkits.size() > 1 && active)
    out += ", " + plural(static_cast<int>(m.toolkits.size()) - 1, "other", "others") + " installed";
  out += "\n";
  if (m.container.inside) {
    out += "container " + (m.container.runtime.empty() ? std::string("yes") : m.container.runtime);
    if (m.container.image_cuda.known())
      out += ", image CUDA " + m.container.image_cuda.value->str();
    out += "\n";
  }
  for (const Environment& env : m.environments) {
    out += "python    " + env.path + " (" + env.kind + (env.active ? ", active" : "") + ")";
    std::vector<std::string> torches;
    for (const auto& p : env.packages)
      if (p.name == "torch")
        torches.push_back("torch " + p.version +
                          (p.cpu_only ? " (CPU-only)"
                           : p.cuda   ? " (CUDA " + p.cuda->major_minor() + ")"
                                      : ""));
    if (!torches.empty()) out += ": " + join(torches, ", ");
    out += "\n";
  }
  return out;
}

std::string counts_line(const std::vector<Finding>& findings) {
  FindingCounts n = count_findings(findings);
  return plural(n.errors, "error", "errors") + ", " + plural(n.warnings, "warning", "warnings") +
         ", " + std::to_string(n.infos) + " info";
}

std::string render_doctor_text(const Machine& m, const std::vector<Finding>& findings, bool color) {
  auto paint = [color](const char* code, const std::string& s) {
    return color ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  };
  std::string out = doctor_header(m);
  for (Severity sev : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
    bool first = true;
    for (const Finding& f : findings) {
      if (f.severity != sev) continue;
      if (first) {
        const char* code = sev == Severity::kError     ? "1;31"
                           : sev == Severity::kWarning ? "1;33"
                                                       : "1;36";
        out += "\n";
        out += paint(code, sev == Severity::kError     ? "Errors"
                           : sev == Severity::kWarning ? "Warnings"
                                                       : "Info");
        out += "\n";
        first = false;
      }
      out += "  ";
      out += paint("1", std::string(to_string(sev)) + " [" + f.id + "]");
      out += " " + f.summary + "\n";
      for (const auto& e : f.evidence) out += "      - " + e + "\n";
      if (!f.fix.empty()) {
        out += "      ";
        out += paint("32", "fix:");
        out += " " + f.fix + "\n";
      }
    }
  }
  if (findings.empty()) out += "\nNo problems found.\n";
  out += "\n";
  out += counts_line(findings);
  out += "\n";
  return out;
}

nlohmann::json findings_to_json(const std::vector<Finding>& findings) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Finding& f : findings)
    arr.push_back({{"id", f.id},
                   {"severity", std::string(to_string(f.severity))},
                   {"summary", f.summary},
                   {"evidence", f.evidence},
                   {"fix", f.fix}});
  return arr;
}

}  // namespace cudafit
