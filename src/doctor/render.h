// Rendering `cudafit doctor`'s result: the text report (header, findings grouped by severity,
// counts line) and the findings as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "doctor/finding.h"
#include "probe/machine.h"

namespace cudafit {

// A short header: driver, GPUs with compute capability, active toolkit, environments.
std::string doctor_header(const Machine& machine);
// Header, then findings grouped by severity (each with evidence and fix), then the counts line.
// `color` adds ANSI colours (the caller decides: TTY only, NO_COLOR unset).
std::string render_doctor_text(const Machine& machine, const std::vector<Finding>& findings,
                               bool color);
// [{id, severity, summary, evidence, fix}]
nlohmann::json findings_to_json(const std::vector<Finding>& findings);
// "0 errors, 1 warning, 2 info"
std::string counts_line(const std::vector<Finding>& findings);

}  // namespace cudafit
