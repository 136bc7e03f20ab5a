// --output writes atomically (a reader never sees part of a file), and the deploy/ examples
// pass their real validators: kubernetes-validate against a Kubernetes schema, and
// systemd-analyze verify.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/cli_run.h"
#include "export/atomic_write.h"
#include "export/tool_run.h"
#include "util/temp_tree.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = CUDAFIT_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicWrite, AReaderNeverSeesAPartialFile) {
  const fs::path dir = testing::make_temp_dir("cudafit-atomic");
  const fs::path file = dir / "cudafit.prom";
  // Two contents of different sizes: a torn read would show a mix or a cut.
  const std::string a(300000, 'a'), b = std::string(120000, 'b') + "\n";
  ASSERT_TRUE(write_file_atomically(file.string(), a));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (!done) {
      std::string seen = slurp(file);
      ++reads;
      if (seen != a && seen != b) ++torn;
    }
  });
  for (int i = 0; i < 300; ++i) {
    Status s = write_file_atomically(file.string(), i % 2 ? a : b);
    ASSERT_TRUE(s) << s.error();
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 10);
  // No temporary file left behind, and the mode node_exporter and NFD can read.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  fs::remove_all(dir);
}

TEST(AtomicWrite, ErrorsNameThePath) {
  Status s = write_file_atomically("/nonexistent-dir-cudafit/x.prom", "x");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("/nonexistent-dir-cudafit/x.prom"), std::string::npos) << s.error();
  EXPECT_FALSE(write_file_atomically("", "x"));
}

TEST(ExportCli, OutputFileWhileAReaderLoops) {
  const fs::path m = kSource / "tests/machines/doctor-driver-470-cu121";
  const fs::path dir = testing::make_temp_dir("cudafit-export-cli");
  const fs::path file = dir / "cudafit.prom";
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    while (!done) {
      // Not written yet. Once it is, rename() keeps a file at that name at every moment.
      if (!fs::exists(file)) continue;
      std::string seen = slurp(file);
      ++reads;
      if (seen.find("cudafit_run_duration_seconds") == std::string::npos) ++torn;
    }
  });
  for (int i = 0; i < 20; ++i) {
    auto r = testing::run({"--root", (m / "root").string(), "--env-file", (m / "env.txt").string(),
                           "export", "prometheus", "--no-driver-libs", "--output", file.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load();
  EXPECT_NE(slurp(file).find("cudafit_finding{id=\"driver-too-old\""), std::string::npos);
  // Bad arguments: exit 2 with a message.
  auto bad = testing::run({"--root", (m / "root").string(), "export", "nfd", "--prefix", "Bad_"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("label prefix"), std::string::npos) << bad.err;
  auto unknown = testing::run({"--root", (m / "root").string(), "export", "yaml"});
  EXPECT_EQ(unknown.code, 2);
  fs::remove_all(dir);
}

TEST(Deploy, DaemonSetValidatesAgainstKubernetesSchema) {
  const std::string validate = testing::pytools_bin("kubernetes-validate");
  ASSERT_FALSE(validate.empty())
      << "kubernetes-validate missing: configure with -DCUDAFIT_PYTOOLS=$(bash scripts/pytools.sh)";
  const fs::path manifest = kSource / "deploy/kubernetes/cudafit-nfd.yaml";
  // Kubernetes 1.33: a release still in support when this was written; --strict refuses any
  // field the schema does not know.
  auto r = testing::run_tool(validate + " -k 1.33.0 --strict " + manifest.string());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("passed"), std::string::npos) << r.output;
  // The validator does refuse a wrong manifest (a field it does not know).
  const fs::path dir = testing::make_temp_dir("cudafit-k8s");
  std::string broken = slurp(manifest);
  broken.replace(broken.find("readOnly: true"), 14, "readOnly: yes-please");
  testing::write(dir / "broken.yaml", broken);
  auto bad = testing::run_tool(validate + " -k 1.33.0 --strict " + (dir / "broken.yaml").string());
  EXPECT_NE(bad.code, 0) << bad.output;
  // What the issue asks of it: read-only host mounts of /proc, /sys, /usr/lib, /etc; the
  // features.d folder written; an export nfd --output loop.
  const std::string python = testing::pytools_bin("python");
  const std::string script =
      "import sys, yaml\n"
      "d = yaml.safe_load(open(sys.argv[1]))\n"
      "spec = d['spec']['template']['spec']\n"
      "paths = {v['name']: v['hostPath']['path'] for v in spec['volumes']}\n"
      "c = spec['containers'][0]\n"
      "for m in c['volumeMounts']:\n"
      "  print(paths[m['name']], m['mountPath'], m.get('readOnly', False))\n"
      "print('export-nfd', 'export nfd' in c['args'][0] and '--output /features.d/' in "
      "c['args'][0])\n";
  auto mounts =
      testing::run_tool(python + " -c " + testing::sh_quote(script) + " " + manifest.string());
  EXPECT_EQ(mounts.code, 0) << mounts.output;
  for (const char* want :
       {"/proc /host/proc True", "/sys /host/sys True", "/usr/lib /host/usr/lib True",
        "/etc /host/etc True",
        "/etc/kubernetes/node-feature-discovery/features.d /features.d False", "export-nfd True"})
    EXPECT_NE(mounts.output.find(want), std::string::npos) << want << "\n" << mounts.output;
  fs::remove_all(dir);
}

TEST(Deploy, SystemdUnitsVerify) {
  const std::string analyze = testing::find_program("systemd-analyze");
  ASSERT_FALSE(analyze.empty()) << "systemd-analyze (Debian's systemd) is missing: bash "
                                   "scripts/deps.sh --test";
  const fs::path dir = testing::make_temp_dir("cudafit-systemd");
  // verify checks that ExecStart= is executable: point it at the cudafit just built.
  std::string service = slurp(kSource / "deploy/systemd/cudafit-prometheus.service");
  const std::string installed = "/usr/local/bin/cudafit";
  ASSERT_NE(service.find(installed), std::string::npos);
  service.replace(service.find(installed), installed.size(),
                  std::string(CUDAFIT_BINARY_DIR) + "/cudafit");
  testing::write(dir / "cudafit-prometheus.service", service);
  const std::string timer = slurp(kSource / "deploy/systemd/cudafit-prometheus.timer");
  EXPECT_NE(timer.find("OnCalendar=minutely"), std::string::npos);
  testing::write(dir / "cudafit-prometheus.timer", timer);
  const std::string units = (dir / "cudafit-prometheus.service").string() + " " +
                            (dir / "cudafit-prometheus.timer").string();
  auto r = testing::run_tool(analyze + " verify " + units);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "systemd-analyze had remarks";
  // And it does refuse a broken timer.
  std::string broken = timer;
  broken.replace(broken.find("minutely"), 8, "every-minute-please");
  testing::write(dir / "cudafit-prometheus.timer", broken);
  auto bad = testing::run_tool(analyze + " verify " + units);
  EXPECT_NE(bad.code, 0) << bad.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cudafit
