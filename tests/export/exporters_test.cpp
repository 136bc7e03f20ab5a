// Each format checked by its real consumer: promtool and prometheus_client's parser for the
// metrics, Kubernetes' label rules for NFD, JSON for Ansible; and the values against the
// fixture machine they came from.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "doctor/doctor_fixtures.h"
#include "export/export.h"
#include "export/export_fixture.h"
#include "export/labels.h"
#include "export/tool_run.h"
#include "util/strings.h"
#include "util/temp_tree.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;
using testing::diagnosed;
using testing::Diagnosed;

// tests/machines/doctor-driver-470-cu121: driver 470.256.02 (its /sys/module/nvidia/version),
// one GeForce RTX 3050 (10de:2507 -> sm_86, pci-ids.csv), torch 2.3.1+cu121 in /home/user/venv,
// which 470 cannot run: driver-too-old (error).
const char* kOld = "doctor-driver-470-cu121";

std::map<std::string, std::string> nfd_labels(const std::string& text) {
  std::map<std::string, std::string> out;
  for (auto line : split_lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    out[std::string(line.substr(0, eq))] =
        eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
  }
  return out;
}

TEST(Nfd, LabelsOfAFixtureMachine) {
  Diagnosed d = diagnosed(kOld);
  ASSERT_TRUE(d.best) << "install picks a build for driver 470 and sm_86";
  auto text = nfd_features(d.input(), NfdOptions{});
  ASSERT_TRUE(text) << text.error();
  auto labels = nfd_labels(*text);
  const std::map<std::string, std::string> expected = {
      {"cudafit.io/driver.version", "470.256.02"},  // the fixture's module version
      {"cudafit.io/driver.branch", "470"},
      {"cudafit.io/driver.cuda", "11.4"},  // highest CUDA for 470 (cuda.csv Table 3)
      {"cudafit.io/gpu.count", "1"},
      {"cudafit.io/gpu.cc-8.6", "true"},  // 10de:2507 (pci-ids.csv)
      {"cudafit.io/gpu.arch-ampere", "true"},
      {"cudafit.io/gpu.model-NVIDIA-GeForce-RTX-3050", "true"},
      {"cudafit.io/torch.version", "2.3.1"},
      {"cudafit.io/torch.cuda", "12.1"},
      {"cudafit.io/torch.best-variant", d.best->variant->variant},  // install's own choice
      {"cudafit.io/healthy", "false"},
      {"cudafit.io/errors", "1"},
      {"cudafit.io/finding.driver-too-old", "true"},
  };
  for (const auto& [k, v] : expected) {
    ASSERT_TRUE(labels.count(k)) << k << " missing in\n" << *text;
    EXPECT_EQ(labels[k], v) << k;
  }
  // Labels only: NFD before v0.14 would read a '#' line as a label too.
  EXPECT_EQ(text->find('#'), std::string::npos) << *text;
  // Every line NFD would publish is a valid Kubernetes label.
  for (const auto& [k, v] : labels) {
    EXPECT_TRUE(valid_label_key(k)) << k;
    EXPECT_TRUE(valid_label_value(v)) << k << "=" << v;
  }
}

TEST(Nfd, LongAndOddTextStaysWithinTheRules) {
  const std::string long_name =
      "NVIDIA " + std::string(90, 'X') + " (rev a1) \xc3\xb6/\"quoted\" name";
  Machine m = testing::machine_with_driver("580.95.05", "13.0",
                                           {testing::gpu(0, long_name.c_str(), 0x2335, "9.0")});
  Finding odd{std::string(80, 'f'), Severity::kError, "made up", {}, ""};
  Diagnosed d = diagnosed(m);
  d.findings.push_back(odd);
  auto text = nfd_features(d.input(), NfdOptions{});
  ASSERT_TRUE(text) << text.error();
  int published = 0;
  for (const auto& [k, v] : nfd_labels(*text)) {
    ++published;
    EXPECT_TRUE(valid_label_key(k)) << k << " (" << k.size() << ")";
    EXPECT_TRUE(valid_label_value(v)) << k << "=" << v;
  }
  EXPECT_GT(published, 5);
  const auto labels = nfd_labels(*text);
  const std::string model = "cudafit.io/gpu.model-NVIDIA-" + std::string(46, 'X');  // cut to 63
  EXPECT_TRUE(labels.count(model)) << *text;
  EXPECT_TRUE(labels.count("cudafit.io/finding." + std::string(55, 'f'))) << *text;
}

TEST(Nfd, PrefixAndExpiry) {
  Diagnosed d = diagnosed(kOld);
  NfdOptions options;
  options.prefix = "gpu.example.com";
  options.expires_in_minutes = 15;
  auto text = nfd_features(d.input(), options);
  ASSERT_TRUE(text) << text.error();
  // The run is 2026-12-04T13:41:09Z; NFD drops the file's labels 15 minutes later.
  EXPECT_NE(text->find("# +expiry-time=2026-12-04T13:56:09Z\n"), std::string::npos) << *text;
  for (const auto& [k, v] : nfd_labels(*text)) EXPECT_TRUE(starts_with(k, "gpu.example.com/"));
  for (const std::string& bad :
       std::vector<std::string>{"Example.com", "example_com", std::string(254, 'a'), ""}) {
    options.prefix = bad;
    EXPECT_FALSE(nfd_features(d.input(), options)) << bad;
  }
}

std::string write_temp(const std::string& stem, const std::string& text) {
  fs::path dir = testing::make_temp_dir(stem);
  testing::write(dir / "out", text);
  return (dir / "out").string();
}

TEST(Prometheus, PromtoolAcceptsTheMetrics) {
  const std::string promtool = testing::find_program("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool (Debian's prometheus) is missing: bash "
                                    "scripts/deps.sh --test";
  for (const char* name : {kOld, "doctor-server-healthy", "doctor-conda-pip-mix"}) {
    Diagnosed d = diagnosed(name);
    const std::string file = write_temp("cudafit-prom", prometheus_metrics(d.input()));
    auto r = testing::run_tool(promtool + " check metrics < " + file);
    EXPECT_EQ(r.code, 0) << name << ":\n" << r.output;
    fs::remove_all(fs::path(file).parent_path());
  }
}

// prometheus_client's own text parser: the samples it reads back, as "name{k=v,...} value".
std::set<std::string> parsed_samples(const std::string& metrics) {
  const std::string python = testing::pytools_bin("python");
  if (python.empty())
    return {"no pytools venv: run with -DCUDAFIT_PYTOOLS=$(bash scripts/pytools.sh)"};
  const std::string file = write_temp("cudafit-prom", metrics);
  const std::string script =
      "import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "  for s in fam.samples:\n"
      "    labels=','.join('%s=%s' % (k, v) for k, v in s.labels.items())\n"
      "    print(repr('%s{%s} %r' % (s.name, labels, s.value)))\n";
  auto r = testing::run_tool(python + " -c " + testing::sh_quote(script) + " " + file);
  fs::remove_all(fs::path(file).parent_path());
  std::set<std::string> out;
  if (r.code != 0) return {"parser failed: " + r.output};
  for (auto line : split_lines(r.output)) out.insert(std::string(line));
  return out;
}

TEST(Prometheus, PrometheusClientParsesTheSamples) {
  Diagnosed d = diagnosed(kOld);
  auto samples = parsed_samples(prometheus_metrics(d.input()));
  // Python's repr of each sample line, as the script prints it (whole numbers parse as int).
  for (const char* want : {
           "'cudafit_finding{id=driver-too-old,severity=error,env=/home/user/venv} 1'",
           "'cudafit_healthy{} 0'",
           "'cudafit_driver_info{version=470.256.02,cuda=11.4,kind=proprietary} 1'",
           "'cudafit_gpu_info{index=0,name=NVIDIA GeForce RTX 3050,pci_id=10de:2507,cc=8.6} 1'",
           "'cudafit_environment_info{path=/home/user/venv,torch=2.3.1+cu121,cuda=12.1} 1'",
           "'cudafit_last_run_timestamp_seconds{} 1796391669.123'",
           "'cudafit_run_duration_seconds{} 0.0042'",
       })
    EXPECT_TRUE(samples.count(want)) << want << "\nparsed:\n"
                                     << [&] {
                                          std::string all;
                                          for (const auto& s : samples) all += s + "\n";
                                          return all;
                                        }();
}

TEST(Prometheus, LabelValuesAreEscaped) {
  Machine m = testing::machine_with_driver(
      "580.95.05", "13.0", {testing::gpu(0, "GPU \"quoted\" back\\slash", 0x2335, "9.0")});
  Environment env;
  env.path = "/opt/we\"ird\\path\nnext";
  env.kind = "venv";
  m.environments.push_back(env);
  Diagnosed d = diagnosed(m);
  const std::string metrics = prometheus_metrics(d.input());
  EXPECT_NE(metrics.find("path=\"/opt/we\\\"ird\\\\path\\nnext\""), std::string::npos) << metrics;
  const std::string promtool = testing::find_program("promtool");
  ASSERT_FALSE(promtool.empty()) << "bash scripts/deps.sh --test";
  const std::string file = write_temp("cudafit-prom", metrics);
  auto r = testing::run_tool(promtool + " check metrics < " + file);
  EXPECT_EQ(r.code, 0) << r.output;
  fs::remove_all(fs::path(file).parent_path());
  // The parser gives back the original text.
  auto samples = parsed_samples(metrics);
  EXPECT_TRUE(
      samples.count("'cudafit_environment_info{path=/opt/we\"ird\\\\path\\nnext,torch=,cuda=} 1'"))
      << [&] {
           std::string all;
           for (const auto& s : samples) all += s + "\n";
           return all;
         }();
}

TEST(Slurm, FeaturesAndGres) {
  Diagnosed d = diagnosed(kOld);
  ASSERT_TRUE(d.best);
  // cc86 (sm_86), drv470 (branch), cuda11.4 (the driver's CUDA), install's variant, the GPU type.
  EXPECT_EQ(join(slurm_features(d.input()), ","),
            "cc86,drv470,cuda11.4," + d.best->variant->variant + ",geforce_rtx_3050");
  SlurmOptions options;
  options.node = "gpu-017";
  auto text = slurm_config(d.input(), options);
  ASSERT_TRUE(text) << text.error();
  EXPECT_NE(text->find("\nNodeName=gpu-017 Features=cc86,drv470,cuda11.4,"), std::string::npos);
  EXPECT_NE(text->find(" Gres=gpu:geforce_rtx_3050:1\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("scontrol update NodeName=gpu-017 AvailableFeatures=cc86,"),
            std::string::npos);
  options.gres_type = "rtx3050";
  EXPECT_NE(slurm_config(d.input(), options)->find(" Gres=gpu:rtx3050:1\n"), std::string::npos);
  // The fixture has no hostname file: without --node there is no NodeName to give.
  auto unnamed = slurm_config(d.input(), SlurmOptions{});
  ASSERT_FALSE(unnamed);
  EXPECT_NE(unnamed.error().find("--node"), std::string::npos);
  // A feature is a word Slurm's constraint syntax leaves alone.
  for (const auto& f : slurm_features(d.input()))
    for (char c : f)
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') << f;
}

TEST(Ansible, StableKeys) {
  Diagnosed d = diagnosed(kOld);
  auto j = nlohmann::json::parse(ansible_facts(d.input()), nullptr, false);
  ASSERT_TRUE(j.is_object());
  // docs/export.md, "Ansible": these keys, always present (null when unknown).
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  EXPECT_EQ(keys, (std::set<std::string>{"schema", "generated", "hostname", "healthy", "errors",
                                         "warnings", "infos", "finding_ids", "findings", "driver",
                                         "gpu_count", "gpus", "compute_capabilities", "toolkit",
                                         "environments", "install", "slurm_features"}));
  EXPECT_EQ(j["schema"], 1);
  EXPECT_EQ(j["generated"], "2026-12-04T13:41:09Z");
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["finding_ids"], nlohmann::json::array({"driver-too-old"}));
  EXPECT_EQ(j["findings"][0]["env"], "/home/user/venv");
  EXPECT_EQ(j["driver"]["branch"], 470);
  EXPECT_EQ(j["gpus"][0]["cc"], "8.6");
  EXPECT_EQ(j["gpus"][0]["architecture"], "Ampere");
  EXPECT_EQ(j["install"]["variant"], d.best->variant->variant);
  EXPECT_TRUE(j["hostname"].is_null());  // the fixture has no hostname file
}

}  // namespace
}  // namespace cudafit
