// `cudafit export`: one machine's facts and findings in the formats of the engines that run
// GPU fleets: Node Feature Discovery labels (Kubernetes), Prometheus node_exporter textfile
// metrics, Slurm node features and GRES, Ansible custom facts. Each is a pure function of
// what `doctor` learned; docs/export.md documents every name, key and label.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "doctor/finding.h"
#include "kb/kb.h"
#include "plan/choose.h"
#include "probe/machine.h"
#include "report/run_stamp.h"
#include "util/host.h"
#include "util/result.h"

namespace cudafit {

struct ExportInput {
  const Machine& machine;
  const std::vector<Finding>& findings;
  const KnowledgeBase& kb;
  std::optional<PlannedBuild> best;  // what `cudafit install` picks here; none when nothing fits
  RunStamp run;
};

// What `cudafit install` (no requirement, default policy) would choose for this machine:
// the same resolve_machine + choose_build, so the answer is install's.
std::optional<PlannedBuild> install_choice(const KnowledgeBase& kb, const Host& host,
                                           const Machine& machine);

// The environment a finding is about: the one its summary names as "PATH (KIND)" (how every
// per-environment check writes it; the longest such name wins), "" for machine-wide findings.
std::string finding_environment(const Finding& finding, const std::vector<Environment>& envs);

// The environment a machine's builds are judged by: the active one, else the first with torch.
const Environment* main_environment(const Machine& machine);

// ---- The formats ----
struct NfdOptions {
  std::string prefix = "cudafit.io";  // a DNS subdomain (valid_label_prefix)
  int expires_in_minutes = 0;         // > 0: a "# +expiry-time=" directive (NFD v0.14+)
};
// Lines "prefix/name=value" for NFD's local source (features.d). Every key and value is valid
// under Kubernetes' label rules; an error only for an invalid prefix.
Result<std::string> nfd_features(const ExportInput& in, const NfdOptions& options);

// The Prometheus text exposition format (version 0.0.4) for node_exporter's textfile collector.
std::string prometheus_metrics(const ExportInput& in);

struct SlurmOptions {
  std::string node;       // NodeName; "" = the machine's hostname
  std::string gres_type;  // GRES type; "" = from the GPU name ("h100_80gb_hbm3")
};
// slurm.conf's NodeName line (Features=, Gres=), the scontrol command, the gres.conf line.
// Errors when the node name is unknown (no hostname and no --node).
Result<std::string> slurm_config(const ExportInput& in, const SlurmOptions& options);
// The features alone: "cc90,drv580,cuda13.0,cu130,...".
std::vector<std::string> slurm_features(const ExportInput& in);

// JSON for /etc/ansible/facts.d/cudafit.fact (ansible_local.cudafit).
std::string ansible_facts(const ExportInput& in);

}  // namespace cudafit
