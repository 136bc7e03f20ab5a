// `check`'s torch item (see check_torch.h).
#include "plan/check_torch.h"

#include "plan/commands.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string installer_label(Installer i, IndexStrategy s) {
  if (i == Installer::kPip) return "pip";
  return "uv (" + std::string(to_string(s)) + ")";
}

struct Judged {
  IndexRoute route;
  Resolution res;
  BuildVerdict verdict;
  bool found() const {
    return res.outcome == Resolution::Outcome::kFound && res.build.variant != nullptr;
  }
};

Judged judge(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
             const RequirementSet& set, const RequirementEntry& e,
             const std::vector<TorchPin>& pins, Installer installer, IndexStrategy strategy,
             const std::map<std::string, std::string>& env) {
  Judged j;
  j.route = route_for(kb, facts, set, "torch", installer, env, e.extra, e.group, &m);
  if (!j.route.pinned.empty() && j.route.indexes.empty()) {
    j.res.outcome = Resolution::Outcome::kUnknown;
    j.verdict.verdict = Verdict::kUnknown;
    j.verdict.problems.push_back("uv takes torch from " + j.route.pinned +
                                 ", not from an index: not checked");
    return j;
  }
  ResolveRequest rq;
  rq.spec = e.req.specifier;
  rq.label = e.text;
  rq.installer = installer;
  rq.strategy = strategy;
  rq.platform = m.platform;
  if (m.python.known()) rq.python = *m.python.value;
  rq.admits = [&pins, &facts, &kb](const TorchRelease& r, std::string* why) {
    for (const auto& p : pins) {
      if (p.admits(kb, r, facts)) continue;
      if (why != nullptr) *why = p.by + " needs " + p.wants + " (" + p.rests_on + ")";
      return false;
    }
    return true;
  };
  j.res = resolve_torch(kb, j.route, rq);
  BuildVerdict& v = j.verdict;
  switch (j.res.outcome) {
    case Resolution::Outcome::kFound:
      if (j.res.build.variant == nullptr) {
        v.verdict = Verdict::kUnknown;
        v.problems.push_back("which build " + j.res.from.label() + " serves for " +
                             platform_words(m.platform) + " is not in the data");
      } else {
        v = verdict_for_build(kb, *j.res.build.variant, m);
        v.why.insert(v.why.begin(), e.text + " resolves to torch " + j.res.build.version.str() +
                                        ", the " + j.res.build.variant->variant + " build (" +
                                        j.res.build.variant->from.where() + "): " + j.res.how);
      }
      break;
    case Resolution::Outcome::kNone:
      v.verdict = Verdict::kNo;
      v.problems.push_back(installer_label(installer, j.route.strategy.value_or(strategy)) +
                           " installs nothing: " + j.res.problem);
      v.why.push_back(j.res.how);
      break;
    case Resolution::Outcome::kUnknown:
      v.verdict = Verdict::kUnknown;
      v.problems.push_back(j.res.problem);
      v.why.push_back(j.res.how);
      break;
  }
  for (const auto& p : pins)
    v.why.push_back(p.by + " narrows torch to " + p.wants + " (" + p.rests_on + ")");
  for (const auto& n : j.route.notes) v.why.push_back(n);
  for (const auto& c : j.res.caveats) v.caveats.push_back(c);
  return j;
}

bool same_build(const Judged& a, const Judged& b) {
  if (a.found() != b.found()) return false;
  if (!a.found()) return a.res.outcome == b.res.outcome;
  return a.res.build.release == b.res.build.release && a.res.build.variant == b.res.build.variant;
}

std::string summary(const Judged& j) {
  if (j.found()) return j.res.describe() + ": " + std::string(to_string(j.verdict.verdict));
  if (j.res.outcome == Resolution::Outcome::kNone) return "nothing (" + j.res.problem + ")";
  return "an unknown build (" + j.res.problem + ")";
}

std::string fix_for(const KnowledgeBase& kb, const InstallFacts& facts, const TargetMachine& m,
                    const SpecifierSet& spec, const std::string& label) {
  InstallPlan plan = choose_build(kb, m, spec, label, CompatPolicy::kDefault);
  if (!plan.found) {
    InstallPlan any = choose_build(kb, m, SpecifierSet(), "torch", CompatPolicy::kDefault);
    std::string s = plan.nothing_fits;
    if (any.found) s += "; newest that runs: " + install_commands(facts, any.chosen, {}, {}).pip;
    return s;
  }
  return "use torch " + plan.chosen.release->version.str() + " " + plan.chosen.variant->variant +
         ": " + install_commands(facts, plan.chosen, {}, {}).pip;
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

}  // namespace

TorchJudgement check_torch(const KnowledgeBase& kb, const InstallFacts& facts,
                           const TargetMachine& m, const RequirementSet& set,
                           const RequirementEntry& e, const std::vector<TorchPin>& pins,
                           Installer installer, IndexStrategy strategy,
                           const std::map<std::string, std::string>& env) {
  TorchJudgement out;
  CheckItem& item = out.item;
  item.where = e.where;
  Judged j = judge(kb, facts, m, set, e, pins, installer, strategy, env);
  // uv's --torch-backend searches its own way (IndexRoute::strategy).
  item.installer = installer_label(installer, j.route.strategy.value_or(strategy));
  item.component =
      j.found() ? "torch " + j.res.build.release->version.str() + " " + j.res.build.variant->variant
                : e.text;
  item.result = j.verdict;
  if (j.found()) {
    out.resolved.release = j.res.build.release;
    out.resolved.variant = j.res.build.variant;
    out.resolved.verdict = j.verdict;
  }
  // The other installer: uv's default strategy against pip, pip against uv.
  const Installer other_installer = installer == Installer::kPip ? Installer::kUv : Installer::kPip;
  // uv's strategy is the file's (or --index-strategy); pip has none.
  Judged other = judge(kb, facts, m, set, e, pins, other_installer, strategy, env);
  if (!same_build(j, other))
    item.other = installer_label(other_installer, other.route.strategy.value_or(strategy)) +
                 " would take " + summary(other);
  const bool runs_here = runs(item.result.verdict);
  // The --extra-index-url trap: pip pools the PyTorch index the file adds with PyPI, and PyPI's
  // build wins on version number.
  if (installer == Installer::kPip && j.found()) {
    for (const auto& ix : j.route.indexes) {
      if (ix.kind != TorchIndex::Kind::kVariant || ix.url == set.index_url ||
          ix.variant == j.res.build.variant->variant)
        continue;
      RequirementSet promoted = set;
      promoted.index_url = ix.url;
      std::erase(promoted.extra_index_urls, ix.url);
      Judged alone = judge(kb, facts, m, promoted, e, pins, Installer::kPip, strategy, env);
      if (!alone.found()) continue;
      std::string trap = "the --extra-index-url trap: pip does not prefer " + ix.url +
                         "; it takes the highest version on any index, and " + j.res.from.label() +
                         "'s torch " + j.res.build.version.str() + " (" +
                         j.res.build.variant->variant + ") is higher than that index's " +
                         alone.res.build.version.str();
      (runs_here ? item.result.caveats : item.result.problems).push_back(trap);
      if (!runs_here && runs(alone.verdict.verdict))
        item.fix = "use --index-url " + ix.url +
                   " instead of --extra-index-url: pip then installs " + summary(alone) +
                   " (or pin torch==" + alone.res.build.version.str() + ")";
      break;
    }
  }
  if (item.fix.empty() && !runs_here && item.result.verdict != Verdict::kUnknown)
    item.fix = fix_for(kb, facts, m, public_spec(e.req.specifier), e.text);
  return out;
}

}  // namespace cudafit
