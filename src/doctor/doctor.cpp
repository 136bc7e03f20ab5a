#include "doctor/doctor.h"

#include <algorithm>

#include "doctor/checks.h"

namespace cudafit {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

std::vector<Finding> diagnose(const DoctorInput& input) {
  std::vector<Finding> findings;
  const doctor::Context c{input.machine, input.kb, input.kernels, findings};
  doctor::check_driver(c);
  doctor::check_gpu_support(c);
  doctor::check_container(c);
  doctor::check_builds(c);
  doctor::check_packages(c);
  doctor::check_toolkits(c);
  doctor::check_frameworks(c);
  // The same finding can arise from one torch seen through two environments (a venv that
  // includes system site-packages): report it once.
  std::vector<Finding> unique;
  for (auto& f : findings) {
    bool dup = std::any_of(unique.begin(), unique.end(), [&](const Finding& u) {
      return u.id == f.id && u.summary == f.summary;
    });
    if (!dup) unique.push_back(std::move(f));
  }
  std::stable_sort(unique.begin(), unique.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return unique;
}

FindingCounts count_findings(const std::vector<Finding>& findings) {
  FindingCounts n;
  for (const auto& f : findings) {
    if (f.severity == Severity::kError)
      ++n.errors;
    else if (f.severity == Severity::kWarning)
      ++n.warnings;
    else
      ++n.infos;
  }
  return n;
}

}  // namespace cudafit
