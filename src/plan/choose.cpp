// The choosing rules of `cudafit install` (see choose.h).
#include "plan/choose.h"

#include <algorithm>

#include "plan/companions.h"
#include "util/strings.h"
#include "verdict/python_wheels.h"

namespace cudafit {
namespace {

bool is_candidate(const TorchVariant& v, const TargetMachine& m) {
  if (!v.rocm.empty()) return false;  // NVIDIA machines only
  if (m.no_gpu || m.no_driver) return !v.is_cuda();
  return v.is_cuda();
}

bool acceptable(Verdict v, CompatPolicy policy) {
  if (runs(v)) return true;
  return policy == CompatPolicy::kForward && v == Verdict::kNeedsForwardCompat;
}

// Whether the machine's Python is known to have a wheel of `v` (true when the Python itself is
// unknown: then nothing is filtered, and the machine's assumptions say so).
bool python_known_ok(const KnowledgeBase& kb, const TorchVariant& v, const TargetMachine& m) {
  if (!m.python.known()) return true;
  return python_wheel_for(kb, v, m.platform, *m.python.value).fit != PythonFit::kUnknown;
}

}  // namespace

PlannedBuild best_variant_of(const KnowledgeBase& kb, const TargetMachine& m,
                             const TorchRelease& release, CompatPolicy policy,
                             std::vector<PlannedBuild>* evaluated, bool python_unknown_ok) {
  std::vector<PlannedBuild> all;
  for (const TorchVariant* v : kb.variants_of(release.version)) {
    if (!is_candidate(*v, m)) continue;
    if (!python_unknown_ok && !python_known_ok(kb, *v, m)) continue;
    all.push_back({&release, v, verdict_for_build(kb, *v, m)});
  }
  // Highest CUDA first.
  std::stable_sort(all.begin(), all.end(), [](const PlannedBuild& a, const PlannedBuild& b) {
    if (a.variant->cuda && b.variant->cuda) return *a.variant->cuda > *b.variant->cuda;
    return false;
  });
  PlannedBuild pick;
  // The driver unknown: the PyPI default variant is the safest pick (what plain pip gets).
  if (!m.driver.known() && !m.no_driver) {
    for (const auto& b : all)
      if (b.variant->status == "default-pypi" && runs(b.verdict.verdict)) pick = b;
  }
  if (pick.variant == nullptr && policy == CompatPolicy::kDefault) {
    for (const auto& b : all)
      if (b.verdict.verdict == Verdict::kOk) {
        pick = b;
        break;
      }
  }
  if (pick.variant == nullptr) {
    for (const auto& b : all)
      if (acceptable(b.verdict.verdict, policy)) {
        pick = b;
        break;
      }
  }
  if (evaluated != nullptr) *evaluated = std::move(all);
  return pick;
}

InstallPlan choose_build(const KnowledgeBase& kb, const TargetMachine& m, const SpecifierSet& spec,
                         const std::string& label, CompatPolicy policy,
                         const std::vector<CompanionPin>& pins) {
  InstallPlan plan;
  const auto& releases = kb.torch_releases();
  // A companion pin admits the releases whose companion satisfies it; one whose companion
  // version is not in the data cannot be shown to, so it is left out.
  auto companions_fit = [&](const TorchRelease& r) {
    for (const auto& pin : pins) {
      auto v = companion_for(kb, nullptr, r, pin.name).version;
      if (!v || !pin.spec.contains(*v)) return false;
    }
    return true;
  };
  std::vector<const TorchRelease*> matching;
  for (auto it = releases.rbegin(); it != releases.rend(); ++it)
    if (spec.contains(it->version) && companions_fit(*it)) matching.push_back(&*it);
  if (matching.empty()) {
    plan.nothing_fits = "no torch release in the knowledge base matches " + label;
    return plan;
  }
  std::vector<PlannedBuild> first_failures;  // the newest matching release's candidates
  // First every release whose wheel for this Python is known to exist; a release whose
  // support is unknown only when none of those fits (and then the plan says so).
  PlannedBuild pick;
  std::vector<PlannedBuild> evaluated;
  for (const TorchRelease* rel : matching) {
    pick = best_variant_of(kb, m, *rel, policy, &evaluated, false);
    if (pick.variant != nullptr) break;
    if (first_failures.empty()) first_failures = evaluated;
    std::string why;
    for (const TorchVariant* v : kb.variants_of(rel->version)) {
      if (!is_candidate(*v, m) || python_known_ok(kb, *v, m)) continue;
      why = python_wheel_for(kb, *v, m.platform, *m.python.value).why;
      break;
    }
    if (why.empty())
      why = evaluated.empty() ? "no candidate build"
            : evaluated.front().verdict.problems.empty()
                ? std::string(to_string(evaluated.front().verdict.verdict))
                : evaluated.front().verdict.problems.front();
    plan.skipped.push_back("torch " + rel->version.str() + ": " + why);
  }
  if (pick.variant == nullptr && m.python.known()) {
    for (const TorchRelease* rel : matching) {
      pick = best_variant_of(kb, m, *rel, policy, &evaluated, true);
      if (pick.variant == nullptr) continue;
      plan.notes.push_back("no release matching " + label +
                           " is known to have a wheel for Python " + *m.python.value + " here; " +
                           python_wheel_for(kb, *pick.variant, m.platform, *m.python.value).why);
      break;
    }
  }
  if (pick.variant != nullptr) {
    plan.found = true;
    plan.chosen = pick;
    for (const auto& b : evaluated) {
      if (b.variant == pick.variant) continue;
      bool higher = b.variant->cuda && pick.variant->cuda && *b.variant->cuda > *pick.variant->cuda;
      Verdict v = b.verdict.verdict;
      if ((higher && (v == Verdict::kOkMinorCompat || v == Verdict::kOkPtxJit ||
                      v == Verdict::kNeedsForwardCompat)) ||
          (!higher && v == Verdict::kOk && pick.verdict.verdict != Verdict::kOk))
        plan.alternatives.push_back(b);
    }
    // The releases skipped were the newer ones only.
    auto chosen_at = std::find(matching.begin(), matching.end(), pick.release);
    plan.skipped.resize(std::min<std::size_t>(plan.skipped.size(), chosen_at - matching.begin()));
    return plan;
  }
  // Nothing fits: say why (the newest matching release), then what would.
  std::string why;
  for (const auto& b : first_failures) {
    for (const auto& p : b.verdict.problems) {
      if (why.find(p) != std::string::npos) continue;
      why += why.empty() ? p : "; " + p;
    }
    if (!why.empty()) break;  // the highest variant's reasons are enough
  }
  if (why.empty()) why = "no build of it for this machine";
  plan.nothing_fits = label + " has no build that runs here: " + why;
  // Releases that would serve this machine's GPUs, Python and platform (driver aside).
  TargetMachine any_driver = m;
  if (!any_driver.no_driver) any_driver.driver = Fact<DriverVersion>::unknown("aside");
  const TorchRelease* newest_match = matching.front();
  const TorchRelease* oldest_match = matching.back();
  PlannedBuild after, before;
  for (const auto& rel : releases) {
    if (rel.version > newest_match->version && after.variant == nullptr) {
      PlannedBuild b = best_variant_of(kb, any_driver, rel, CompatPolicy::kDefault);
      if (b.variant != nullptr) after = b;
    }
    if (rel.version < oldest_match->version) {
      PlannedBuild b = best_variant_of(kb, any_driver, rel, CompatPolicy::kDefault);
      if (b.variant != nullptr) before = b;
    }
  }
  auto describe = [&](const PlannedBuild& b) {
    std::string s = "torch " + b.release->version.str() + " with " + b.variant->variant;
    if (b.variant->cuda) {
      Provenance from;
      auto min = minimum_driver_for(kb, *b.variant->cuda, m.os, &from);
      if (min) {
        s += ", which needs driver >= " + min->str() + " (" + from.where() + ")";
        if (m.driver.known())
          s += (*m.driver.value >= *min ? "; yours is " : "; yours is only ") +
               m.driver.value->str();
      }
    }
    return s;
  };
  // Prefer, within that release, a variant that runs with this very driver.
  for (PlannedBuild* b : {&after, &before}) {
    if (b->variant == nullptr) continue;
    PlannedBuild here = best_variant_of(kb, m, *b->release, CompatPolicy::kMinor);
    if (here.variant != nullptr) *b = here;
  }
  if (after.variant != nullptr)
    plan.nothing_fits += "; the first release that would is " + describe(after);
  else if (before.variant != nullptr)
    plan.nothing_fits += "; the newest older release that would is " + describe(before);
  else
    plan.nothing_fits += "; no torch release in the knowledge base serves this machine";
  return plan;
}

}  // namespace cudafit
