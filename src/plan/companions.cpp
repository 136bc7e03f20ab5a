// Pairing torch with torchvision / torchaudio (see companions.h).
#include "plan/companions.h"

#include <algorithm>

#include "versions/requirement.h"

namespace cudafit {
namespace {

// The date the torch release reached PyPI ("" when unknown: 1.8.2 never did).
std::string torch_date(const KnowledgeBase& kb, const TorchRelease& r) {
  if (const TorchWheelSet* w = kb.torch_wheels(r.version, "pypi", Platform::kLinuxX86_64))
    if (!w->uploaded.empty()) return w->uploaded;
  return r.date;
}

struct Admits {
  const CompanionRelease* release;
  bool pin = false;  // "torch==X" exactly, not a wildcard or range
};

// Whether `c`'s torch requirement admits `torch`; nullopt when it names no version (none, or
// a bare "torch", or unreadable).
std::optional<Admits> admits(const CompanionRelease& c, const Pep440Version& torch) {
  if (c.torch_requirement.empty() || c.torch_requirement == "none") return std::nullopt;
  auto req = Requirement::parse(c.torch_requirement);
  if (!req || req->specifier.empty()) return std::nullopt;
  if (!req->specifier.contains(torch, true)) return Admits{nullptr};
  const auto& specs = req->specifier.specifiers();
  bool pin =
      specs.size() == 1 && specs.front().op() == Specifier::Op::kEqual && !specs.front().wildcard();
  return Admits{&c, pin};
}

// Several admit it: the first uploaded on or after the torch, else the newest before it; the
// newest version on a tie (several uploaded the same day).
const CompanionRelease* by_date(const std::vector<const CompanionRelease*>& all,
                                const std::string& torch_date) {
  const CompanionRelease* after = nullptr;
  const CompanionRelease* before = nullptr;
  for (const CompanionRelease* c : all) {
    if (!torch_date.empty() && c->date >= torch_date) {
      if (after == nullptr || c->date < after->date ||
          (c->date == after->date && after->version < c->version))
        after = c;
    } else if (before == nullptr || c->date > before->date ||
               (c->date == before->date && before->version < c->version)) {
      before = c;
    }
  }
  return after != nullptr ? after : before;
}

std::string row(const CompanionRelease& c) { return c.from.where(); }

}  // namespace

CompanionPairing companion_for(const KnowledgeBase& kb, const InstallFacts* facts,
                               const TorchRelease& torch, std::string_view package) {
  CompanionPairing p;
  const std::string name(package);
  const std::string t = "torch " + torch.version.str();
  const std::string date = torch_date(kb, torch);
  std::vector<const CompanionRelease*> pins, ranges, undated;
  std::vector<const CompanionRelease*> releases = kb.companion_releases_of(package);
  for (const CompanionRelease* c : releases) {
    if (c->yanked) continue;
    auto a = admits(*c, torch.version);
    if (!a) {
      undated.push_back(c);
    } else if (a->release != nullptr) {
      (a->pin ? pins : ranges).push_back(c);
    }
  }
  auto found = [&](const CompanionRelease* c, PairingBasis basis, std::string why) {
    p.version = c->version;
    p.basis = basis;
    p.why = std::move(why);
    p.sources.push_back(row(*c));
    return p;
  };
  if (!pins.empty()) {
    const CompanionRelease* c = by_date(pins, date);
    return found(
        c, PairingBasis::kPin,
        name + " " + c->version.str() + " pins " + c->torch_requirement + " (" + row(*c) + ")");
  }
  if (facts != nullptr) {
    if (const PageCompanions* page = facts->companions(torch.version)) {
      const std::string& text = package == "torchvision" ? page->torchvision : page->torchaudio;
      if (auto v = Pep440Version::parse(text)) {
        p.version = *v;
        p.basis = PairingBasis::kPage;
        p.why = "PyTorch's previous-versions page pins " + name + "==" + text + " with " + t +
                " (" + page->from.where() + ")";
        p.sources.push_back(page->from.where());
        return p;
      }
    }
  }
  // A range whose release a later one superseded (a later release pins an older torch: the
  // range belonged to an older torch line) is not taken: torchvision 0.3.0 requires
  // torch>=1.1.0, yet 0.4.0 ... 0.9.1 pin 1.2.0 ... 1.8.1.
  std::erase_if(ranges, [&](const CompanionRelease* c) {
    for (const CompanionRelease* later : releases) {
      if (later->yanked || !(c->version < later->version)) continue;
      auto req = Requirement::parse(later->torch_requirement);
      if (!req) continue;
      const auto& specs = req->specifier.specifiers();
      if (specs.size() == 1 && specs.front().op() == Specifier::Op::kEqual &&
          !specs.front().wildcard()) {
        auto pinned = Pep440Version::parse(specs.front().version_text());
        if (pinned && pinned->without_local() < torch.version) return true;
      }
    }
    return false;
  });
  // A companion that names no torch version goes with the torch current at its upload: the
  // ones uploaded on or after this torch, before the next torch release.
  std::vector<const CompanionRelease*> pool = ranges;
  if (!date.empty()) {
    std::string next_date;
    for (const auto& r : kb.torch_releases()) {
      std::string d = torch_date(kb, r);
      if (d > date && (next_date.empty() || d < next_date)) next_date = d;
    }
    for (const CompanionRelease* c : undated)
      if (c->date >= date && (next_date.empty() || c->date < next_date)) pool.push_back(c);
  }
  if (!pool.empty()) {
    const CompanionRelease* c = by_date(pool, date);
    if (std::find(ranges.begin(), ranges.end(), c) != ranges.end())
      return found(c, PairingBasis::kRange,
                   "no " + name + " release pins " + t + "; " + name + " " + c->version.str() +
                       " admits it only by its range " + c->torch_requirement + " (" + row(*c) +
                       ")");
    std::string req = c->torch_requirement == "none" ? "requires no torch" : "requires any torch";
    return found(c, PairingBasis::kDate,
                 name + " " + c->version.str() + " " + req + "; it was uploaded " + c->date +
                     ", with " + t + " (" + date + ") (" + row(*c) + ")");
  }
  p.why = "no " + name + " release exists for " + t;
  const CompanionRelease* newest = nullptr;
  for (const CompanionRelease* c : releases)
    if (!c->yanked && (newest == nullptr || newest->version < c->version)) newest = c;
  if (newest != nullptr) {
    p.why += ": none on PyPI admits it (the newest, " + name + " " + newest->version.str() +
             " of " + newest->date + ", requires " +
             (newest->torch_requirement == "none" ? std::string("no torch")
                                                  : newest->torch_requirement) +
             ", " + row(*newest) + ")";
    p.sources.push_back(row(*newest));
  }
  return p;
}

}  // namespace cudafit
