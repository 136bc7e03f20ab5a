// Loader of the packaging facts (see images.h).
#include "kb/images.h"

#include <memory>

#include "kb/embedded.h"
#include "util/csv.h"
#include "util/strings.h"

namespace cudafit {
namespace {

constexpr const char* kNgcFile = "images-ngc-pytorch.csv";
constexpr const char* kPipFile = "torch-pip-commands.csv";
constexpr const char* kCondaFile = "torch-conda.csv";
constexpr const char* kCompanionsFile = "torch-companions.csv";
constexpr const char* kFindLinksFile = "torch-find-links.csv";

// Column access by name; errors name the file, line and column.
struct Rows {
  const CsvTable& t;
  Result<std::string> get(const CsvTable::Row& r, std::string_view col) const {
    int i = t.column(col);
    if (i < 0) return make_error(t.name + ": no column '" + std::string(col) + "'");
    return std::string(r.fields[static_cast<std::size_t>(i)]);
  }
  Provenance from(const CsvTable::Row& r) const {
    auto s = get(r, "source");
    return Provenance{t.name, r.line, s ? *s : std::string()};
  }
  std::string where(const CsvTable::Row& r) const { return t.name + ":" + std::to_string(r.line); }
};

// `var` names the variable being declared, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CF_TRY(var, expr)                           \
  auto var##_r = (expr);                            \
  if (!var##_r) return make_error(var##_r.error()); \
  auto var = std::move(var##_r).value()
// NOLINTEND(bugprone-macro-parentheses)

Result<Pep440Version> version_at(const Rows& rows, const CsvTable::Row& r, std::string_view col) {
  CF_TRY(text, rows.get(r, col));
  auto v = Pep440Version::parse(text);
  if (!v) return make_error(rows.where(r) + ": " + std::string(col) + ": " + v.error());
  return v;
}

Status parse_ngc(const CsvTable& t, std::vector<NgcPytorchImage>& out) {
  Rows rows{t};
  for (const auto& r : t.rows) {
    NgcPytorchImage img;
    CF_TRY(tag, rows.get(r, "tag"));
    img.tag = tag;
    CF_TRY(published, rows.get(r, "published"));
    if (published == "yes" || published == "no") {
      img.published = published == "yes";
    } else if (!published.empty()) {
      return make_error(rows.where(r) + ": published must be yes, no or empty");
    }
    CF_TRY(torch, rows.get(r, "torch"));
    if (!torch.empty()) {
      auto v = Pep440Version::parse(torch);
      if (!v) return make_error(rows.where(r) + ": torch: " + v.error());
      img.torch = *v;
    }
    CF_TRY(cuda, rows.get(r, "cuda"));
    if (!cuda.empty()) {
      auto v = CudaVersion::parse(cuda);
      if (!v) return make_error(rows.where(r) + ": cuda: " + v.error());
      img.cuda = *v;
    }
    CF_TRY(cudnn, rows.get(r, "cudnn"));
    img.cudnn = cudnn;
    CF_TRY(branch, rows.get(r, "driver_branch"));
    if (!branch.empty()) {
      auto b = parse_uint(branch);
      if (!b || *b > 100000) return make_error(rows.where(r) + ": driver_branch: " + branch);
      img.driver_branch = static_cast<int>(*b);
    }
    CF_TRY(driver_min, rows.get(r, "driver_min"));
    img.driver_min = driver_min;
    CF_TRY(forward, rows.get(r, "forward_compat"));
    for (auto d : split_ws(forward)) img.forward_compat.emplace_back(d);
    CF_TRY(python, rows.get(r, "python"));
    img.python = python;
    CF_TRY(ubuntu, rows.get(r, "ubuntu"));
    img.ubuntu = ubuntu;
    CF_TRY(notes, rows.get(r, "notes"));
    img.notes = notes;
    img.from = rows.from(r);
    out.push_back(std::move(img));
  }
  return {};
}

Status parse_pip(const CsvTable& t, std::vector<PipCommandStyle>& out) {
  Rows rows{t};
  for (const auto& r : t.rows) {
    PipCommandStyle s;
    CF_TRY(from, version_at(rows, r, "torch_from"));
    s.torch_from = from;
    CF_TRY(to, rows.get(r, "torch_to"));
    if (!to.empty()) {
      CF_TRY(v, version_at(rows, r, "torch_to"));
      s.torch_to = v;
    }
    CF_TRY(opt, rows.get(r, "index_option"));
    s.index_option = opt;
    CF_TRY(tags, rows.get(r, "local_tags"));
    for (auto p : split_ws(tags)) s.local_tags.emplace_back(p);
    CF_TRY(plain, rows.get(r, "default_without_index"));
    if (plain != "yes" && plain != "no")
      return make_error(rows.where(r) + ": default_without_index must be yes or no");
    s.default_without_index = plain == "yes";
    s.from = rows.from(r);
    out.push_back(std::move(s));
  }
  return {};
}

Status parse_conda(const CsvTable& t, std::vector<CondaRecipe>& out) {
  Rows rows{t};
  for (const auto& r : t.rows) {
    CondaRecipe c;
    CF_TRY(from, version_at(rows, r, "torch_from"));
    CF_TRY(to, version_at(rows, r, "torch_to"));
    c.torch_from = from;
    c.torch_to = to;
    CF_TRY(variant, rows.get(r, "variant"));
    CF_TRY(pin, rows.get(r, "pin"));
    CF_TRY(channels, rows.get(r, "channels"));
    CF_TRY(tv, rows.get(r, "torchvision"));
    CF_TRY(ta, rows.get(r, "torchaudio"));
    c.variant = variant;
    c.pin = pin;
    c.channels = channels;
    c.torchvision = tv;
    c.torchaudio = ta;
    c.from = rows.from(r);
    out.push_back(std::move(c));
  }
  return {};
}

Status parse_companions(const CsvTable& t, std::vector<PageCompanions>& out) {
  Rows rows{t};
  for (const auto& r : t.rows) {
    PageCompanions c;
    CF_TRY(torch, version_at(rows, r, "torch"));
    CF_TRY(tv, rows.get(r, "torchvision"));
    CF_TRY(ta, rows.get(r, "torchaudio"));
    c.torch = torch;
    c.torchvision = tv;
    c.torchaudio = ta;
    c.from = rows.from(r);
    out.push_back(std::move(c));
  }
  return {};
}

Status parse_find_links(const CsvTable& t, std::vector<FindLinksPage>& out) {
  Rows rows{t};
  for (const auto& r : t.rows) {
    FindLinksPage p;
    CF_TRY(page, rows.get(r, "page"));
    CF_TRY(variants, rows.get(r, "variants"));
    if (page.empty()) return make_error(rows.where(r) + ": page is empty");
    if (variants != "*" && variants != "{variant}")
      return make_error(rows.where(r) + ": variants must be * or {variant}");
    if (variants == "{variant}" && page.find("{variant}") == std::string::npos)
      return make_error(rows.where(r) + ": variants {variant} needs {variant} in the page URL");
    CF_TRY(from, version_at(rows, r, "torch_from"));
    CF_TRY(to, rows.get(r, "torch_to"));
    if (!to.empty()) {
      CF_TRY(v, version_at(rows, r, "torch_to"));
      p.torch_to = v;
    }
    p.page = page;
    p.variants = variants;
    p.torch_from = from;
    p.from = rows.from(r);
    out.push_back(std::move(p));
  }
  return {};
}

std::string embedded_text(const char* name) {
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
    if (std::string_view(kEmbeddedFiles[i].name) == name)
      return std::string(kEmbeddedFiles[i].data, kEmbeddedFiles[i].size);
  return {};
}

bool in_range(const Pep440Version& v, const Pep440Version& from,
              const std::optional<Pep440Version>& to) {
  Pep440Version pub = v.without_local();
  return pub >= from && (!to || pub <= *to);
}

}  // namespace

Result<InstallFacts> InstallFacts::parse(const std::string& ngc, const std::string& pip,
                                         const std::string& conda, const std::string& companions,
                                         const std::string& find_links) {
  InstallFacts f;
  auto t1 = parse_csv(ngc, kNgcFile);
  if (!t1) return make_error(t1.error());
  if (Status s = parse_ngc(*t1, f.ngc_); !s) return make_error(s.error());
  auto t2 = parse_csv(pip, kPipFile);
  if (!t2) return make_error(t2.error());
  if (Status s = parse_pip(*t2, f.pip_); !s) return make_error(s.error());
  auto t3 = parse_csv(conda, kCondaFile);
  if (!t3) return make_error(t3.error());
  if (Status s = parse_conda(*t3, f.conda_); !s) return make_error(s.error());
  auto t4 = parse_csv(companions, kCompanionsFile);
  if (!t4) return make_error(t4.error());
  if (Status s = parse_companions(*t4, f.companions_); !s) return make_error(s.error());
  if (!find_links.empty()) {
    auto t5 = parse_csv(find_links, kFindLinksFile);
    if (!t5) return make_error(t5.error());
    if (Status s = parse_find_links(*t5, f.find_links_); !s) return make_error(s.error());
  }
  return f;
}

Result<std::shared_ptr<const InstallFacts>> InstallFacts::embedded() {
  static const Result<std::shared_ptr<const InstallFacts>> loaded =
      []() -> Result<std::shared_ptr<const InstallFacts>> {
    auto f = parse(embedded_text(kNgcFile), embedded_text(kPipFile), embedded_text(kCondaFile),
                   embedded_text(kCompanionsFile), embedded_text(kFindLinksFile));
    if (!f) return make_error(f.error());
    return std::shared_ptr<const InstallFacts>(std::make_shared<InstallFacts>(std::move(*f)));
  }();
  return loaded;
}

Result<std::shared_ptr<const InstallFacts>> InstallFacts::load_dir(const Host& host,
                                                                   const std::string& dir) {
  std::string texts[5];
  const char* names[5] = {kNgcFile, kPipFile, kCondaFile, kCompanionsFile, kFindLinksFile};
  for (int i = 0; i < 5; ++i) {
    auto t = host.read_file(path_join(dir, names[i]));
    if (!t) return make_error(path_join(dir, names[i]) + ": " + t.error());
    texts[i] = std::move(t).value();
  }
  auto f = parse(texts[0], texts[1], texts[2], texts[3], texts[4]);
  if (!f) return make_error(f.error());
  return std::shared_ptr<const InstallFacts>(std::make_shared<InstallFacts>(std::move(*f)));
}

const NgcPytorchImage* InstallFacts::ngc_image(const std::string& tag) const {
  for (const auto& i : ngc_)
    if (i.tag == tag) return &i;
  return nullptr;
}

const PageCompanions* InstallFacts::companions(const Pep440Version& torch) const {
  for (const auto& c : companions_)
    if (c.torch == torch.without_local()) return &c;
  return nullptr;
}

const PipCommandStyle* InstallFacts::pip_style(const Pep440Version& torch) const {
  for (const auto& s : pip_)
    if (in_range(torch, s.torch_from, s.torch_to)) return &s;
  return nullptr;
}

const CondaRecipe* InstallFacts::conda_recipe(const Pep440Version& torch,
                                              const std::string& variant, bool is_cuda) const {
  const CondaRecipe* generic = nullptr;
  for (const auto& c : conda_) {
    if (!in_range(torch, c.torch_from, c.torch_to)) continue;
    if (c.variant == variant) return &c;
    if (generic == nullptr &&
        ((is_cuda && c.variant == "cuda") || (!is_cuda && c.variant == variant)))
      generic = &c;
  }
  return generic;
}

}  // namespace cudafit
