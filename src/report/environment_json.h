// One Python environment as JSON: the objects of `cudafit envs --json` and of the
// `environments` array of `cudafit detect --json`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "envs/environment.h"

namespace cudafit {

// {path, kind, found_by, active, python, python_source, interpreter,
//  include_system_site_packages, site_packages, sys_path, packages [{name, version, cuda,
//  installer, location, ...}], requirements, torch_import, cudnn, pip_over_conda, notes,
//  verified (only when --exec ran)}. Unknown values are null.
nlohmann::json environment_to_json(const Environment& env);

// `cudafit envs` as text: one block per environment, its GPU packages as a table.
std::string render_environments_text(const std::vector<Environment>& envs);

}  // namespace cudafit
