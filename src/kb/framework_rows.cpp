// Free-text cells of frameworks.csv (see framework_rows.h).
#include "kb/framework_rows.h"

#include <cctype>

#include "util/strings.h"

namespace cudafit {
namespace {

// Leading release components equal ("2.19" matches 2.19.1).
bool same_prefix(const Pep440Version& v, const std::string& prefix_text) {
  auto p = Pep440Version::parse(prefix_text);
  if (!p) return false;
  for (std::size_t i = 0; i < p->release().size(); ++i)
    if (v.component(i) != p->release()[i]) return false;
  return true;
}

}  // namespace

std::string first_version_in(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  std::size_t j = i;
  while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
    ++j;
  std::string v(text.substr(i, j - i));
  while (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

bool framework_row_matches(const std::string& row_version, const Pep440Version& v) {
  std::string t(trim(row_version));
  if (auto sp = t.find(' '); sp != std::string::npos) t = t.substr(0, sp);  // "0.50.x (docs)"
  if (ends_with(t, ".x")) return same_prefix(v, t.substr(0, t.size() - 2));
  auto dash = t.find('-');
  if (dash != std::string::npos) {
    auto lo = Pep440Version::parse(trim(std::string_view(t).substr(0, dash)));
    auto hi = Pep440Version::parse(trim(std::string_view(t).substr(dash + 1)));
    if (!lo || !hi) return false;
    Pep440Version b = v.base_version();
    return b >= lo->base_version() && (b <= hi->base_version() || same_prefix(b, hi->str()));
  }
  auto exact = Pep440Version::parse(t);
  return exact && v.without_local() == exact->without_local();
}

}  // namespace cudafit
