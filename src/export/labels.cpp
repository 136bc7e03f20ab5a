#include "export/labels.h"

namespace cudafit {
namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool name_char(char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; }
bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool valid_label_name(std::string_view n) {
  if (n.empty() || n.size() > kLabelNameMax) return false;
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  for (char c : n)
    if (!name_char(c)) return false;
  return true;
}

bool valid_label_value(std::string_view v) { return v.empty() || valid_label_name(v); }

bool valid_label_prefix(std::string_view p) {
  if (p.empty() || p.size() > kLabelPrefixMax) return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t dot = p.find('.', start);
    if (dot == std::string_view::npos) dot = p.size();
    std::string_view part = p.substr(start, dot - start);
    // Each part is a DNS label (RFC 1123): 1-63 characters.
    if (part.empty() || part.size() > 63 || !lower_alnum(part.front()) || !lower_alnum(part.back()))
      return false;
    for (char c : part)
      if (!lower_alnum(c) && c != '-') return false;
    start = dot + 1;
  }
  return true;
}

bool valid_label_key(std::string_view key) {
  std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return valid_label_name(key);
  return valid_label_prefix(key.substr(0, slash)) && valid_label_name(key.substr(slash + 1));
}

std::string to_label_value(std::string_view text) {
  std::string out;
  bool gap = false;
  for (char c : text) {
    if (name_char(c) && !(c == '-' && out.empty())) {
      if (gap && !out.empty()) out += '-';
      gap = false;
      out += c;
    } else {
      gap = true;
    }
  }
  auto trim_end = [&] {
    while (!out.empty() && !alnum(out.back())) out.pop_back();
  };
  std::size_t first = 0;
  while (first < out.size() && !alnum(out[first])) ++first;
  out.erase(0, first);
  trim_end();
  if (out.size() > kLabelNameMax) {
    out.resize(kLabelNameMax);
    trim_end();
  }
  return out;
}

}  // namespace cudafit
