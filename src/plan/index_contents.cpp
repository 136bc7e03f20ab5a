// What an index serves of torch (see index_contents.h).
#include "plan/index_contents.h"

#include <algorithm>

#include "util/strings.h"
#include "verdict/python_wheels.h"

namespace cudafit {
namespace {

// pip's default index (pip/_internal/models/index.py: PyPI = PackageIndex("https://pypi.org/",
// file_storage_domain="files.pythonhosted.org"), simple_url = its "simple" path); the older
// host name still answers.
constexpr std::string_view kPypiHosts[] = {"https://pypi.org/simple",
                                           "https://pypi.python.org/simple"};

std::string normal_url(std::string_view url) {
  std::string s = to_lower(trim(url));
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Pep440Version with_local(const TorchRelease& r, const std::string& variant) {
  auto v = Pep440Version::parse(r.version.public_str() + "+" + variant);
  return v ? *v : r.version;
}

bool served_on(const TorchVariant& v, Platform p) {
  return std::find(v.platforms.begin(), v.platforms.end(), p) != v.platforms.end();
}

bool listed(const TorchIndex& page, const Pep440Version& v) {
  return v >= page.listed_from && (page.open_ended || v <= page.listed_to);
}

}  // namespace

WheelFit python_fit(const KnowledgeBase& kb, const TorchRelease& r, const TorchVariant* variant,
                    bool on_pypi, Platform platform, const std::string& python) {
  WheelFit f;
  if (python.empty()) {
    f.why = "the Python version is unknown";
    return f;
  }
  // The wheels that exist (torch-wheels.csv): the variant's own index row; a PyPI copy whose
  // build the data does not name reads PyPI's row (index "pypi").
  TorchVariant pypi;
  if (variant == nullptr || (on_pypi && variant->status != "default-pypi")) {
    pypi.torch = r.version;
    pypi.variant = "pypi";
    pypi.status = "default-pypi";
    variant = &pypi;
  }
  PythonWheelAnswer a = python_wheel_for(kb, *variant, platform, python);
  f.fits = a.fit == PythonFit::kYes  ? Availability::kYes
           : a.fit == PythonFit::kNo ? Availability::kNo
                                     : Availability::kUnknown;
  f.why = a.why;
  return f;
}

std::string TorchIndex::label() const { return kind == Kind::kPypi ? "PyPI" : url; }

TorchIndex identify_index(const KnowledgeBase& kb, const InstallFacts& facts,
                          const std::string& url) {
  TorchIndex ix;
  ix.url = url;
  const std::string want = normal_url(url);
  if (want.empty() ||
      std::find(std::begin(kPypiHosts), std::end(kPypiHosts), want) != std::end(kPypiHosts)) {
    ix.kind = TorchIndex::Kind::kPypi;
    return ix;
  }
  for (const auto& v : kb.torch_variants()) {
    if (v.index_url.empty() || normal_url(v.index_url) != want) continue;
    ix.kind = TorchIndex::Kind::kVariant;
    ix.variant = v.variant;
    ix.source = v.from.file;
    return ix;
  }
  for (const auto& page : facts.find_links_pages()) {
    if (page.variants == "*") {
      if (normal_url(page.page) != want) continue;
    } else {
      // "https://download.pytorch.org/whl/{variant}/torch_stable.html": any variant the KB has.
      auto brace = page.page.find("{variant}");
      std::string head = to_lower(page.page.substr(0, brace));
      std::string tail = to_lower(page.page.substr(brace + 9));
      if (want.size() <= head.size() + tail.size() || !starts_with(want, head) ||
          !ends_with(want, tail))
        continue;
      std::string name = want.substr(head.size(), want.size() - head.size() - tail.size());
      if (name.find('/') != std::string::npos) continue;
      bool known = std::any_of(kb.torch_variants().begin(), kb.torch_variants().end(),
                               [&](const TorchVariant& v) { return v.variant == name; });
      if (!known) continue;
      ix.variant = name;
    }
    ix.kind = TorchIndex::Kind::kFindLinks;
    ix.listed_from = page.torch_from;
    ix.open_ended = !page.torch_to.has_value();
    if (page.torch_to) ix.listed_to = *page.torch_to;
    ix.source = page.from.where();
    return ix;
  }
  return ix;
}

std::vector<IndexedBuild> torch_builds_on(const KnowledgeBase& kb, const TorchIndex& index,
                                          Platform platform,
                                          std::vector<const TorchRelease*>* unknown_releases) {
  std::vector<IndexedBuild> out;
  auto add = [&](const TorchRelease* r, const TorchVariant* v, Pep440Version version,
                 bool on_pypi) {
    IndexedBuild b;
    b.release = r;
    b.variant = v;
    b.version = std::move(version);
    b.on_pypi = on_pypi;
    out.push_back(std::move(b));
  };
  const auto& releases = kb.torch_releases();
  switch (index.kind) {
    case TorchIndex::Kind::kUnknown:
      if (unknown_releases != nullptr)
        for (const auto& r : releases) unknown_releases->push_back(&r);
      return out;
    case TorchIndex::Kind::kPypi:
      // PyPI holds one build per release and platform, with no local version: the default
      // variant on Linux x86_64; Windows wheels there are the CPU build; which build its Linux
      // aarch64 wheels are is not in the data.
      if (platform == Platform::kLinuxAarch64) {
        for (const auto& r : releases) add(&r, nullptr, r.version, true);
        return out;
      }
      break;
    case TorchIndex::Kind::kFindLinks:
      if (unknown_releases != nullptr)
        for (const auto& r : releases)
          if (!listed(index, r.version)) unknown_releases->push_back(&r);
      break;
    case TorchIndex::Kind::kVariant:
      break;
  }
  // One pass over the variant rows (sorted by torch): cheaper than a lookup per release.
  const TorchRelease* r = nullptr;
  for (const auto& v : kb.torch_variants()) {
    if (r == nullptr || !(r->version == v.torch)) r = kb.torch_release(v.torch);
    if (r == nullptr || !served_on(v, platform)) continue;
    if (index.kind == TorchIndex::Kind::kPypi) {
      bool pypi_copy = platform == Platform::kWindowsX86_64 ? v.variant == "cpu"
                                                            : v.variant == r->pypi_default_variant;
      if (pypi_copy) add(r, &v, r->version, true);
      continue;
    }
    if (!index.variant.empty() && v.variant != index.variant) continue;
    if (index.kind == TorchIndex::Kind::kFindLinks && !listed(index, r->version)) continue;
    add(r, &v, with_local(*r, v.variant), false);
  }
  return out;
}

}  // namespace cudafit
