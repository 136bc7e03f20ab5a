// Which torch build an installer would take, given the indexes a file names, the way pip and uv
// really search them:
//   pip pools every index (--index-url or PyPI, each --extra-index-url) and every --find-links
//   page, and takes the highest matching version; there is no index priority.
//   uv (first-index, its default) takes candidates only from the first index, in its order,
//   that has the package at all (--extra-index-url / [[tool.uv.index]] before the default
//   index), plus the --find-links pages; unsafe-first-match takes the first index with a
//   matching version; unsafe-best-match pools like pip. [tool.uv.sources] pins a package to one
//   index (find-links ignored). `uv pip --torch-backend` sends torch to PyTorch's index of that
//   backend (auto: those the driver runs, newest CUDA first, then cpu), first match wins.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/index_contents.h"
#include "plan/requirements_file.h"
#include "verdict/verdict.h"

namespace cudafit {

enum class Installer { kPip, kUv };
enum class IndexStrategy { kFirstIndex, kUnsafeFirstMatch, kUnsafeBestMatch };
std::string_view to_string(Installer i);
std::string_view to_string(IndexStrategy s);  // uv's spelling: "first-index", ...
std::optional<IndexStrategy> parse_index_strategy(std::string_view text);

// The indexes an installer searches for one package, in its order.
struct IndexRoute {
  std::vector<TorchIndex> indexes;        // pip: unordered pool; uv: priority order
  std::vector<TorchIndex> find_links;     // merged into the searched index (pip: pooled)
  std::string pinned;                     // uv: the [tool.uv.sources] entry, "" when not pinned
  std::optional<IndexStrategy> strategy;  // uv --torch-backend searches its own way
  std::vector<std::string> notes;         // indexes left out (explicit ones, markers that fail)
};

// The route for `package` under `installer`; `env` is the target's marker environment (uv
// sources may carry markers); `extra`/`group`: the optional-dependencies extra or dependency
// group the requirement comes from (uv sources may be limited to one); `machine`: whose driver
// uv's --torch-backend=auto reads.
IndexRoute route_for(const KnowledgeBase& kb, const InstallFacts& facts, const RequirementSet& set,
                     const std::string& package, Installer installer,
                     const std::map<std::string, std::string>& env, const std::string& extra = {},
                     const std::string& group = {}, const TargetMachine* machine = nullptr);

struct ResolveRequest {
  SpecifierSet spec;
  std::string label;  // the requirement as written
  // Other requirements that narrow torch (a torchvision or xformers pin): false excludes a
  // release, with the reason in *why.
  std::function<bool(const TorchRelease&, std::string* why)> admits;
  Installer installer = Installer::kPip;
  IndexStrategy strategy = IndexStrategy::kFirstIndex;  // uv only
  Platform platform = Platform::kLinuxX86_64;
  std::string python;  // "3.12"; "" = unknown (no Python filter)
};

struct Resolution {
  enum class Outcome { kFound, kNone, kUnknown };
  Outcome outcome = Outcome::kNone;
  IndexedBuild build;
  TorchIndex from;                   // the index the build comes from
  std::string how;                   // how the installer got there
  std::string problem;               // kNone / kUnknown: why
  std::vector<std::string> caveats;  // what the data cannot rule out
  std::string describe() const;      // "torch 2.11.0 cu128 from https://..."
};

Resolution resolve_torch(const KnowledgeBase& kb, const IndexRoute& route,
                         const ResolveRequest& request);

}  // namespace cudafit
