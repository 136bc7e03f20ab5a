// `cudafit fleet`: many machines' `doctor --json` reports merged into one view: what the fleet
// runs (driver branches, GPU models and compute capabilities, torch builds), which machines
// share which finding, the one install command that runs on the most machines (the verdict
// rules of `install`), and which drivers are at their GPUs' last branch or near end of life.
//
// FleetReader reads reports as a stream (a document at a time, strings interned), so ten
// thousand reports cost little memory; every input it cannot use is named once, with why.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "doctor/finding.h"
#include "fleet/interner.h"
#include "kb/images.h"
#include "kb/kb.h"
#include "versions/pep440.h"

namespace cudafit {

// One machine as its report describes it (strings interned in FleetData::strings).
struct FleetGpu {
  Sym name = 0, cc = 0, pci_id = 0, chip = 0;
  bool visible = true;
};
struct FleetEnv {
  Sym path = 0, python = 0, torch = 0, torch_cuda = 0;
  bool active = false, torch_cpu_only = false;
};
struct FleetFinding {
  Sym id = 0;
  Severity severity = Severity::kInfo;
};
struct FleetMachine {
  Sym host = 0;               // host.hostname; 0 = none (then input:line names it)
  Sym input = 0;              // "reports/gpu-017.json", "stdin"
  int line = 0;               // where the report starts in it
  std::int64_t unix_ms = -1;  // run.unix_time; -1 unknown
  Sym driver = 0, driver_cuda = 0, driver_kind = 0, cpu_arch = 0;
  bool module_loaded = false;
  std::vector<FleetGpu> gpus;
  std::vector<FleetEnv> envs;
  std::vector<FleetFinding> findings;
};

// An input (a file, stdin) some or all of whose documents were skipped.
struct SkippedInput {
  std::string input;
  int documents = 0;                 // documents seen in it
  std::vector<std::string> reasons;  // one per skipped document: "line 40: truncated JSON"
};

struct FleetData {
  Interner strings;
  std::vector<FleetMachine> machines;  // one per host (the newest report of a duplicated one)
  std::vector<SkippedInput> skipped;
  int inputs = 0, bad_inputs = 0;                    // bad: nothing usable in it
  std::string name_of(const FleetMachine& m) const;  // hostname, else the input
};

class FleetReader {
 public:
  static constexpr std::size_t kMaxDocumentBytes = 16u << 20;
  explicit FleetReader(std::size_t max_document_bytes = kMaxDocumentBytes);
  ~FleetReader();

  // Every report in `in`: one JSON document, or many (JSON lines, or documents one after the
  // other). A document that is not a report is named, with its line, and skipped; reading goes
  // on at the next line that starts with '{'.
  void add_stream(std::istream& in, const std::string& label);
  // An input that could not be read at all.
  void add_unreadable(const std::string& label, const std::string& why);
  // Distinct strings held so far (grows with distinct values, not with the bytes read).
  std::size_t distinct_strings() const;
  // Keeps the newest report of each host (each older one named as skipped) and hands over.
  FleetData finish();

 private:
  struct State;
  std::unique_ptr<State> st_;
};

// ---- The merged view ----
struct FleetCount {
  std::string key;                  // "R580", "NVIDIA H100 80GB HBM3", "9.0", "2.4.1+cu124"
  int machines = 0;                 // machines with it
  int items = 0;                    // GPUs, environments (0 when not counted)
  std::vector<std::string> detail;  // e.g. the exact driver versions of a branch
};

struct FleetFindingGroup {
  std::string id;
  Severity severity = Severity::kInfo;  // the worst seen
  std::vector<std::string> machines;
};

struct FleetInstall {
  bool found = false;
  std::string torch, variant, command;  // "2.6.0", "cu124", "pip install ..."
  int runs_on = 0, ok = 0;              // machines it runs on; of those, verdict `ok`
  std::vector<std::pair<std::string, std::string>> left_out;  // machine, why
  // The trade-off: from the newest release down, each build that runs on more machines than
  // every newer one (the last is the chosen one).
  struct Step {
    std::string torch, variant;
    int runs_on = 0, ok = 0;
  };
  std::vector<Step> newer_steps;
};

struct FleetLifecycle {
  std::string machine, driver, why;  // why: "R580 is the last branch for Pascal (GP104)"
  bool last_branch = false;          // else: the branch's end of life is near or past
};

struct FleetSummary {
  int machines = 0, reports = 0, healthy = 0;
  std::string newest_report, oldest_report;  // UTC times
  std::vector<FleetCount> driver_branches, gpu_models, compute_capabilities, torch_builds;
  std::vector<FleetFindingGroup> findings;  // most machines first
  FleetInstall install;
  std::vector<FleetLifecycle> lifecycle;
  struct MachineRow {
    std::string name, driver, gpus, torch, findings;
    int errors = 0, warnings = 0;
  };
  std::vector<MachineRow> rows;
  std::vector<SkippedInput> skipped;
  int inputs = 0, bad_inputs = 0;
};

struct FleetOptions {
  SpecifierSet torch;          // limits the install command to these torch releases
  int eol_warning_days = 365;  // a branch ending within this many days is "near end of life"
};

FleetSummary summarize_fleet(const FleetData& data, const KnowledgeBase& kb,
                             const InstallFacts& facts, const FleetOptions& options);

std::string fleet_text(const FleetSummary& s);
nlohmann::json fleet_json(const FleetSummary& s);
// One self-contained page: inline style and script, no network; sortable tables and a chart
// of findings by machine count.
std::string fleet_html(const FleetSummary& s);

}  // namespace cudafit
