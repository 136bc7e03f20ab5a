#include "envs/metadata.h"

#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace cudafit {

namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A Python string literal at the start of `s` ('x', "x", r'x'); nullopt otherwise.
std::optional<std::string> string_literal(std::string_view s) {
  if (!s.empty() && (s[0] == 'r' || s[0] == 'u' || s[0] == 'R' || s[0] == 'U')) s.remove_prefix(1);
  if (s.size() < 2 || (s[0] != '\'' && s[0] != '"')) return std::nullopt;
  char q = s[0];
  size_t end = s.find(q, 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(s.substr(1, end - 1));
}

// The value of a literal right-hand side: a string, None, True/False, or a number.
std::optional<std::optional<std::string>> literal_value(std::string_view rhs) {
  rhs = trim(rhs);
  size_t hash = rhs.find('#');
  if (hash != std::string_view::npos && rhs.find_first_of("'\"") > hash)
    rhs = trim(rhs.substr(0, hash));
  if (auto s = string_literal(rhs)) return std::optional<std::string>(*s);
  if (rhs == "None") return std::optional<std::string>();
  if (rhs == "True" || rhs == "False") return std::optional<std::string>(std::string(rhs));
  if (!rhs.empty() && rhs.find_first_not_of("0123456789.") == std::string_view::npos)
    return std::optional<std::string>(std::string(rhs));
  return std::nullopt;
}

}  // namespace

bool is_gpu_package(std::string_view n) {
  // Whole names, then families by prefix (normalized names).
  static constexpr std::string_view kNames[] = {"torch",
                                                "torchvision",
                                                "torchaudio",
                                                "triton",
                                                "jax",
                                                "jaxlib",
                                                "vllm",
                                                "xformers",
                                                "flash-attn",
                                                "bitsandbytes",
                                                "deepspeed",
                                                "pytorch",
                                                "pytorch-cuda",
                                                "cudatoolkit",
                                                "cudnn",
                                                "nccl",
                                                "paddlepaddle",
                                                "paddlepaddle-gpu",
                                                "mamba-ssm",
                                                "causal-conv1d",
                                                "pycuda",
                                                "numba-cuda",
                                                "torch-scatter",
                                                "torch-sparse",
                                                "torch-cluster",
                                                "torch-spline-conv",
                                                "torch-tensorrt",
                                                "apex",
                                                "sglang",
                                                "auto-gptq",
                                                "mmcv",
                                                "flashinfer-python",
                                                "llama-cpp-python"};
  static constexpr std::string_view kPrefixes[] = {
      "nvidia-", "cuda-",    "pytorch-triton", "tensorflow", "tf-",  "jax-cuda",
      "cupy",    "tensorrt", "onnxruntime",    "libcu",      "libnv"};
  for (auto name : kNames)
    if (n == name) return true;
  for (auto prefix : kPrefixes)
    if (starts_with(n, prefix)) return true;
  return false;
}

Result<DistMetadata> parse_dist_metadata(std::string_view text) {
  DistMetadata md;
  std::string* last = nullptr;  // for folded continuation lines
  // Line by line up to the first blank one: the description after it can be 100 kB.
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the body (description) follows the first blank line
    if ((line[0] == ' ' || line[0] == '\t') && last) {
      *last += ' ';
      *last += std::string(trim(line));
      continue;
    }
    last = nullptr;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));  // a copy only for the keys kept
    if (iequals(key, "Name") && md.name.empty()) {
      md.name = std::string(value);
    } else if (iequals(key, "Version") && md.version.empty()) {
      md.version = std::string(value);
    } else if (iequals(key, "Requires-Dist")) {
      md.requires_dist.emplace_back(value);
      last = &md.requires_dist.back();
    }
  }
  if (md.name.empty()) return make_error("no Name: header");
  if (md.version.empty()) return make_error("no Version: header");
  return md;
}

std::optional<DistDirName> parse_dist_dir_name(std::string_view dir) {
  std::string_view stem;
  if (ends_with(dir, ".dist-info")) {
    stem = dir.substr(0, dir.size() - 10);
  } else if (ends_with(dir, ".egg-info")) {
    stem = dir.substr(0, dir.size() - 9);
  } else {
    return std::nullopt;
  }
  if (stem.empty()) return std::nullopt;
  DistDirName out;
  size_t dash = stem.find('-');
  out.name = std::string(stem.substr(0, dash));
  if (dash != std::string_view::npos) {
    std::string_view rest = stem.substr(dash + 1);
    // egg-info: "1.0-py3.11" -> the version is up to the "-py" tag.
    size_t py = rest.find("-py");
    out.version = std::string(rest.substr(0, py));
  }
  return out;
}

std::map<std::string, std::string> parse_pyvenv_cfg(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(text)) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = to_lower(trim(line.substr(0, eq)));
    if (key.empty() || key[0] == '#') continue;
    out[key] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

std::map<std::string, std::optional<std::string>> parse_python_assignments(std::string_view text) {
  std::map<std::string, std::optional<std::string>> out;
  for (std::string_view line : split_lines(text)) {
    if (line.empty() || !is_ident_char(line[0])) continue;  // top level only
    size_t i = 0;
    while (i < line.size() && is_ident_char(line[i])) ++i;
    std::string_view name = line.substr(0, i);
    std::string_view rest = trim(line.substr(i));
    if (!rest.empty() && rest[0] == ':') {  // annotation: `cuda: Optional[str] = '13.0'`
      size_t eq = rest.find('=');
      if (eq == std::string_view::npos) continue;
      rest = rest.substr(eq);
    }
    if (rest.size() < 2 || rest[0] != '=' || rest[1] == '=') continue;
    if (auto value = literal_value(rest.substr(1))) out[std::string(name)] = *value;
  }
  return out;
}

std::map<std::string, std::string> parse_tf_build_info(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    auto key = string_literal(line);
    if (!key) continue;
    size_t colon = line.find(':', key->size() + 2);
    if (colon == std::string_view::npos) continue;
    std::string_view rhs = trim(line.substr(colon + 1));
    if (!rhs.empty() && rhs.back() == ',') rhs.remove_suffix(1);
    rhs = trim(rhs);
    if (auto s = string_literal(rhs)) {
      out[*key] = *s;
    } else if (!rhs.empty() && rhs.find_first_of("{[(") == std::string_view::npos) {
      out[*key] = std::string(rhs);
    }
  }
  return out;
}

Result<CondaRecord> parse_conda_record(std::string_view json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return make_error("not a JSON object");
  CondaRecord r;
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  r.name = text("name");
  r.version = text("version");
  r.build = text("build");
  r.channel = text("channel");
  if (r.name.empty() || r.version.empty()) return make_error("no name or version");
  return r;
}

std::optional<CondaRecord> parse_conda_file_name(std::string_view file) {
  if (!ends_with(file, ".json")) return std::nullopt;
  std::string_view stem = file.substr(0, file.size() - 5);
  size_t build_dash = stem.rfind('-');
  if (build_dash == std::string_view::npos || build_dash == 0) return std::nullopt;
  size_t version_dash = stem.rfind('-', build_dash - 1);
  if (version_dash == std::string_view::npos || version_dash == 0) return std::nullopt;
  CondaRecord r;
  r.name = std::string(stem.substr(0, version_dash));
  r.version = std::string(stem.substr(version_dash + 1, build_dash - version_dash - 1));
  r.build = std::string(stem.substr(build_dash + 1));
  return r;
}

std::vector<std::string> parse_pth(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (starts_with(line, "import ") || starts_with(line, "import\t")) continue;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    out.emplace_back(line);  // site.py rstrips the line, nothing more
  }
  return out;
}

}  // namespace cudafit
