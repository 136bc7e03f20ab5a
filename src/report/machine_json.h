// The `cudafit detect --json` report: Machine -> JSON, schema documented in
// docs/detect-schema.md. Bump Machine::kSchema on any incompatible change.
#pragma once

#include <nlohmann/json.hpp>

#include "probe/machine.h"

namespace cudafit {

nlohmann::json machine_to_json(const Machine& machine);

}  // namespace cudafit

namespace cudafit {

// The compact human summary `cudafit detect` prints (a few lines, each fact with its source).
std::string machine_to_text(const Machine& machine);

}  // namespace cudafit
