// pip's and uv's index search, over the knowledge base's index contents (see index_resolve.h).
//
// pip: "pip looks for packages in a number of places: on PyPI (if not disabled via --no-index),
// in the local filesystem, and in any additional repositories specified via --find-links or
// --index-url. There is no ordering in the locations that are searched. Rather they are all
// checked, and the "best" match for the requirements (in terms of version number ...) is
// selected." (pypa/pip:docs/html/cli/pip_install.rst@001fb464, "Finding Packages"); the best is
// the highest version, local label included (CandidateEvaluator._sort_key in
// pypa/pip:src/pip/_internal/index/package_finder.py@01e96585): so "2.11.0+cu128" beats PyPI's
// "2.11.0", and 1.7.1+rocm3.8 beat +cu110 on torch_stable.html (pytorch/pytorch#52571).
//
// uv: "By default, uv will stop at the first index on which a given package is available, and
// limit resolutions to those present on that first index (first-index)"; unsafe-first-match
// "prefer[s] the first index with a compatible version"; unsafe-best-match "select[s] the best
// version from the combined set" (astral-sh/uv:docs/concepts/indexes.md@26a9dd4b, "Searching
// across multiple indexes"). --extra-index-url / [[tool.uv.index]] come before the default
// index, which "is always treated as lowest priority" (same page, "--index-url and
// --extra-index-url"). --find-links entries are merged into the searched index's versions and
// ignored for a package pinned to an index (astral-sh/uv:crates/uv-resolver/src/resolver/
// provider.rs@26a9dd4b, `flat_index`); a pinned package is searched on its index only
// (crates/uv-client/src/registry_client.rs@26a9dd4b, `simple_detail`).
#include "plan/index_resolve.h"

#include <algorithm>

#include "util/strings.h"

namespace cudafit {
namespace {

// One place a candidate may come from.
struct Pool {
  std::vector<std::pair<IndexedBuild, const TorchIndex*>> builds;
  std::vector<std::pair<const TorchRelease*, const TorchIndex*>> unknown;
};

void add_index(const KnowledgeBase& kb, const TorchIndex& ix, const ResolveRequest& rq,
               Pool& pool) {
  std::vector<const TorchRelease*> unknown;
  for (auto& b : torch_builds_on(kb, ix, rq.platform, &unknown))
    pool.builds.emplace_back(std::move(b), &ix);
  for (const TorchRelease* r : unknown) pool.unknown.emplace_back(r, &ix);
}

// The wheel data is read only for the builds a resolution looks at.
const WheelFit& fit(const KnowledgeBase& kb, IndexedBuild& b, const ResolveRequest& rq) {
  if (!b.python_known) {
    b.python = python_fit(kb, *b.release, b.variant, b.on_pypi, rq.platform, rq.python);
    b.python_known = true;
  }
  return b.python;
}

bool admitted(const ResolveRequest& rq, const TorchRelease& r) {
  return !rq.admits || rq.admits(r, nullptr);
}

// The highest matching build of a pool; null when none matches.
const std::pair<IndexedBuild, const TorchIndex*>* best_of(const KnowledgeBase& kb, Pool& pool,
                                                          const ResolveRequest& rq) {
  std::vector<std::pair<IndexedBuild, const TorchIndex*>*> matching;
  for (auto& entry : pool.builds)
    if (rq.spec.contains(entry.first.version) && admitted(rq, *entry.first.release))
      matching.push_back(&entry);
  // Highest first; the first entry of equal versions (the earlier index) wins.
  std::stable_sort(matching.begin(), matching.end(), [](const auto* a, const auto* b) {
    return a->first.version > b->first.version;
  });
  for (auto* entry : matching)
    if (fit(kb, entry->first, rq).fits != Availability::kNo) return entry;
  return nullptr;
}

// Why nothing in the pool matched: the closest reason, for the message.
std::string why_none(const KnowledgeBase& kb, Pool& pool, const ResolveRequest& rq,
                     const std::string& where) {
  bool any_spec = false;
  std::string python_why, admit_why;
  for (auto& [b, ix] : pool.builds) {
    if (!rq.spec.contains(b.version)) continue;
    any_spec = true;
    if (fit(kb, b, rq).fits == Availability::kNo) {
      if (python_why.empty()) python_why = b.python.why;
      continue;
    }
    std::string why;
    if (rq.admits && !rq.admits(*b.release, &why) && admit_why.empty()) admit_why = why;
  }
  std::string s = "no torch build on " + where + " matches " + rq.label;
  if (!any_spec) return s;
  if (!admit_why.empty()) return s + " and " + admit_why;
  if (!python_why.empty()) return s + " with a wheel for Python " + rq.python + ": " + python_why;
  return s;
}

std::string join_labels(const std::vector<const TorchIndex*>& xs) {
  std::vector<std::string> parts;
  parts.reserve(xs.size());
  for (const TorchIndex* x : xs) parts.push_back(x->label());
  return join(parts, ", ");
}

// Releases an index may list that the data cannot confirm, which would match and sort at or
// above `best`: the answer may be wrong by them.
void unknowns_to_caveats(const Pool& pool, const ResolveRequest& rq, const IndexedBuild* best,
                         Resolution& res) {
  std::vector<const TorchIndex*> seen;
  for (const auto& [r, ix] : pool.unknown) {
    // The index could list any build of the release: probe with the specifier's own local
    // label when it pins one ("==1.10.1+cu111").
    Pep440Version probe = r->version;
    for (const auto& sp : rq.spec.specifiers()) {
      auto v = Pep440Version::parse(sp.version_text());
      if (v && !v->local_str().empty() && v->without_local() == r->version) probe = *v;
    }
    if (!rq.spec.contains(probe) || !admitted(rq, *r)) continue;
    if (best != nullptr && r->version < best->release->version) continue;
    if (std::find(seen.begin(), seen.end(), ix) != seen.end()) continue;
    seen.push_back(ix);
    if (ix->kind == TorchIndex::Kind::kUnknown) {
      res.caveats.push_back(ix->url + " is not an index cudafit knows: if it serves torch, " +
                            std::string(to_string(rq.installer)) + " may take its build instead");
    } else {
      res.caveats.push_back(ix->url + " may also list torch " + r->version.str() +
                            " builds, which the data does not show (" + ix->source + ")");
    }
  }
}

}  // namespace

std::string_view to_string(Installer i) { return i == Installer::kPip ? "pip" : "uv"; }

std::string_view to_string(IndexStrategy s) {
  switch (s) {
    case IndexStrategy::kFirstIndex:
      return "first-index";
    case IndexStrategy::kUnsafeFirstMatch:
      return "unsafe-first-match";
    case IndexStrategy::kUnsafeBestMatch:
      return "unsafe-best-match";
  }
  return "first-index";
}

std::optional<IndexStrategy> parse_index_strategy(std::string_view text) {
  // "first-match" is the name uv's docs used for first-index before 0.4.
  if (text == "first-index" || text == "first-match") return IndexStrategy::kFirstIndex;
  if (text == "unsafe-first-match") return IndexStrategy::kUnsafeFirstMatch;
  if (text == "unsafe-best-match") return IndexStrategy::kUnsafeBestMatch;
  return std::nullopt;
}

IndexRoute route_for(const KnowledgeBase& kb, const InstallFacts& facts, const RequirementSet& set,
                     const std::string& package, Installer installer,
                     const std::map<std::string, std::string>& env, const std::string& extra,
                     const std::string& group, const TargetMachine* machine) {
  IndexRoute route;
  auto id = [&](const std::string& url) { return identify_index(kb, facts, url); };
  if (installer == Installer::kUv && !set.torch_backend.empty() && package == "torch") {
    // uv's torch backend: the backend's PyTorch indexes only, unsafe-first-match
    // (astral-sh/uv:crates/uv-client/src/registry_client.rs@26a9dd4b, index_urls_for and
    // index_strategy_for); "auto" lists the CUDA indexes whose floor the driver meets, newest
    // first, then cpu (crates/uv-torch/src/backend.rs@26a9dd4b, index_urls and
    // LINUX_CUDA_DRIVERS: NVIDIA's minor-version-compatibility floors, 525.60.13 for 12.x).
    // cuda-minor-compat.csv's floors stand in for uv's own table.
    route.strategy = IndexStrategy::kUnsafeFirstMatch;
    route.pinned = "--torch-backend=" + set.torch_backend;
    std::vector<std::string> names;
    if (set.torch_backend != "auto") {
      names.push_back(set.torch_backend);
    } else if (machine != nullptr && machine->driver.known()) {
      std::vector<std::pair<CudaVersion, std::string>> cuda;
      for (const auto& v : kb.torch_variants()) {
        if (!v.cuda || std::any_of(cuda.begin(), cuda.end(),
                                   [&](const auto& c) { return c.second == v.variant; }))
          continue;
        std::optional<DriverVersion> floor = kb.minimum_driver_for(*v.cuda, machine->os);
        if (const MinorCompat* mc = kb.minor_compat_for(v.cuda->major()))
          floor = machine->os == Os::kWindows ? mc->windows_floor : mc->linux_floor;
        if (floor && *floor <= *machine->driver.value) cuda.emplace_back(*v.cuda, v.variant);
      }
      std::sort(cuda.begin(), cuda.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      for (const auto& c : cuda) names.push_back(c.second);
      names.emplace_back("cpu");
      route.notes.push_back(
          "--torch-backend=auto: uv's own driver table is approximated by "
          "cuda-minor-compat.csv's floors");
    } else {
      names.emplace_back("cpu");
      route.notes.push_back("--torch-backend=auto with no known driver: uv falls back to cpu");
    }
    for (const auto& n : names) {
      std::string url;
      for (const auto& v : kb.torch_variants())
        if (v.variant == n && !v.index_url.empty()) url = v.index_url;
      route.indexes.push_back(id(url.empty() ? "torch-backend:" + n : url));
    }
    return route;
  }
  if (installer == Installer::kUv) {
    for (const auto& s : set.uv_sources) {
      if (s.package != package) continue;
      if ((!s.extra.empty() && s.extra != extra) || (!s.group.empty() && s.group != group))
        continue;
      if (s.marker && !s.marker->evaluate(env)) {
        route.notes.push_back("[tool.uv.sources] " + package + " at " + s.where +
                              ": its marker does not hold here");
        continue;
      }
      if (!s.other.empty()) {
        route.pinned =
            "[tool.uv.sources] " + package + " = { " + s.other + " = ... } (" + s.where + ")";
        return route;  // not from an index: the caller says so
      }
      for (const auto& ix : set.uv_indexes) {
        if (ix.name != s.index) continue;
        route.indexes.push_back(id(ix.url));
        route.pinned =
            "[tool.uv.sources] " + package + " = { index = \"" + s.index + "\" } (" + s.where + ")";
        return route;
      }
    }
  }
  if (set.no_index) {
    route.notes.push_back("--no-index: only the find-links pages are searched");
  } else {
    // uv's order: --extra-index-url, then [[tool.uv.index]] as defined, the default last.
    for (const auto& u : set.extra_index_urls) route.indexes.push_back(id(u));
    std::string default_url = set.index_url;
    if (installer == Installer::kUv) {
      for (const auto& ix : set.uv_indexes) {
        if (ix.explicit_only) {
          route.notes.push_back("[[tool.uv.index]] " + ix.name + " (" + ix.where +
                                ") is explicit: used only by the packages pinned to it");
          continue;
        }
        if (ix.is_default) {
          default_url = ix.url;
          continue;
        }
        route.indexes.push_back(id(ix.url));
      }
    }
    route.indexes.push_back(id(default_url));
  }
  for (const auto& u : set.find_links) route.find_links.push_back(id(u));
  return route;
}

std::string Resolution::describe() const {
  if (outcome != Outcome::kFound) return {};
  std::string s =
      "torch " + build.release->version.str() + " " +
      (build.variant != nullptr ? build.variant->variant : std::string("(build unknown)"));
  return s + " from " + from.label();
}

Resolution resolve_torch(const KnowledgeBase& kb, const IndexRoute& route,
                         const ResolveRequest& rq) {
  Resolution res;
  std::vector<const TorchIndex*> searched;
  Pool pool;
  const IndexStrategy strategy = route.strategy ? *route.strategy : rq.strategy;
  const bool pooled =
      rq.installer == Installer::kPip || strategy == IndexStrategy::kUnsafeBestMatch;
  const bool pinned = !route.pinned.empty();
  if (pinned && !route.indexes.empty() && route.indexes[0].kind == TorchIndex::Kind::kUnknown) {
    res.outcome = Resolution::Outcome::kUnknown;
    res.how = "uv takes torch only from the index it is pinned to (" + route.pinned + ")";
    res.problem = route.indexes[0].url + " is not an index cudafit knows";
    return res;
  }
  auto with_find_links = [&](Pool& p) {
    if (pinned) return;
    for (const auto& f : route.find_links) {
      add_index(kb, f, rq, p);
      searched.push_back(&f);
    }
  };
  if (pooled) {
    for (const auto& ix : route.indexes) {
      add_index(kb, ix, rq, pool);
      searched.push_back(&ix);
    }
    with_find_links(pool);
    res.how = rq.installer == Installer::kPip
                  ? "pip takes the highest matching version on all its indexes, with no "
                    "priority among them (" +
                        join_labels(searched) + ")"
                  : "uv (unsafe-best-match) takes the highest matching version on all its "
                    "indexes (" +
                        join_labels(searched) + ")";
  } else {
    // uv, first-index or unsafe-first-match: walk the indexes in order.
    std::vector<std::string> skipped_unknown;
    for (const auto& ix : route.indexes) {
      Pool p;
      add_index(kb, ix, rq, p);
      if (ix.kind == TorchIndex::Kind::kUnknown) {
        skipped_unknown.push_back(ix.url);
        continue;
      }
      searched = {&ix};
      with_find_links(p);
      if (strategy == IndexStrategy::kFirstIndex) {
        // Every known index serves torch (PyPI, a PyTorch index, a page listing it).
        pool = std::move(p);
        res.how =
            "uv (first-index) takes torch only from the first index that has it: " + ix.label();
        break;
      }
      if (best_of(kb, p, rq) != nullptr) {
        pool = std::move(p);
        res.how =
            "uv (unsafe-first-match) takes the first index with a matching version: " + ix.label();
        break;
      }
      searched.clear();
    }
    if (searched.empty() && !pinned && !route.find_links.empty()) {
      with_find_links(pool);  // no index has torch: the pages alone
      res.how = "uv searches the find-links pages (" + join_labels(searched) + ")";
    }
    for (const auto& u : skipped_unknown)
      res.caveats.push_back(u +
                            " is not an index cudafit knows: taken not to serve torch; if it "
                            "does, uv takes torch from it instead");
  }
  if (!route.pinned.empty()) res.how += " (pinned by " + route.pinned + ")";
  const auto* best = best_of(kb, pool, rq);
  unknowns_to_caveats(pool, rq, best ? &best->first : nullptr, res);
  if (best == nullptr) {
    bool maybe = !res.caveats.empty() ||
                 std::any_of(route.indexes.begin(), route.indexes.end(), [](const TorchIndex& x) {
                   return x.kind == TorchIndex::Kind::kUnknown;
                 });
    res.outcome = maybe ? Resolution::Outcome::kUnknown : Resolution::Outcome::kNone;
    res.problem =
        why_none(kb, pool, rq, searched.empty() ? std::string("any index") : join_labels(searched));
    return res;
  }
  res.outcome = Resolution::Outcome::kFound;
  res.build = best->first;
  res.from = *best->second;
  if (res.build.python.fits == Availability::kUnknown && !rq.python.empty())
    res.caveats.push_back(res.build.python.why);
  return res;
}

}  // namespace cudafit
