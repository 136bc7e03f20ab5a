// doctor's kernel reading end to end: real fatbins (the nvcc-built fixtures committed under
// tests/binary/fixtures and tests/doctor/fixtures) installed as a package's extension, found
// through its dist-info RECORD by scan_package_kernels, judged by the arch rules against the
// machine's GPU; and the KernelCache, which must never change an answer.
#include <gtest/gtest.h>

#include <sched.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "binary/kernel_scan.h"
#include "doctor/kernels.h"
#include "doctor_fixtures.h"
#include "util/strings.h"

namespace cudafit::testing {
namespace {

const std::string kVenv = "/home/u/venv";

std::string fixture(const std::string& name) {
  std::string dir =
      name.rfind("lab_ext", 0) == 0 ? "/tests/doctor/fixtures/" : "/tests/binary/fixtures/";
  std::ifstream in(std::string(CUDAFIT_SOURCE_DIR) + dir + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A wheel-installed package: its files and a dist-info whose RECORD lists them.
void install(MemoryHost& host, const std::string& sp, const std::string& name,
             const std::string& version, const std::map<std::string, std::string>& files) {
  std::string record;
  for (const auto& [rel, bytes] : files) {
    host.add_file(sp + "/" + rel, bytes);
    record += rel + ",sha256=x," + std::to_string(bytes.size()) + "\n";
  }
  const std::string di = sp + "/" + name + "-" + version + ".dist-info";
  record += name + "-" + version + ".dist-info/RECORD,,\n";
  host.add_file(di + "/RECORD", record);
  host.add_file(di + "/METADATA", "Name: " + name + "\nVersion: " + version + "\n");
}

KernelScanOptions defaults() { return {}; }

struct Row {
  const char* what;
  const char* driver;  // with its CUDA (driver-branches.csv)
  const char* driver_cuda;
  const char* fixture;   // installed as xformers/_C.so
  const char* gpu_name;  // data/gpus.csv
  unsigned device;
  const char* cc;
  std::vector<std::string> ids;  // expected findings, sorted "severity id"
};

TEST(DoctorKernels, RealFatbinsAgainstTheGpu) {
  // multi.so: two containers, k1 with SASS sm_80 only and k2 with sm_80 + sm_90
  // (tests/binary/extra.cmake). uncompressed.fatbin: SASS sm_80 + PTX compute_80 of PTX ISA 9.0
  // (CUDA 13.0's nvcc), which a driver JITs only from CUDA 13.0 on (cuda.csv ptx_isa).
  const Row rows[] = {
      {"sm_80 SASS runs on an RTX 3090 (8.6)",
       "570.133.07",
       "12.8",
       "multi.so",
       "GeForce RTX 3090",
       0x2204,
       "8.6",
       {}},
      {"an H100 (9.0): k1 has no code for it",
       "570.133.07",
       "12.8",
       "multi.so",
       "H100",
       0x2330,
       "9.0",
       {"error arch-unsupported"}},
      {"an A100 (8.0): all SASS",
       "570.133.07",
       "12.8",
       "uncompressed.fatbin",
       "A100",
       0x20b0,
       "8.0",
       {}},
      {"an H100 on driver 580 (CUDA 13.0) JITs the PTX",
       "580.95.05",
       "13.0",
       "uncompressed.fatbin",
       "H100",
       0x2330,
       "9.0",
       {"warning arch-ptx-jit"}},
      {"an H100 on driver 570 (CUDA 12.8) cannot JIT ISA 9.0",
       "570.133.07",
       "12.8",
       "uncompressed.fatbin",
       "H100",
       0x2330,
       "9.0",
       {"error arch-unsupported"}},
      {"an RTX 5090 (12.0): nothing in multi.so",
       "570.133.07",
       "12.8",
       "multi.so",
       "GeForce RTX 5090",
       0x2b85,
       "12.0",
       {"error arch-unsupported"}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.what);
    std::string bytes = fixture(r.fixture);
    ASSERT_GT(bytes.size(), 100u) << r.fixture;
    Machine m = machine_with_driver(r.driver, r.driver_cuda, {gpu(0, r.gpu_name, r.device, r.cc)});
    m.environments.push_back(venv(kVenv, {torch_pkg("2.7.0+cu128", "12.8", site(kVenv)),
                                          pkg("xformers", "0.0.30", site(kVenv))}));
    MemoryHost host;
    install(host, site(kVenv), "xformers", "0.0.30",
            {{"xformers/_C.so", bytes}, {"xformers/__init__.py", ""}});
    std::vector<PackageKernels> kernels = scan_package_kernels(host, m, kb(), defaults());
    ASSERT_EQ(kernels.size(), 1u);
    EXPECT_EQ(kernels[0].package, "xformers");
    EXPECT_EQ(kernels[0].library, site(kVenv) + "/xformers/_C.so");
    EXPECT_FALSE(kernels[0].containers.empty());
    std::vector<std::string> got;
    for (const std::string& id : ids_of(run(m, kernels)))
      if (id.find("arch-") != std::string::npos) got.push_back(id);
    EXPECT_EQ(got, r.ids);
  }
}

// A package with no GPU code, or nvidia-* wheels (NVIDIA's own libraries), gives nothing.
TEST(DoctorKernels, OnlyPackagesWithGpuCode) {
  Machine m = machine_with_driver("570.133.07", "12.8", {gpu(0, "H100", 0x2330, "9.0")});
  m.environments.push_back(venv(kVenv, {pkg("xformers", "0.0.30", site(kVenv)),
                                        pkg("nvidia-cublas-cu12", "12.8.3.14", site(kVenv))}));
  MemoryHost host;
  install(host, site(kVenv), "xformers", "0.0.30",
          {{"xformers/_C.so",
            "\x7f"
            "ELF not really"}});
  install(host, site(kVenv), "nvidia_cublas_cu12", "12.8.3.14",
          {{"nvidia/cublas/lib/libcublas.so.12", fixture("multi.so")}});
  EXPECT_TRUE(scan_package_kernels(host, m, kb(), defaults()).empty());
}

// torch is judged from data/torch-arch-lists.csv when it has the build; other packages from
// their binaries by default (a lab extension with any name); --kernels reads torch too.
TEST(DoctorKernels, WhatIsReadByDefault) {
  Machine m =
      machine_with_driver("580.95.05", "13.0", {gpu(0, "GeForce RTX 5090", 0x2b85, "12.0")});
  m.environments.push_back(venv(kVenv, {torch_pkg("2.7.0+cu128", "12.8", site(kVenv))}));
  MemoryHost host;
  install(host, site(kVenv), "torch", "2.7.0+cu128",
          {{"torch/lib/libtorch_cuda.so", fixture("multi.so")}});
  install(host, site(kVenv), "lab_ext", "0.1.0",
          {{"lab_ext/_C.cpython-311-x86_64-linux-gnu.so", fixture("lab_ext_sm80.so")},
           {"lab_ext/__init__.py", ""}});
  auto by_default = scan_package_kernels(host, m, kb(), defaults());
  ASSERT_EQ(by_default.size(), 1u);
  EXPECT_EQ(by_default[0].package, "lab-ext");
  EXPECT_EQ(by_default[0].version, "0.1.0");
  EXPECT_EQ(ids_of(run(m, by_default)), std::vector<std::string>{"error arch-unsupported"});
  KernelScanOptions all;
  all.everything = true;
  EXPECT_EQ(scan_package_kernels(host, m, kb(), all).size(), 2u);
}

// The committed nvcc outputs carry what their names say (tests/doctor/fixtures/README.md).
TEST(DoctorKernels, LabExtensionFixtures) {
  const std::pair<const char*, const char*> rows[] = {
      {"lab_ext_sm80.so", "sm_80"},
      {"lab_ext_sm80_sm120.so", "sm_80 sm_120"},
      {"lab_ext_ptx80.so", "compute_80"},
  };
  for (const auto& [name, arch_list] : rows) {
    CodeSummary s = summarize(scan_bytes(fixture(name), name));
    EXPECT_EQ(join(s.arch_list, " "), arch_list) << name;
    EXPECT_EQ(s.code_containers, 1u) << name;
  }
}

// ---- KernelCache ----

namespace fs = std::filesystem;

// A real tree under a temporary root: a venv with lab-ext, and a HOME with ~/.cache.
struct CacheTree {
  fs::path root;
  std::string lib;
  CacheTree() {
    root = fs::temp_directory_path() /
           ("cudafit-kcache-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(root);
    const std::string sp = site(kVenv);
    lib = sp + "/lab_ext/_C.so";
    write(lib, fixture("lab_ext_sm80.so"));
    write(sp + "/lab_ext-0.1.0.dist-info/RECORD", "lab_ext/_C.so,sha256=x,1\n");
    fs::create_directories(root / "home/u/.cache");
  }
  ~CacheTree() { fs::remove_all(root); }
  static int& counter() {
    static int n = 0;
    return n;
  }
  void write(const std::string& path, const std::string& bytes) const {
    fs::path p = root / path.substr(1);
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }
  RootedHost host() const { return RootedHost(root.string(), {{{"HOME", "/home/u"}}}); }
};

Machine rtx5090() {
  Machine m =
      machine_with_driver("580.95.05", "13.0", {gpu(0, "GeForce RTX 5090", 0x2b85, "12.0")});
  m.environments.push_back(venv(kVenv, {}));
  return m;
}

std::vector<std::string> answer(const RootedHost& host, KernelCache* cache) {
  Machine m = rtx5090();
  KernelScanOptions o;
  o.cache = cache;
  return ids_of(run(m, scan_package_kernels(host, m, kb(), o)));
}

TEST(KernelCache, HitsMissesAndDamageNeverChangeTheAnswer) {
  CacheTree t;
  RootedHost host = t.host();
  const std::vector<std::string> truth = answer(host, nullptr);
  ASSERT_EQ(truth, std::vector<std::string>{"error arch-unsupported"});
  const std::string path = KernelCache::default_path(host);
  EXPECT_EQ(path, "/home/u/.cache/cudafit/kernels-v1.tsv");

  KernelCache first = KernelCache::load(host, path);  // no file yet: a miss
  EXPECT_EQ(answer(host, &first), truth);
  ASSERT_TRUE(first.save(host).ok());
  const fs::path disk = t.root / path.substr(1);
  ASSERT_TRUE(fs::exists(disk));

  KernelCache second = KernelCache::load(host, path);  // a hit
  auto stamp = stamp_of(host, t.lib);
  ASSERT_TRUE(stamp.has_value());
  ASSERT_NE(second.find_file(t.lib, *stamp), nullptr);
  EXPECT_EQ(encode_containers(*second.find_file(t.lib, *stamp)), "sm_80");
  EXPECT_EQ(answer(host, &second), truth);

  // The hit is what answers: a (valid) entry saying sm_120 silences the finding...
  KernelCache planted = KernelCache::load(host, path);
  planted.put_file(t.lib, *stamp, *decode_containers("sm_120"));
  EXPECT_EQ(answer(host, &planted), std::vector<std::string>{});
  // ...until the file changes: a new size or mtime is a miss, read from the binary.
  // (A host takes the tree as fixed for its life, as one cudafit run does: a new run sees it.)
  t.write(t.lib.substr(0), fixture("lab_ext_sm80.so") + std::string(8, '\0'));
  EXPECT_EQ(answer(t.host(), &planted), truth);

  // Damaged cache files: ignored whole or line by line, never a different answer.
  std::string good;
  {
    std::ifstream in(disk, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    good = ss.str();
  }
  std::vector<std::string> damaged = {"", "garbage\n", good.substr(0, good.size() / 2),
                                      std::string(4096, '\xff'),
                                      good + "F\tx\t1\t2\tsm_120\tbad\n"};
  for (std::size_t at = 0; at < good.size(); at += 7) {
    std::string flip = good;
    flip[at] = static_cast<char>(flip[at] ^ 0x01);
    damaged.push_back(flip);
  }
  for (const std::string& bytes : damaged) {
    std::ofstream(disk, std::ios::binary | std::ios::trunc) << bytes;
    KernelCache c = KernelCache::load(host, path);
    EXPECT_EQ(answer(host, &c), truth) << bytes.size() << " bytes";
    EXPECT_TRUE(c.save(host).ok());
  }
}

// Loading only indexes lines: one never looked up is written back as it was, a stale one
// (looked up with another stamp) is dropped, and a damaged one is found when checked.
TEST(KernelCache, LinesCheckedWhenLookedUpKeptWhenNot) {
  CacheTree t;
  RootedHost host = t.host();
  const std::string path = KernelCache::default_path(host);
  const FileStamp a{1, 2}, b{3, 4}, r{5, 6};
  {
    KernelCache c = KernelCache::load(host, path);
    c.put_file("/x/a.so", a, *decode_containers("sm_80"));
    c.put_file("/x/b.so", b, {});
    c.put_record("/x/a-1.dist-info/RECORD", r, {"/x/a.so", "/x/b.so"});
    ASSERT_TRUE(c.save(host).ok());
  }
  {
    KernelCache c = KernelCache::load(host, path);
    const auto* hit = c.find_file("/x/a.so", a);
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(encode_containers(*hit), "sm_80");
    EXPECT_EQ(c.find_record("/x/a-1.dist-info/RECORD", FileStamp{5, 7}), nullptr);  // stale
    ASSERT_TRUE(c.save(host).ok());  // b.so never looked up: kept as it was
    EXPECT_EQ(c.lines_ignored(), 0u);
  }
  const fs::path disk = t.root / path.substr(1);
  std::string text;
  {
    KernelCache c = KernelCache::load(host, path);
    const auto* empty = c.find_file("/x/b.so", b);
    ASSERT_NE(empty, nullptr);
    EXPECT_TRUE(empty->empty());
    EXPECT_EQ(c.find_record("/x/a-1.dist-info/RECORD", r), nullptr);  // dropped
    std::ifstream in(disk, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  // One byte of b.so's line changed: found by check_all(), which save() runs, and a miss.
  const auto at = text.find("/x/b.so");
  ASSERT_NE(at, std::string::npos);
  text[at + 3] = 'c';  // "/x/c.so": the checksum no longer matches
  std::ofstream(disk, std::ios::binary | std::ios::trunc) << text;
  KernelCache c = KernelCache::load(host, path);
  c.check_all();
  EXPECT_EQ(c.lines_ignored(), 1u);
  EXPECT_EQ(c.find_file("/x/c.so", b), nullptr);
  EXPECT_NE(c.find_file("/x/a.so", a), nullptr);
}

// The stamps prefetch_stamps() takes on a second thread, beside detection, are the files' own:
// a planted line answers while its file is unchanged, and a changed file is a miss. Files the
// thread leaves alone (a link, one not cached) and gone ones get the stamp stat_once gives.
TEST(KernelCache, PrefetchedStampsAreTheFilesStamps) {
  CacheTree t;
  const std::string sp = site(kVenv);
  const std::string record = sp + "/lab_ext-0.1.0.dist-info/RECORD";
  t.write(sp + "/other/_x.so", "not an ELF file");
  t.write(sp + "/other/_gone.so", "removed after the first run");
  t.write(sp + "/other-1.0.dist-info/RECORD",
          "other/_x.so,sha256=x,15\nother/_gone.so,,\nother/_link.so,,\n");
  fs::create_symlink("_x.so", t.root / (sp.substr(1) + "/other/_link.so"));
  RootedHost host = t.host();
  const std::vector<std::string> truth = answer(host, nullptr);
  ASSERT_EQ(truth, std::vector<std::string>{"error arch-unsupported"});
  const std::string path = KernelCache::default_path(host);
  {
    KernelCache c = KernelCache::load(host, path);
    ASSERT_EQ(answer(host, &c), truth);
    auto stamp = stamp_of(host, t.lib);
    ASSERT_TRUE(stamp.has_value());
    c.put_file(t.lib, *stamp, *decode_containers("sm_120"));  // planted: silences the finding
    ASSERT_TRUE(c.save(host).ok());
  }
  fs::remove(t.root / (sp.substr(1) + "/other/_gone.so"));
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  for (int changed = 0; changed < 2; ++changed) {
    RootedHost fresh = t.host();
    KernelCache c = KernelCache::load(fresh, path);
    EXPECT_EQ(c.prefetch_stamps(fresh), CPU_COUNT(&cpus) > 1);
    EXPECT_FALSE(c.prefetch_stamps(fresh));  // once
    const std::vector<std::string> paths = {t.lib,
                                            record,
                                            sp + "/other/_x.so",
                                            sp + "/other/_gone.so",
                                            sp + "/other/_link.so",
                                            sp + "/not/cached.so"};
    // Asked at once (what the thread has not reached is taken now), then once it is done:
    // every line's file but the link is answered by the thread.
    for (int waited = 0; waited < 2; ++waited) {
      if (waited) c.finish_prefetch();
      const std::size_t before = c.stamps_prefetched();
      for (const std::string& p : paths) {
        const auto want = stamp_of(fresh, p);
        const auto got = c.stamp(fresh, p, p == record);
        ASSERT_EQ(got.has_value(), want.has_value()) << p;
        if (want) {
          EXPECT_EQ(*got, *want) << p;
        }
      }
      if (waited) {
        EXPECT_EQ(c.stamps_prefetched() - before, CPU_COUNT(&cpus) > 1 ? 4u : 0u);
      }
    }
    EXPECT_EQ(answer(fresh, &c), changed ? truth : std::vector<std::string>{}) << changed;
    t.write(t.lib, fixture("lab_ext_sm80.so") + std::string(8, '\0'));
  }
}

// The prefetch stats the environments doctor reads by default first: a cache that holds the
// lines of many environments does not keep the active one's stamps waiting.
TEST(KernelCache, PrefetchRanksTheActiveEnvironmentFirst) {
  MemoryHost host;
  const std::string venv = "/home/u/venv/lib/python3.12/site-packages";
  const std::string conda = "/opt/conda/envs/ml/lib/python3.11/site-packages";
  const std::string other = "/opt/other/lib/python3.12/site-packages";
  EXPECT_EQ(prefetch_rank(host, venv), 2);
  host.set_env("PATH", "/usr/bin:/opt/other/bin:/bin");
  EXPECT_EQ(prefetch_rank(host, other), 1);
  EXPECT_EQ(prefetch_rank(host, venv), 2);
  host.set_env("VIRTUAL_ENV", "/home/u/venv/");
  host.set_env("CONDA_PREFIX", "/opt/conda/envs/ml");
  EXPECT_EQ(prefetch_rank(host, venv), 0);
  EXPECT_EQ(prefetch_rank(host, conda), 0);
  EXPECT_EQ(prefetch_rank(host, other), 1);
  // A prefix is a whole folder: /home/u/venv2 is not inside /home/u/venv.
  EXPECT_EQ(prefetch_rank(host, "/home/u/venv2/lib/python3.12/site-packages"), 2);
  host.set_env("VIRTUAL_ENV", "/");
  EXPECT_EQ(prefetch_rank(host, venv), 2);
}

TEST(KernelCache, NoCacheFolderNoWrite) {
  CacheTree t;
  fs::remove_all(t.root / "home/u/.cache");
  RootedHost host = t.host();
  KernelCache c = KernelCache::load(host, KernelCache::default_path(host));
  EXPECT_EQ(answer(host, &c), std::vector<std::string>{"error arch-unsupported"});
  EXPECT_FALSE(c.save(host).ok());
  EXPECT_FALSE(fs::exists(t.root / "home/u/.cache"));
  MemoryHost bare;  // neither XDG_CACHE_HOME nor HOME
  EXPECT_EQ(KernelCache::default_path(bare), "");
  bare.set_env("XDG_CACHE_HOME", "/x/cache");
  EXPECT_EQ(KernelCache::default_path(bare), "/x/cache/cudafit/kernels-v1.tsv");
}

TEST(KernelCache, ContainersRoundTrip) {
  for (const char* text : {"-", "sm_80", "sm_80,compute_80@9.0;sm_90a,sm_120f", "compute_121@9.1",
                           "3*sm_80;sm_90;2*sm_80,compute_80@9.0;sm_80"}) {
    auto c = decode_containers(text);
    ASSERT_TRUE(c.has_value()) << text;
    EXPECT_EQ(encode_containers(*c), text);
  }
  // Runs: equal neighbours are one run with its count, in their order.
  auto runs = decode_containers("3*sm_80;sm_90;2*sm_80,compute_80@9.0;sm_80");
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->size(), 7u);
  EXPECT_EQ(encode_containers({(*runs)[0]}), "sm_80");
  EXPECT_EQ(encode_containers({(*runs)[2]}), "sm_80");
  EXPECT_EQ(encode_containers({(*runs)[3]}), "sm_90");
  EXPECT_EQ(encode_containers({(*runs)[5]}), "sm_80,compute_80@9.0");
  EXPECT_EQ(encode_containers({(*runs)[6]}), "sm_80");
  KernelCache::Containers many(1376, (*runs)[3]);
  EXPECT_EQ(encode_containers(many), "1376*sm_90");
  for (const char* bad :
       {"", "sm_80;", "sm_80,,sm_90", "sm_80@9.0", "compute_80@", "lto_75", "sm_8x", "SM_80",
        "sm_080", "sm_80;sm_80", "2*sm_80;sm_80", "1*sm_80", "0*sm_80", "02*sm_80", "*sm_80", "2*",
        "x*sm_80", "18446744073709551615*sm_80", "1048576*sm_80;sm_90",
        // Entries are counted, not containers: 524,288 of three is 1.5M entries.
        "524288*sm_80,sm_90,compute_90@8.8", "262144*sm_80,sm_86,sm_89,sm_90;sm_100"}) {
    EXPECT_FALSE(decode_containers(bad).has_value()) << bad;
  }
  // cuFFT's size (24,000 containers of two entries) is well inside.
  auto cufft = decode_containers("24000*sm_80,sm_90");
  ASSERT_TRUE(cufft.has_value());
  EXPECT_EQ(cufft->size(), 24000u);
}

}  // namespace
}  // namespace cudafit::testing

namespace cudafit::testing {
namespace {

PackageKernels lib(const std::string& package, const std::string& file, const char* sass) {
  PackageKernels k{kVenv, package, "1.0", site(kVenv) + "/" + file, {}};
  k.containers.push_back({CodeEntry{cc(sass), false, ""}});
  return k;
}

// Per package: every library must serve the GPU, but of libraries that are alternatives per
// CUDA release (bitsandbytes 0.45 ships libbitsandbytes_cuda118.so ... _cuda128.so and loads the
// one matching torch's CUDA) the best one counts.
TEST(DoctorKernels, AlternativesPerCudaReleaseAndLibrariesThatAllLoad) {
  Machine m =
      machine_with_driver("580.95.05", "13.0", {gpu(0, "GeForce RTX 5090", 0x2b85, "12.0")});
  m.environments.push_back(venv(kVenv, {}));
  struct AltRow {
    const char* what;
    std::vector<PackageKernels> kernels;
    std::vector<std::string> ids;
  };
  const AltRow rows[] = {
      {"bitsandbytes: the cu128 build has sm_120",
       {lib("bitsandbytes", "bitsandbytes/libbitsandbytes_cuda118.so", "sm_80"),
        lib("bitsandbytes", "bitsandbytes/libbitsandbytes_cuda128.so", "sm_120")},
       {}},
      {"bitsandbytes: no build has sm_120",
       {lib("bitsandbytes", "bitsandbytes/libbitsandbytes_cuda118.so", "sm_80"),
        lib("bitsandbytes", "bitsandbytes/libbitsandbytes_cuda124.so", "sm_90")},
       {"error arch-unsupported"}},
      {"torch-scatter: two libraries, both load; one lacks sm_120",
       {lib("torch-scatter", "torch_scatter/_scatter_cuda.so", "sm_120"),
        lib("torch-scatter", "torch_scatter/_segment_cuda.so", "sm_80")},
       {"error arch-unsupported"}},
  };
  for (const AltRow& r : rows) EXPECT_EQ(ids_of(run(m, r.kernels)), r.ids) << r.what;
}

}  // namespace
}  // namespace cudafit::testing
