// The packages beside torch (see package_check.h).
#include "plan/package_check.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "kb/framework_rows.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string at(const Provenance& p) { return " (" + p.where() + ")"; }

bool is_companion(const std::string& name) { return name == "torchvision" || name == "torchaudio"; }

// frameworks.csv's header: "vllm and xformers (the torch they pin)".
bool pins_torch(const std::string& name) { return name == "xformers" || name == "vllm"; }

bool same(const CudaVersion& a, const CudaVersion& b) { return (a <=> b) == 0; }

void merge(BuildVerdict& into, const BuildVerdict& from) {
  into.verdict = worst(into.verdict, from.verdict);
  for (const auto& s : from.why) into.why.push_back(s);
  for (const auto& s : from.problems) into.problems.push_back(s);
  for (const auto& s : from.caveats) into.caveats.push_back(s);
  if (into.needs_package.empty()) into.needs_package = from.needs_package;
}

std::vector<const FrameworkRequirement*> rows_of(const KnowledgeBase& kb, const std::string& name) {
  std::vector<const FrameworkRequirement*> out;
  for (const auto& r : kb.frameworks())
    if (normalize_package_name(r.framework) == name) out.push_back(&r);
  return out;
}

std::optional<Pep440Version> pinned_version(const Requirement& r) {
  const auto& specs = r.specifier.specifiers();
  if (specs.size() != 1 || specs[0].wildcard()) return std::nullopt;
  if (specs[0].op() != Specifier::Op::kEqual && specs[0].op() != Specifier::Op::kArbitrary)
    return std::nullopt;
  auto v = Pep440Version::parse(specs[0].version_text());
  if (!v) return std::nullopt;
  return *v;
}

// The torch a companion release requires, from its own METADATA (torch-companion-releases.csv):
// nullopt when not read; an empty set when it requires any torch or none.
std::optional<SpecifierSet> companion_torch_requirement(const CompanionRelease& c) {
  if (c.torch_requirement.empty()) return std::nullopt;
  if (c.torch_requirement == "none") return SpecifierSet();
  auto req = Requirement::parse(c.torch_requirement);
  if (!req) return std::nullopt;
  return req->specifier;
}

// The companion release pip takes beside torch `r`: the newest one (not yanked) that `spec`
// allows, whose torch requirement admits `r` and whose Requires-Python admits `python`. Where
// a release's requirement was not read, the pairing of torch-releases.csv / torch-companions.csv
// stands in.
struct CompanionPick {
  std::optional<Pep440Version> version;
  std::string why;
  bool unconstrained = false;  // its metadata requires no torch: pip takes it beside any
};

CompanionPick pick_companion(const KnowledgeBase& kb, const InstallFacts& facts,
                             const std::string& name, const SpecifierSet& spec,
                             const TorchRelease& r, const std::string& python) {
  CompanionPick pick;
  auto releases = kb.companion_releases_of(name);
  auto py = Pep440Version::parse(python);
  for (auto it = releases.rbegin(); it != releases.rend(); ++it) {
    const CompanionRelease& c = **it;
    if (c.yanked || !spec.contains(c.version)) continue;
    if (py && !c.requires_python.empty()) {
      auto rp = SpecifierSet::parse(c.requires_python);
      if (rp && !rp->contains(*py, true)) continue;
    }
    auto need = companion_torch_requirement(c);
    if (!need) continue;
    if (!need->contains(r.version)) continue;
    pick.version = c.version;
    pick.unconstrained = c.torch_requirement == "none";
    pick.why = name + " " + c.version.str() + " is the newest " + name +
               " whose torch requirement (" + c.torch_requirement + ") admits torch " +
               r.version.str() + " (" + c.from.where() + ")";
    return pick;
  }
  const auto& own = name == "torchvision" ? r.torchvision : r.torchaudio;
  std::optional<Pep440Version> paired = own;
  std::string from = r.from.where();
  if (!paired) {
    if (const PageCompanions* c = facts.companions(r.version)) {
      auto v = Pep440Version::parse(name == "torchvision" ? c->torchvision : c->torchaudio);
      if (v) paired = *v;
      from = c->from.where();
    }
  }
  if (paired && spec.contains(*paired, true)) {
    pick.version = paired;
    pick.why = name + " " + paired->str() + " is the release paired with torch " + r.version.str() +
               " (" + from + ")";
  }
  return pick;
}

// Which version of a framework pip would take, and the rows that cover it.
struct Choice {
  Pep440Version version;
  std::string assumed;  // "" when the file pins it
  std::vector<const FrameworkRequirement*> rows;
};

std::optional<Choice> choose_version(const std::vector<const FrameworkRequirement*>& rows,
                                     const RequirementEntry& e, const std::string& name,
                                     const ResolvedTorch& torch) {
  Choice c;
  if (auto pin = pinned_version(e.req)) {
    c.version = *pin;
  } else {
    const FrameworkRequirement* best = nullptr;
    std::optional<Pep440Version> best_v;
    for (const auto* r : rows) {
      auto top = framework_row_top(r->version);
      if (!top || !e.req.specifier.contains(*top)) continue;
      if (pins_torch(name) && torch.release != nullptr) {
        auto torch_pin = framework_torch_pin(*r);
        if (!torch_pin || !torch_pin->contains(torch.release->version)) continue;
      }
      if (!best_v || *top > *best_v) {
        best = r;
        best_v = top;
      }
    }
    if (best == nullptr) return std::nullopt;
    c.version = *best_v;
    c.assumed = "assumed " + name + " " + best_v->str() + ", the newest in the data that fits" +
                (torch.release != nullptr ? " torch " + torch.release->version.str() : "") +
                at(best->from);
  }
  for (const auto* r : rows)
    if (framework_row_matches(r->version, c.version)) c.rows.push_back(r);
  if (c.rows.empty()) return std::nullopt;
  return c;
}

bool looks_gpu(const Requirement& r, const std::string& name) {
  auto has = [&](std::string_view s) { return name.find(s) != std::string::npos; };
  if (starts_with(name, "nvidia-") || has("cuda") || has("cudnn") || has("gpu") ||
      has("tensorrt") || has("triton"))
    return true;
  for (std::size_t i = 0; i + 3 < name.size(); ++i)  // "-cu121", "spconv-cu118"
    if (name.compare(i, 3, "-cu") == 0 && std::isdigit(static_cast<unsigned char>(name[i + 3])))
      return true;
  return std::any_of(r.extras.begin(), r.extras.end(), [](const std::string& x) {
    return to_lower(x).find("cuda") != std::string::npos;
  });
}

// "cuda12" (jax[cuda12]), "cupy-cuda12x", "cupy-cuda102" -> the CUDA major.
int cuda_major_in(const std::string& text) {
  auto p = text.find("cuda");
  if (p == std::string::npos) return 0;
  std::string digits;
  for (std::size_t i = p + 4; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
       ++i)
    digits += text[i];
  if (digits.size() >= 3) digits = digits.substr(0, digits.size() - 1);  // 102 -> 10
  auto n = parse_uint(digits);
  return n && *n > 0 && *n < 100 ? static_cast<int>(*n) : 0;
}

CheckItem not_judged(const RequirementEntry& e, const std::string& why) {
  CheckItem item;
  item.component = e.text;
  item.where = e.where;
  item.result.verdict = Verdict::kUnknown;
  item.result.problems.push_back("not judged: " + why);
  return item;
}

CheckItem check_companion(const KnowledgeBase& kb, const InstallFacts& facts,
                          const TargetMachine& m, const RequirementEntry& e,
                          const std::string& name, const ResolvedTorch& torch) {
  if (torch.release == nullptr) return not_judged(e, "the torch it goes with did not resolve");
  const std::string python = m.python.known() ? *m.python.value : std::string();
  CompanionPick pick = pick_companion(kb, facts, name, e.req.specifier, *torch.release, python);
  if (!pick.version) {
    if (e.req.specifier.empty())
      return not_judged(
          e, "no " + name + " release in the data goes with torch " + torch.release->version.str());
    CheckItem item;
    item.component = e.text;
    item.where = e.where;
    item.result.verdict = Verdict::kNo;
    item.result.problems.push_back("no " + e.text + " release admits torch " +
                                   torch.release->version.str() +
                                   " (torch-companion-releases.csv): pip cannot install both");
    return item;
  }
  CheckItem item;
  item.where = e.where;
  std::string variant =
      torch.variant != nullptr && !pick.unconstrained ? " " + torch.variant->variant : "";
  item.component = name + " " + pick.version->str() + variant;
  // The same build as torch's: it runs where torch runs, for the same reasons.
  item.result.verdict = torch.verdict.verdict;
  item.result.problems = torch.verdict.problems;
  item.result.caveats = torch.verdict.caveats;
  item.result.needs_package = torch.verdict.needs_package;
  item.result.why.push_back(pick.why + (pick.unconstrained
                                            ? std::string()
                                            : "; its" + variant +
                                                  " build comes from torch's index, so it runs "
                                                  "where torch does"));
  const auto& paired =
      name == "torchvision" ? torch.release->torchvision : torch.release->torchaudio;
  if (pick.unconstrained && (!paired || *paired != *pick.version)) {
    item.result.verdict = worst(item.result.verdict, Verdict::kUnknown);
    item.result.caveats.push_back(name + " " + pick.version->str() +
                                  " declares no torch requirement, so pip takes it " +
                                  "beside any torch; whether it loads with torch " +
                                  torch.release->version.str() + " is not in the data" +
                                  (paired ? " (the " + name + " released with it is " +
                                                paired->str() + at(torch.release->from) + ")"
                                          : std::string()));
  }
  return item;
}

BuildVerdict cuda_part(const KnowledgeBase& kb, const TargetMachine& m, const std::string& label,
                       const FrameworkRequirement& row, const ResolvedTorch& torch,
                       const std::string& name) {
  BuildVerdict v;
  const std::optional<CudaVersion> torch_cuda =
      torch.variant != nullptr ? torch.variant->cuda : std::nullopt;
  auto judge = [&](const CudaVersion& cuda, const std::string& why) {
    // An update whose minimum driver the data lacks (12.3.2) is judged by its GA release.
    CudaVersion judged = cuda;
    if (!minimum_driver_for(kb, cuda, m.os))
      if (auto ga = CudaVersion(cuda.major(), cuda.minor(), 0); minimum_driver_for(kb, ga, m.os))
        judged = ga;
    BuildVerdict d = verdict_for_cuda(kb, judged, m);
    d.why.insert(d.why.begin(), why);
    if (!same(judged, cuda))
      d.why.insert(d.why.begin() + 1, "the minimum driver of CUDA " + cuda.str() +
                                          " is not in the data: judged by CUDA " + judged.str());
    merge(v, d);
  };
  if (name == "xformers") {
    std::vector<std::string> variants;
    for (auto w : split_ws(row.cuda))
      if (starts_with(w, "cu")) variants.emplace_back(w);
    if (variants.empty()) return v;
    if (torch.variant != nullptr &&
        std::find(variants.begin(), variants.end(), torch.variant->variant) != variants.end()) {
      if (torch_cuda)
        judge(*torch_cuda,
              label + " has a " + torch.variant->variant + " build, like torch" + at(row.from));
      return v;
    }
    v.caveats.push_back(label + " is built for " + join(variants, ", ") + at(row.from) +
                        (torch.variant != nullptr ? ", torch is " + torch.variant->variant : "") +
                        ": its CUDA extensions may not load ('xFormers was built for ...')");
    return v;
  }
  if (name == "triton") return v;  // torch pins it; it brings its own ptxas
  std::vector<CudaBuildRange> builds = framework_cuda_builds(row.cuda);
  if (name == "flash-attn" || name == "bitsandbytes") {
    if (builds.empty()) return v;
    if (!torch_cuda) {
      v.caveats.push_back(label + " has builds for CUDA " + row.cuda + at(row.from) +
                          "; which one it loads follows torch's CUDA, which is unknown");
      return v;
    }
    // bitsandbytes: "highest packaged <= runtime within same major, else lowest > runtime same
    // major; no cross-major fallback" (its row); flash-attn's setup.py picks the wheel of
    // torch's CUDA major.
    std::optional<CudaVersion> pick;
    const CudaVersion want = torch_cuda->major_minor_only();
    for (const auto& b : builds) {
      if (b.lo.major() != want.major()) continue;
      if (b.lo.major_minor_only() <= want && want <= b.hi.major_minor_only()) {
        CudaVersion exact = same(b.lo.major_minor_only(), want)   ? b.lo
                            : same(b.hi.major_minor_only(), want) ? b.hi
                                                                  : want;
        if (!pick || exact > *pick) pick = exact;  // a build of torch's own CUDA
      }
    }
    if (!pick)
      for (const auto& b : builds)
        if (b.hi.major() == want.major() && b.hi <= want && (!pick || b.hi > *pick)) pick = b.hi;
    if (!pick)
      for (const auto& b : builds)
        if (b.lo.major() == want.major() && (!pick || b.lo < *pick)) pick = b.lo;
    if (!pick) {
      if (name == "bitsandbytes") {
        v.verdict = Verdict::kNo;
        v.problems.push_back(label + " has no build for CUDA " +
                             std::to_string(torch_cuda->major()) + ".x, torch's" + at(row.from));
      } else {
        v.verdict = Verdict::kUnknown;
        v.caveats.push_back("no prebuilt " + label + " wheel for CUDA " +
                            std::to_string(torch_cuda->major()) + at(row.from) +
                            ": pip builds it from source (needs nvcc and the CUDA toolkit)");
      }
      return v;
    }
    judge(*pick, label + (name == "bitsandbytes" ? " loads its CUDA " : " installs its CUDA ") +
                     pick->str() + " build for torch's CUDA " + torch_cuda->str() + at(row.from));
    return v;
  }
  auto cuda = CudaVersion::parse(first_version_in(row.cuda));
  if (cuda && !row.cuda.empty())
    judge(*cuda, label + " is built with CUDA " + cuda->str() + at(row.from));
  return v;
}

CheckItem check_framework(const KnowledgeBase& kb, const TargetMachine& m,
                          const RequirementEntry& e, const std::string& name,
                          const std::vector<const FrameworkRequirement*>& rows,
                          const ResolvedTorch& torch) {
  auto choice = choose_version(rows, e, name, torch);
  if (!choice)
    return not_judged(e, "no row of frameworks.csv covers " + e.text + " (" +
                             std::to_string(rows.size()) + " rows for " + name + ")");
  const std::string label = name + " " + choice->version.str();
  CheckItem item;
  item.component = label;
  item.where = e.where;
  BuildVerdict& v = item.result;
  if (!choice->assumed.empty()) v.why.push_back(choice->assumed);
  const FrameworkRequirement& row = *choice->rows.front();
  if (pins_torch(name)) {
    auto pin = framework_torch_pin(row);
    if (pin && torch.release != nullptr) {
      if (!pin->contains(torch.release->version)) {
        v.verdict = Verdict::kNo;
        v.problems.push_back(label + " requires torch" + pin->str() + at(row.from) +
                             "; the file's torch resolves to " + torch.release->version.str() +
                             ": pip cannot install both");
      } else {
        v.why.push_back(label + " requires torch" + pin->str() + at(row.from) + ": torch " +
                        torch.release->version.str() + " fits");
      }
    } else if (pin) {
      v.why.push_back(label + " requires torch" + pin->str() + at(row.from));
    }
    if (row.torch.find(';') != std::string::npos && m.platform != Platform::kLinuxX86_64)
      v.caveats.push_back("its torch pin differs by platform: " + row.torch + at(row.from));
  }
  if (name == "flash-attn" && torch.release != nullptr) {
    bool prebuilt = false;
    for (auto w : split_ws(row.torch)) {
      auto t = Pep440Version::parse(w);
      prebuilt = prebuilt || (t && t->component(0) == torch.release->version.component(0) &&
                              t->component(1) == torch.release->version.component(1));
    }
    if (prebuilt) {
      v.why.push_back(label + " has prebuilt wheels for torch " + torch.release->version.str() +
                      at(row.from));
    } else {
      v.verdict = worst(v.verdict, Verdict::kUnknown);
      v.caveats.push_back(label + " has prebuilt wheels for torch " + row.torch + at(row.from) +
                          ", not " + torch.release->version.str() +
                          ": pip builds it from source (needs nvcc and the CUDA toolkit)");
    }
  }
  if (name == "triton" && torch.release != nullptr) {
    for (const auto& r : kb.frameworks()) {
      if (r.framework != "triton" || first_version_in(r.torch) != torch.release->version.str())
        continue;
      auto want = Pep440Version::parse(r.version);
      if (want && !e.req.specifier.contains(*want, true)) {
        v.verdict = Verdict::kNo;
        v.problems.push_back("torch " + torch.release->version.str() + " requires triton==" +
                             r.version + at(r.from) + ": " + e.text + " conflicts");
      } else if (want) {
        item.component = "triton " + want->str();
        v.why.push_back("torch " + torch.release->version.str() + " requires triton==" + r.version +
                        at(r.from));
      }
    }
  }
  merge(v, cuda_part(kb, m, label, row, torch, name));
  for (const auto* r : choice->rows) {
    if (auto cc = framework_min_cc(*r)) {
      for (const auto& g : m.gpus) {
        if (g.cc.plain() >= cc->plain()) continue;
        v.verdict = Verdict::kNo;
        v.problems.push_back(label + " needs compute capability " + cc->str() + " or newer" +
                             at(r->from) + "; " + g.name + " is " + g.cc.sm());
      }
      break;
    }
  }
  if (auto list = framework_arch_list(row); list && !m.gpus.empty() && m.gpus_known) {
    std::optional<CudaVersion> cuda = torch.variant != nullptr ? torch.variant->cuda : std::nullopt;
    if (cuda) merge(v, arch_verdict(kb, *cuda, &*list, m, label));
  }
  if (v.why.empty() && v.problems.empty())
    v.why.push_back(label + ": " + row.framework + " " + row.version + at(row.from));
  return item;
}

CheckItem check_cuda_major(const KnowledgeBase& kb, const TargetMachine& m,
                           const RequirementEntry& e, int major, const std::string& how) {
  CheckItem item;
  item.component = e.text;
  item.where = e.where;
  item.result = verdict_for_cuda(kb, CudaVersion(major, 0), m);
  item.result.why.insert(item.result.why.begin(), how + " says CUDA " + std::to_string(major) +
                                                      ".x: judged as CUDA " +
                                                      std::to_string(major) + ".0");
  return item;
}

}  // namespace

bool TorchPin::admits(const KnowledgeBase& kb, const TorchRelease& r,
                      const InstallFacts& facts) const {
  if (companion.empty()) return torch_spec.contains(r.version);
  return pick_companion(kb, facts, companion, companion_spec, r, "").version.has_value();
}

std::vector<TorchPin> torch_pins(const KnowledgeBase& kb,
                                 const std::vector<RequirementEntry>& reqs) {
  std::vector<TorchPin> out;
  for (const auto& e : reqs) {
    const std::string name = e.req.normalized_name();
    const std::string by = e.text + " (" + e.where + ")";
    if (is_companion(name) && !e.req.specifier.empty()) {
      TorchPin p;
      p.by = by;
      p.rests_on = "torch-companion-releases.csv";
      p.wants = "a torch that " + e.text + " admits";
      p.companion = name;
      p.companion_spec = e.req.specifier;
      out.push_back(std::move(p));
      continue;
    }
    if (!pins_torch(name)) continue;
    auto pin = pinned_version(e.req);
    if (!pin) continue;
    for (const auto* row : rows_of(kb, name)) {
      if (!framework_row_matches(row->version, *pin)) continue;
      auto spec = framework_torch_pin(*row);
      if (!spec) break;
      TorchPin p;
      p.by = by;
      p.rests_on = row->from.where();
      p.wants = "torch" + spec->str();
      p.torch_spec = *spec;
      out.push_back(std::move(p));
      break;
    }
  }
  return out;
}

std::vector<CheckItem> check_packages(const KnowledgeBase& kb, const InstallFacts& facts,
                                      const TargetMachine& m,
                                      const std::vector<const RequirementEntry*>& reqs,
                                      const ResolvedTorch& torch, std::vector<std::string>* plain) {
  std::vector<CheckItem> items;
  for (const RequirementEntry* e : reqs) {
    const std::string name = e->req.normalized_name();
    if (name == "torch") continue;
    if (is_companion(name)) {
      items.push_back(check_companion(kb, facts, m, *e, name, torch));
      continue;
    }
    int major = 0;
    std::string how;
    for (const auto& x : e->req.extras)
      if ((major = cuda_major_in(to_lower(x))) != 0) {
        how = "the extra [" + x + "]";
        break;
      }
    if (major == 0 && starts_with(name, "cupy-cuda")) {
      major = cuda_major_in(name);
      how = "the package name " + name;
    }
    if (major != 0) {
      items.push_back(check_cuda_major(kb, m, *e, major, how));
      continue;
    }
    auto rows = rows_of(kb, name);
    if (!rows.empty()) {
      items.push_back(check_framework(kb, m, *e, name, rows, torch));
    } else if (looks_gpu(e->req, name)) {
      items.push_back(not_judged(*e, "no data for " + name + " (frameworks.csv has no rows)"));
    } else if (plain != nullptr) {
      plain->push_back(e->text);
    }
  }
  return items;
}

}  // namespace cudafit
