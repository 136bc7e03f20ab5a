// Free-text cells of frameworks.csv (see framework_rows.h).
#include "kb/framework_rows.h"

#include <cctype>
#include <string>
#include <vector>

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

std::optional<Pep440Version> framework_row_top(const std::string& text) {
  std::string t(trim(text));
  if (auto sp = t.find(' '); sp != std::string::npos) t = t.substr(0, sp);
  if (auto dash = t.find('-'); dash != std::string::npos) t = t.substr(dash + 1);
  auto v = Pep440Version::parse(t);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<SpecifierSet> framework_torch_pin(const FrameworkRequirement& row) {
  std::string first = first_version_in(row.torch);
  if (first.empty() || !Pep440Version::parse(first)) return std::nullopt;
  std::string text = "==" + first;
  if (auto ge = row.torch.find(">="); ge != std::string::npos)
    text = ">=" + first_version_in(std::string_view(row.torch).substr(ge));
  else if (row.torch.find("or later") != std::string::npos)
    text = ">=" + first;
  auto s = SpecifierSet::parse(text);
  if (!s) return std::nullopt;
  return *s;
}

std::vector<CudaBuildRange> framework_cuda_builds(const std::string& cell) {
  std::vector<CudaBuildRange> out;
  auto parse = [](std::string_view part) -> std::optional<CudaVersion> {
    std::string t(part);
    while (!t.empty() && (t.back() == ',' || t.back() == ';' || t.back() == ')')) t.pop_back();
    if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])) ||
        t.find('.') == std::string::npos)
      return std::nullopt;
    auto c = CudaVersion::parse(t);
    if (!c) return std::nullopt;
    return *c;
  };
  for (auto w : split_ws(cell)) {
    auto parts = split(w, '-');
    if (parts.size() == 2) {
      auto lo = parse(parts[0]);
      auto hi = parse(parts[1]);
      if (lo && hi) out.push_back({*lo, *hi});
      continue;
    }
    if (auto c = parse(w)) out.push_back({*c, *c});
  }
  return out;
}

std::optional<ComputeCapability> framework_min_cc(const FrameworkRequirement& row) {
  for (const std::string* cell : {&row.notes, &row.cuda})
    if (auto p = cell->find("min CC "); p != std::string::npos)
      if (auto cc = ComputeCapability::parse(first_version_in(cell->substr(p + 7)))) return *cc;
  // "NVIDIA CC 6.0+" stating the package's GPUs; only the CUDA cell says it of the package
  // itself (a note's "Triton kernels need CC 8.0+" is about part of it).
  auto p = row.cuda.find("CC ");
  if (p == std::string::npos) return std::nullopt;
  std::string v = first_version_in(row.cuda.substr(p + 3));
  auto end = row.cuda.find(v, p) + v.size();
  if (v.empty() || end >= row.cuda.size() || row.cuda[end] != '+') return std::nullopt;
  auto cc = ComputeCapability::parse(v);
  if (!cc) return std::nullopt;
  return *cc;
}

std::optional<TorchArchList> framework_arch_list(const FrameworkRequirement& row) {
  auto p = row.notes.find("TORCH_CUDA_ARCH_LIST '");
  if (p == std::string::npos) return std::nullopt;
  auto start = p + 22;
  auto end = row.notes.find('\'', start);
  if (end == std::string::npos) return std::nullopt;
  TorchArchList list;
  // A view of the row itself: split_ws keeps views into its argument.
  for (auto w : split_ws(std::string_view(row.notes).substr(start, end - start))) {
    std::string t(w);
    bool ptx = ends_with(t, "+PTX");
    if (ptx) t = t.substr(0, t.size() - 4);
    auto cc = ComputeCapability::parse(t);
    if (!cc) continue;
    list.sass.push_back(*cc);
    if (ptx) list.ptx.push_back(*cc);
  }
  if (list.sass.empty()) return std::nullopt;
  list.from = row.from;
  return list;
}

}  // namespace cudafit
