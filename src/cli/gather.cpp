#include "cli/gather.h"

#include <unistd.h>

#include <climits>

namespace cudafit {

std::string cwd_under_root(const std::string& root) {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr) return {};
  std::string cwd = buf;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r.empty() || r == "/") return cwd;
  if (cwd == r) return "/";
  if (cwd.rfind(r + "/", 0) == 0) return cwd.substr(r.size());
  return {};
}

Result<Machine> gather_machine(CliContext& ctx, const DetectOptions& detect,
                               const EnvOptions& envs) {
  auto host = ctx.host();
  if (!host) return make_error(host.error());
  auto kb = ctx.kb();
  if (!kb) return make_error(kb.error());
  Machine machine = detect_machine(**host, **kb, detect);
  EnvOptions options = envs;
  if (options.cwd.empty()) options.cwd = cwd_under_root(ctx.root);
  machine.environments = discover_environments(**host, options);
  return machine;
}

}  // namespace cudafit
