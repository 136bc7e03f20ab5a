// `cudafit check` rules (see check.h).
#include "plan/check.h"

#include <algorithm>
#include <map>

#include "plan/check_torch.h"
#include "plan/docker.h"
#include "plan/package_check.h"
#include "util/strings.h"

namespace cudafit {
namespace {

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

// The published NGC PyTorch releases on either side of `tag` (a month NVIDIA skipped).
std::string published_neighbours(const InstallFacts& facts, const std::string& tag) {
  std::string before, after;
  for (const auto& i : facts.ngc_images()) {
    if (i.published != true) continue;
    if (i.tag < tag) before = i.tag;
    if (i.tag > tag && after.empty()) after = i.tag;
  }
  std::string out;
  for (const auto& t : {before, after}) {
    if (t.empty()) continue;
    out += (out.empty() ? "" : " or ") + ("nvcr.io/nvidia/pytorch:" + t + "-py3");
  }
  return out.empty() ? std::string() : "use a release NVIDIA published: " + out;
}

CheckItem check_image(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
                      const ImageRef& ref, const std::string& where) {
  CheckItem item;
  item.component = "image " + ref.text;
  item.where = where;
  ImageStack s = image_stack(ref, facts);
  TargetMachine inside = m;  // the image brings its own Python
  inside.python = Fact<std::string>::unknown("the image's own");
  if (s.ngc != nullptr && s.ngc->published == false) {
    // No such image to pull: a definite answer, not an unknown.
    item.result.verdict = Verdict::kNo;
    item.result.problems.push_back(s.note);
    item.result.why.push_back("source: " + s.ngc->from.source);
    item.fix = published_neighbours(facts, s.ngc->tag);
    return item;
  }
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

// The Python the wheels are chosen for: the target's; else the lower bound of the file's
// requires-python (where uv's resolution of the project starts), said as an assumption.
TargetMachine with_python(const TargetMachine& m, const RequirementSet& set,
                          std::vector<std::string>& notes) {
  TargetMachine out = m;
  if (set.requires_python.empty()) return out;
  auto spec = SpecifierSet::parse(set.requires_python);
  if (!spec) return out;
  const std::string rp =
      "requires-python " + set.requires_python + " (" + set.requires_python_where + ")";
  if (m.python.known()) {
    auto v = Pep440Version::parse(*m.python.value);
    if (v && !spec->contains(*v, true))
      notes.push_back("Python " + *m.python.value + " is outside " + rp +
                      ": pip and uv refuse to install the project there");
    return out;
  }
  std::optional<Pep440Version> low;
  for (const auto& sp : spec->specifiers()) {
    using Op = Specifier::Op;
    if (sp.op() != Op::kGreaterEqual && sp.op() != Op::kCompatible && sp.op() != Op::kEqual)
      continue;
    auto v = Pep440Version::parse(sp.version_text());
    if (v && (!low || *v > *low)) low = *v;
  }
  if (!low) return out;
  std::string py = std::to_string(low->component(0)) + "." + std::to_string(low->component(1));
  out.python = Fact<std::string>::of(py, rp);
  notes.push_back("Python " + py + " assumed: the lower bound of " + rp +
                  "; it decides which wheels are considered (--python to choose)");
  return out;
}

}  // namespace

int CheckReport::exit_code() const {
  for (const auto& i : items)
    if (!runs(i.result.verdict) && i.result.verdict != Verdict::kUnknown) return 1;
  return 0;
}

CheckReport check_requirements(const KnowledgeBase& kb, const InstallFacts& facts,
                               const TargetMachine& machine, const RequirementSet& set,
                               const CheckOptions& options) {
  CheckReport r;
  r.notes = set.notes;
  const Installer installer =
      options.tool ? *options.tool : (set.installer == "uv" ? Installer::kUv : Installer::kPip);
  if (!options.tool && !set.installer_why.empty())
    r.notes.push_back("judged as " + std::string(to_string(installer)) +
                      " would install it: " + set.installer_why + " (--tool pip|uv to choose)");
  IndexStrategy strategy = IndexStrategy::kFirstIndex;
  if (options.strategy) {
    strategy = *options.strategy;
  } else if (!set.index_strategy.empty()) {
    if (auto s = parse_index_strategy(set.index_strategy))
      strategy = *s;
    else
      r.notes.push_back("index strategy '" + set.index_strategy +
                        "' is not one uv has: judged as first-index");
  }
  const TargetMachine m = with_python(machine, set, r.notes);
  const auto env = marker_env(m);
  std::vector<const RequirementEntry*> reqs;
  for (const auto& e : set.requirements) {
    if (e.req.marker && m.python.known() && !e.req.markers_hold(env)) {
      r.notes.push_back(e.where + ": " + e.text + ": its marker does not hold here");
      continue;
    }
    if (!e.req.url.empty()) {
      r.notes.push_back(e.where + ": " + e.text + ": a direct URL: not checked");
      continue;
    }
    reqs.push_back(&e);
  }
  std::vector<RequirementEntry> kept;
  kept.reserve(reqs.size());
  for (const auto* e : reqs) kept.push_back(*e);
  const std::vector<TorchPin> pins = torch_pins(kb, kept);
  // torch pulled in by a pinned framework when the file does not name it.
  std::vector<RequirementEntry> torch_entries;
  for (const auto* e : reqs)
    if (e->req.normalized_name() == "torch") torch_entries.push_back(*e);
  if (torch_entries.empty() && !pins.empty()) {
    auto req = Requirement::parse("torch");
    if (req) {
      RequirementEntry implied{std::move(req).value(), "torch (required by " + pins[0].by + ")",
                               pins[0].by, "", ""};
      torch_entries.push_back(std::move(implied));
    }
  }
  ResolvedTorch resolved;
  for (const auto& e : torch_entries) {
    TorchJudgement t = check_torch(kb, facts, m, set, e, pins, installer, strategy, env);
    if (resolved.release == nullptr) resolved = t.resolved;
    r.items.push_back(std::move(t.item));
  }
  std::vector<std::string> plain;
  for (auto& item : check_packages(kb, facts, m, reqs, resolved, &plain))
    r.items.push_back(std::move(item));
  if (!plain.empty())
    r.notes.push_back("not judged (no GPU code cudafit knows of): " + join(plain, ", "));
  if (r.items.empty()) r.notes.push_back("no torch requirement to check");
  return r;
}

Result<CheckReport> check_target(const KnowledgeBase& kb, const InstallFacts& facts,
                                 const Host& files, const TargetMachine& m,
                                 const std::string& target, const CheckOptions& options) {
  if (files.is_file(target)) {
    std::string base = path_basename(target);
    auto text = files.read_file(target, 16u << 20);
    if (!text) return make_error(target + ": " + text.error());
    if (base == "pyproject.toml") {
      auto set = parse_pyproject(*text, target);
      if (!set) return make_error(set.error());
      return check_requirements(kb, facts, m, *set, options);
    }
    if (icontains(base, "dockerfile") || icontains(base, "containerfile")) {
      auto df = parse_dockerfile(*text, target);
      if (!df) return make_error(df.error());
      CheckReport r;
      for (const auto& f : df->froms)
        if (!f.from_stage) r.items.push_back(check_image(kb, facts, m, f.image, f.where));
      for (const auto& p : df->pip_installs) {
        TargetMachine inside = m;  // the image brings its own Python
        std::string py;
        for (int s = p.stage; s >= 0 && py.empty(); --s) {
          const DockerFrom& f = df->froms[static_cast<std::size_t>(s)];
          if (!f.from_stage) {
            py = image_python(f.image, facts);
            break;
          }
        }
        inside.python = py.empty() ? Fact<std::string>::unknown("the image's own")
                                   : Fact<std::string>::of(py, "the image");
        CheckReport sub = check_requirements(kb, facts, inside, p.set, options);
        for (auto& i : sub.items) r.items.push_back(std::move(i));
        for (auto& n : sub.notes)
          if (n != "no torch requirement to check") r.notes.push_back(p.where + ": " + n);
      }
      return r;
    }
    auto set = parse_requirements_txt(*text, target, &files);
    if (!set) return make_error(set.error());
    set->installer = "pip";
    set->installer_why = "a requirements file is pip's (`pip install -r`)";
    return check_requirements(kb, facts, m, *set, options);
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
    // A build named on the command line ("torch==2.3.1+cu121") is judged from the index that
    // serves its variant; a plain requirement from PyPI.
    for (const auto& sp : req->specifier.specifiers()) {
      auto v = Pep440Version::parse(sp.version_text());
      if (!v || v->local_str().empty()) continue;
      if (const TorchVariant* tv = kb.variant(v->without_local(), v->local_str()))
        set.index_url = tv->index_url;
    }
    set.requirements.push_back({std::move(req).value(), target, target, "", ""});
    return check_requirements(kb, facts, m, set, options);
  }
  auto ref = ImageRef::parse(target);
  if (!ref)
    return make_error(target + ": neither a file, a requirement nor an image: " + ref.error());
  CheckReport r;
  r.items.push_back(check_image(kb, facts, m, *ref, target));
  return r;
}

}  // namespace cudafit
