// Kubernetes label rules (k8s.io/apimachinery validation: IsQualifiedName, IsValidLabelValue,
// IsDNS1123Subdomain), and turning free text (a GPU name, a version) into a valid value.
//   key   = [prefix "/"] name
//   prefix: a DNS subdomain, at most 253 characters: dot-separated parts of [a-z0-9-], each
//           starting and ending with [a-z0-9]
//   name:  at most 63 characters of [A-Za-z0-9_.-], starting and ending with [A-Za-z0-9]
//   value: empty, or like a name
#pragma once

#include <string>
#include <string_view>

namespace cudafit {

inline constexpr std::size_t kLabelNameMax = 63;
inline constexpr std::size_t kLabelPrefixMax = 253;

bool valid_label_prefix(std::string_view prefix);
bool valid_label_name(std::string_view name);
bool valid_label_value(std::string_view value);
// "prefix/name" or "name".
bool valid_label_key(std::string_view key);

// Free text as a label value (or name part): each run of other characters becomes one '-',
// the ends are trimmed to an alphanumeric, and the result is cut to 63 characters (then
// trimmed again). "NVIDIA H100 80GB HBM3" -> "NVIDIA-H100-80GB-HBM3"; "" when nothing is left.
std::string to_label_value(std::string_view text);

}  // namespace cudafit
