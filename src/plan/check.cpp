// `cudafit check` rules (see check.h).
#include "plan/check.h"

#include <algorithm>
#include <map>

#include "plan/commands.h"
#include "plan/docker.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// PEP 508 marker environment of the target machine (what is known of it).
std::map<std::string, std::string> marker_env(const TargetMachine& m) {
  std::map<std::string, std::string> env;
  bool windows = m.os == Os::kWindows;
  env["sys_platform"] = windows ? "win32" : "linux";
  env["platform_system"] = windows ? "Windows" : "Linux";
  env["os_name"] = windows ? "nt" : "posix";
  env["platform_machine"] = m.platform == Platform::kLinuxAarch64 ? "aarch64"
                            : windows                             ? "AMD64"
                                                                  : "x86_64";
  env["implementation_name"] = "cpython";
  env["platform_python_implementation"] = "CPython";
  if (m.python.known()) {
    env["python_version"] = *m.python.value;
    env["python_full_version"] = *m.python.value + ".0";
  }
  return env;
}

// "==2.3.1+cu121" -> "==2.3.1" (the release, any variant).
SpecifierSet public_spec(const SpecifierSet& s) {
  std::vector<std::string> parts;
  for (const auto& sp : s.specifiers()) {
    std::string t = sp.str();
    if (auto plus = t.find('+'); plus != std::string::npos) t = t.substr(0, plus);
    parts.push_back(t);
  }
  auto parsed = SpecifierSet::parse(join(parts, ","));
  return parsed ? *parsed : SpecifierSet();
}

std::string local_variant(const SpecifierSet& s) {
  for (const auto& sp : s.specifiers()) {
    if (sp.op() != Specifier::Op::kEqual && sp.op() != Specifier::Op::kArbitrary) continue;
    auto v = Pep440Version::parse(sp.version_text());
    if (v && !v->local_str().empty()) return v->local_str();
  }
  return {};
}

// The variant an index URL serves ("https://download.pytorch.org/whl/cu121" -> "cu121").
std::string variant_of_index(const KnowledgeBase& kb, const std::string& url) {
  std::string want = strip_slash(url);
  for (const auto& v : kb.torch_variants())
    if (!v.index_url.empty() && strip_slash(v.index_url) == want) return v.variant;
  return {};
}

std::string fix_for(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
                    const SpecifierSet& spec, const std::string& label) {
  InstallPlan plan = choose_build(kb, m, spec, label, CompatPolicy::kDefault);
  if (!plan.found) {
    InstallPlan any = choose_build(kb, m, SpecifierSet(), "torch", CompatPolicy::kDefault);
    std::string s = plan.nothing_fits;
    if (any.found) {
      s += "; newest that runs: " + install_commands(facts, any.chosen, {}, {}).pip;
    }
    return s;
  }
  return "use torch " + plan.chosen.release->version.str() + " " + plan.chosen.variant->variant +
         ": " + install_commands(facts, plan.chosen, {}, {}).pip;
}

CheckItem check_torch(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
                      const RequirementEntry& e, const RequirementSet& set) {
  CheckItem item;
  item.where = e.where;
  const SpecifierSet& spec = e.req.specifier;
  // Which release pip would take: the newest matching one in the KB (whose versions carry no
  // local part: "==2.3.1+cu121" picks the release 2.3.1, the local part picks the variant).
  const SpecifierSet release_spec = public_spec(spec);
  const TorchRelease* rel = nullptr;
  const auto& releases = kb.torch_releases();
  for (auto it = releases.rbegin(); it != releases.rend(); ++it)
    if (release_spec.contains(it->version)) {
      rel = &*it;
      break;
    }
  item.component = e.text;
  if (rel == nullptr) {
    item.result.verdict = Verdict::kNo;
    item.result.problems.push_back("no torch release in the knowledge base matches " + e.text);
    return item;
  }
  // Which variant: the local version, else the index, else the PyPI default.
  std::string variant = local_variant(spec);
  std::string how = "its local version";
  if (variant.empty() && !set.index_url.empty()) {
    variant = variant_of_index(kb, set.index_url);
    how = "--index-url " + set.index_url;
    if (variant.empty()) {
      item.result.verdict = Verdict::kUnknown;
      item.result.problems.push_back("the index " + set.index_url +
                                     " is not a PyTorch index cudafit knows");
      return item;
    }
  }
  if (variant.empty()) {
    for (const auto& u : set.extra_index_urls) {
      std::string v = variant_of_index(kb, u);
      if (v.empty()) continue;
      // pip takes the highest version from any index: the local "+cuXXX" build sorts above.
      variant = v;
      how = "--extra-index-url " + u;
    }
  }
  if (variant.empty()) {
    if (m.os == Os::kWindows) {
      variant = "cpu";
      how = "PyPI (Windows wheels on PyPI are the CPU build)";
    } else {
      variant = rel->pypi_default_variant;
      how = "PyPI (" + rel->from.where() + ")";
      if (m.platform == Platform::kLinuxAarch64) {
        item.result.verdict = Verdict::kUnknown;
        item.result.problems.push_back(
            "which build PyPI serves for Linux aarch64 is not in the knowledge base");
        return item;
      }
    }
  }
  const TorchVariant* v = kb.variant(rel->version, variant);
  item.component = "torch " + rel->version.str() + " " + variant;
  if (v == nullptr) {
    item.result.verdict = Verdict::kNo;
    item.result.problems.push_back("torch " + rel->version.str() + " has no " + variant + " build");
  } else {
    item.result = verdict_for_build(kb, *v, m);
    item.result.why.insert(item.result.why.begin(),
                           e.text + " resolves to torch " + rel->version.str() + " " + variant +
                               " (the newest matching release, from " + how + ")");
  }
  if (!runs(item.result.verdict) && item.result.verdict != Verdict::kUnknown)
    item.fix = fix_for(kb, facts, m, public_spec(spec), e.text);
  return item;
}

CheckItem check_image(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
                      const ImageRef& ref, const std::string& where) {
  CheckItem item;
  item.component = "image " + ref.text;
  item.where = where;
  ImageStack s = image_stack(ref, facts);
  TargetMachine inside = m;  // the image brings its own Python
  inside.python = Fact<std::string>::unknown("the image's own");
  if (!s.cuda) {
    item.result.verdict = Verdict::kUnknown;
    item.result.problems.push_back(s.note.empty() ? "CUDA version of the image unknown" : s.note);
    return item;
  }
  const TorchVariant* v = s.torch ? kb.variant(*s.torch, s.cuda->variant()) : nullptr;
  if (v != nullptr && s.kind == ImageStack::Kind::kPytorch) {
    item.result = verdict_for_build(kb, *v, inside);
  } else {
    item.result = verdict_for_cuda(kb, *s.cuda, inside);
  }
  item.result.why.insert(
      item.result.why.begin(),
      "the image carries CUDA " + s.cuda->str() +
          (s.torch ? " and torch " + s.torch->str() : std::string()) +
          (s.ngc ? " (" + s.ngc->from.where() + ")" : std::string(" (its tag)")));
  if (s.ngc != nullptr && s.ngc->driver_branch)
    item.result.why.push_back("NVIDIA's release notes for it ask for driver release " +
                              std::to_string(*s.ngc->driver_branch) + " or later (" +
                              s.ngc->from.where() + ")");
  if (!runs(item.result.verdict) && item.result.verdict != Verdict::kUnknown && m.driver.known()) {
    auto best = kb.highest_cuda_for_driver(*m.driver.value, m.os);
    item.fix = best ? "driver " + m.driver.value->str() + " runs CUDA up to " + best->str() +
                          ": use an image built for CUDA " + best->str() +
                          " or older, or upgrade the driver"
                    : "upgrade the driver";
  }
  return item;
}

}  // namespace

int CheckReport::exit_code() const {
  for (const auto& i : items)
    if (!runs(i.result.verdict) && i.result.verdict != Verdict::kUnknown) return 1;
  return 0;
}

CheckReport check_requirements(const KnowledgeBase& kb, const InstallFacts& facts,
                               const TargetMachine& m, const RequirementSet& set) {
  CheckReport r;
  r.notes = set.notes;
  auto env = marker_env(m);
  for (const auto& e : set.requirements) {
    std::string name = e.req.normalized_name();
    if (name != "torch") continue;
    if (e.req.marker && m.python.known() && !e.req.markers_hold(env)) {
      r.notes.push_back(e.where + ": " + e.text + ": its marker does not hold here");
      continue;
    }
    if (!e.req.url.empty()) {
      r.notes.push_back(e.where + ": " + e.text + ": a direct URL: not checked");
      continue;
    }
    r.items.push_back(check_torch(kb, facts, m, e, set));
  }
  if (r.items.empty()) r.notes.push_back("no torch requirement to check");
  return r;
}

Result<CheckReport> check_target(const KnowledgeBase& kb, const InstallFacts& facts,
                                 const Host& files, const TargetMachine& m,
                                 const std::string& target) {
  if (files.is_file(target)) {
    std::string base = path_basename(target);
    auto text = files.read_file(target, 16u << 20);
    if (!text) return make_error(target + ": " + text.error());
    if (base == "pyproject.toml") {
      auto set = parse_pyproject(*text, target);
      if (!set) return make_error(set.error());
      return check_requirements(kb, facts, m, *set);
    }
    if (icontains(base, "dockerfile") || icontains(base, "containerfile")) {
      auto df = parse_dockerfile(*text, target);
      if (!df) return make_error(df.error());
      CheckReport r;
      for (const auto& f : df->froms)
        if (!f.from_stage) r.items.push_back(check_image(kb, facts, m, f.image, f.where));
      for (const auto& p : df->pip_installs) {
        TargetMachine inside = m;
        inside.python = Fact<std::string>::unknown("the image's own");
        CheckReport sub = check_requirements(kb, facts, inside, p.set);
        for (auto& i : sub.items) r.items.push_back(std::move(i));
        for (auto& n : sub.notes)
          if (n != "no torch requirement to check") r.notes.push_back(std::move(n));
      }
      return r;
    }
    auto set = parse_requirements_txt(*text, target, &files);
    if (!set) return make_error(set.error());
    return check_requirements(kb, facts, m, *set);
  }
  std::string base = path_basename(target);
  if (ends_with(base, ".txt") || ends_with(base, ".toml") || ends_with(base, ".in") ||
      icontains(base, "dockerfile") || icontains(base, "containerfile"))
    return make_error(target + ": no such file");
  bool requirement_like =
      target.find_first_of("=<>~! ;[") != std::string::npos ||
      (target.find('/') == std::string::npos && target.find(':') == std::string::npos);
  if (requirement_like) {
    auto req = Requirement::parse(target);
    if (!req) return make_error(target + ": " + req.error());
    RequirementSet set;
    set.requirements.push_back({std::move(req).value(), target, target});
    return check_requirements(kb, facts, m, set);
  }
  auto ref = ImageRef::parse(target);
  if (!ref)
    return make_error(target + ": neither a file, a requirement nor an image: " + ref.error());
  CheckReport r;
  r.items.push_back(check_image(kb, facts, m, *ref, target));
  return r;
}

}  // namespace cudafit
