// Parsers for the small text files a Python environment is made of: METADATA / PKG-INFO,
// pyvenv.cfg, version.py assignments, TensorFlow's build_info.py, conda-meta records and
// .pth files. Pure functions of text (no Host): the fuzz target calls them directly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/requirement.h"  // normalize_package_name

namespace cudafit {

// The GPU-relevant distributions cudafit keeps (torch & kin, nvidia-*, cuda-*, TensorFlow,
// JAX, CuPy, vLLM, ...): a rule on the normalized name.
bool is_gpu_package(std::string_view normalized_name);

// The header of a METADATA / PKG-INFO file (RFC 822 style, stops at the first blank line).
struct DistMetadata {
  std::string name;     // as written
  std::string version;  // as written
  std::vector<std::string> requires_dist;
};
// Errors when Name or Version is missing.
Result<DistMetadata> parse_dist_metadata(std::string_view text);

// "name-version.dist-info" / "name-version-py3.11.egg-info" / "name.egg-info" -> name, version.
struct DistDirName {
  std::string name;     // as in the folder name
  std::string version;  // empty when the folder does not say
};
std::optional<DistDirName> parse_dist_dir_name(std::string_view dir_name);

// pyvenv.cfg: "key = value" lines; keys lower-cased and trimmed.
std::map<std::string, std::string> parse_pyvenv_cfg(std::string_view text);

// Top-level assignments of literals in a .py file: `name = 'x'`, `name: Optional[str] = "x"`,
// `name = None` (mapped to nullopt), True/False/numbers as text. Other right-hand sides
// are left out.
std::map<std::string, std::optional<std::string>> parse_python_assignments(std::string_view text);

// TensorFlow's tensorflow/python/platform/build_info.py: the `'key': value` pairs of its
// build_info dict ("cuda_version" -> "12.3", "is_cuda_build" -> "True").
std::map<std::string, std::string> parse_tf_build_info(std::string_view text);

// A conda-meta/*.json record.
struct CondaRecord {
  std::string name, version, build, channel;
};
Result<CondaRecord> parse_conda_record(std::string_view json_text);
// "pytorch-2.1.0-py3.10_cuda11.8_cudnn8.7.0_0.json" -> name "pytorch" (name-version-build).
std::optional<CondaRecord> parse_conda_file_name(std::string_view file_name);

// A .pth file's path lines (comments, blank lines and `import` lines left out).
std::vector<std::string> parse_pth(std::string_view text);

}  // namespace cudafit
