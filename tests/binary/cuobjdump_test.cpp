// cudafit against NVIDIA's cuobjdump (nvidia-cuda-cuobjdump from PyPI, pinned in
// scripts/pytools-requirements.txt) over every CUDA 13.0 library of the build machine.
//
// cuobjdump lists the entries of the "executable fatbin" (.nv_fatbin; __nv_relfatbin when a file
// has no .nv_fatbin), whether the runtime registers them or not, and nothing elsewhere. So the
// entries cudafit reads in that section must be exactly cuobjdump's, arch and `a`/`f` variant
// included (its -res-usage headers print "arch = sm_120f"; --list-elf file names drop the `f`).
// What cudafit reports beyond that (README "kernels"): containers in other sections (cuBLASLt's
// .cask_resource, cuFFT's .ldata: loaded by the library itself), and, among runnable code, it
// leaves out link inputs and kernel-less stubs that cuobjdump lists.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "binary/kernel_scan.h"
#include "util/strings.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

const char* kToolkitLib = "/usr/local/cuda-13.0/lib";

std::string cuobjdump_path() {
  std::string venv = CUDAFIT_PYTOOLS;
  if (venv.empty()) return "";
  for (const char* py : {"python3.11", "python3.12", "python3.13", "python3.10"}) {
    fs::path p = fs::path(venv) / "lib" / py / "site-packages/nvidia/cu13/bin/cuobjdump";
    if (fs::exists(p)) return p.string();
  }
  return "";
}

// stdout of a command run by the test itself (not by cudafit).
std::string capture(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  if (!pipe) return out;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out;
}

// "sass sm_120f" / "ptx sm_120" -> count, from `cuobjdump -res-usage`: each entry starts with a
// "Fatbin elf code:" or "Fatbin ptx code:" banner and names its target in an "arch = " line.
std::map<std::string, std::size_t> cuobjdump_entries(const std::string& tool,
                                                     const std::string& lib) {
  std::map<std::string, std::size_t> out;
  std::string text = capture("'" + tool + "' -res-usage '" + lib + "' 2>/dev/null");
  std::string kind;
  for (std::string_view line : split(text, '\n')) {
    if (starts_with(line, "Fatbin elf code")) kind = "sass";
    if (starts_with(line, "Fatbin ptx code")) kind = "ptx";
    if (starts_with(line, "Fatbin nvvm code")) kind = "";
    if (starts_with(line, "arch = ") && !kind.empty()) {
      ++out[kind + " " + std::string(trim(line.substr(7)))];
      kind.clear();
    }
  }
  return out;
}

// The same, from cudafit: the entries in the section cuobjdump reads. cuobjdump names PTX by
// its target as "sm_XY".
std::map<std::string, std::size_t> cudafit_entries(const BinaryCode& code) {
  bool has_exec = false;
  for (const FatbinContainer& c : code.containers) has_exec = has_exec || c.section == ".nv_fatbin";
  const std::string section = has_exec ? ".nv_fatbin" : "__nv_relfatbin";
  std::map<std::string, std::size_t> out;
  for (const FatbinContainer& c : code.containers) {
    if (c.section != section) continue;
    for (const FatbinEntry& e : c.entries) {
      if (e.kind == CodeKind::kSass) ++out["sass " + e.cc.sm()];
      if (e.kind == CodeKind::kPtx) ++out["ptx " + e.cc.sm()];
    }
  }
  return out;
}

std::string text(const std::map<std::string, std::size_t>& m) {
  std::string s;
  for (const auto& [k, n] : m) s += k + " x" + std::to_string(n) + "\n";
  return s;
}

std::size_t total(const std::map<std::string, std::size_t>& m, std::string_view kind) {
  std::size_t n = 0;
  for (const auto& [k, c] : m)
    if (starts_with(k, kind)) n += c;
  return n;
}

TEST(Cuobjdump, SameEntriesAsNvidiasToolOnEveryCuda13Library) {
  if (!fs::is_directory(kToolkitLib)) GTEST_SKIP() << kToolkitLib << " is absent on this machine";
  const std::string tool = cuobjdump_path();
  ASSERT_NE(tool, "") << "cuobjdump not found: run scripts/pytools.sh and configure with "
                         "-DCUDAFIT_PYTOOLS=<its output> (scripts/test.sh does)";
  std::vector<std::string> libs;
  for (const auto& e : fs::directory_iterator(kToolkitLib)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && !e.is_symlink() && name.find(".so") != std::string::npos)
      libs.push_back(e.path().string());
  }
  std::sort(libs.begin(), libs.end());
  ASSERT_FALSE(libs.empty());
  RootedHost host("/");
  std::size_t with_code = 0;
  std::cout << "library | cuobjdump ELF/PTX | cudafit same section ELF/PTX | cudafit runnable "
               "containers | not run\n";
  for (const std::string& lib : libs) {
    SCOPED_TRACE(lib);
    auto codes = scan_file(host, lib);
    ASSERT_EQ(codes.size(), 1u);
    EXPECT_EQ(codes[0].error, "");
    EXPECT_FALSE(codes[0].partial());
    auto theirs = cuobjdump_entries(tool, lib);
    auto ours = cudafit_entries(codes[0]);
    EXPECT_EQ(text(ours), text(theirs));
    if (theirs.empty() && codes[0].containers.empty()) continue;
    ++with_code;
    CodeSummary s = summarize(codes[0]);
    std::string not_run;
    for (const RoleSummary& r : s.roles) {
      if (!runnable(r.role))
        not_run += std::to_string(r.containers) + " " + to_string(r.role) + " ";
    }
    std::cout << path_basename(lib) << " | " << total(theirs, "sass") << "/" << total(theirs, "ptx")
              << " | " << total(ours, "sass") << "/" << total(ours, "ptx") << " | "
              << s.code_containers << " | " << not_run << "\n";
  }
  EXPECT_GE(with_code, 10u);  // cuBLAS(Lt), cuFFT, cuSPARSE, cuSOLVER, cuRAND, NCCL, cuDNN ...
}

}  // namespace
}  // namespace cudafit
