// Slurm: node features (slurm.conf Features= / scontrol AvailableFeatures=) and the GRES of the
// GPUs found. Feature names keep to [A-Za-z0-9_.-]: Slurm's constraint expressions give
// & | , * [ ] ( ) ! : meanings of their own.
#include <map>
#include <set>

#include "export/export.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string feature_word(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (ok)
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// "NVIDIA H100 80GB HBM3" -> "h100_80gb_hbm3".
std::string gres_type_of(const std::string& name) {
  std::string t = to_lower(feature_word(name));
  for (char& c : t)
    if (c == '.' || c == '-') c = '_';
  if (starts_with(t, "nvidia_")) t.erase(0, 7);
  return t;
}

}  // namespace

std::vector<std::string> slurm_features(const ExportInput& in) {
  const Machine& m = in.machine;
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& raw) {
    std::string f = feature_word(raw);
    if (!f.empty() && seen.insert(f).second) out.push_back(f);
  };
  for (const auto& g : m.gpus)
    if (g.compute_capability.known()) {
      const ComputeCapability& cc = *g.compute_capability.value;
      add("cc" + std::to_string(cc.major()) + std::to_string(cc.minor()));
    }
  if (m.driver.version.known()) add("drv" + std::to_string(m.driver.version.value->branch()));
  if (m.driver.cuda.known()) add("cuda" + m.driver.cuda.value->major_minor());
  if (in.best) add(in.best->variant->variant);
  for (const auto& g : m.gpus)
    if (g.name.known()) add(gres_type_of(*g.name.value));
  return out;
}

Result<std::string> slurm_config(const ExportInput& in, const SlurmOptions& options) {
  const Machine& m = in.machine;
  std::string node = options.node;
  if (node.empty() && m.host.hostname.known()) node = *m.host.hostname.value;
  node = feature_word(node);
  if (node.empty())
    return make_error("the node's name is unknown (" + m.host.hostname.note +
                      "): give --node NAME");
  const std::string features = join(slurm_features(in), ",");

  // GPUs by GRES type, in index order.
  std::map<std::string, int> types;
  std::vector<std::string> order;
  for (const auto& g : m.gpus) {
    std::string type = !options.gres_type.empty() ? feature_word(options.gres_type)
                       : g.name.known()           ? gres_type_of(*g.name.value)
                                                  : std::string("gpu");
    if (types[type]++ == 0) order.push_back(type);
  }
  std::vector<std::string> gres;
  gres.reserve(order.size());
  for (const auto& type : order) gres.push_back("gpu:" + type + ":" + std::to_string(types[type]));

  std::string out = "# cudafit export slurm: " + utc_time_text(in.run.unix_ms / 1000) + "\n";
  out += "# slurm.conf\n";
  out += "NodeName=" + node;
  if (!features.empty()) out += " Features=" + features;
  if (!gres.empty()) out += " Gres=" + join(gres, ",");
  out += "\n";
  if (!features.empty()) {
    out += "# or, on a running cluster:\n";
    out += "#   scontrol update NodeName=" + node + " AvailableFeatures=" + features +
           " ActiveFeatures=" + features + "\n";
  }
  if (!gres.empty())
    out +=
        "# gres.conf: let slurmd find the device files (`slurmd -G` prints the types it\n"
        "# detects; Gres= above must use the same, or give --gres-type):\n"
        "#   NodeName=" +
        node + " AutoDetect=nvml\n";
  return out;
}

}  // namespace cudafit
