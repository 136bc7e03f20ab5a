// check_requirements reads most Requires-Dist lines without parsing them (a marker whose top
// level demands one extra holds only for it). Its answer must be exactly the one of parsing
// and evaluating every line for every extra: checked here on lines written to trip a
// textual shortcut (an `or` inside quotes or parentheses, `!=`, `in`, extras that are
// substrings of others, names spelled with other separators and case).
#include <gtest/gtest.h>

#include "envs/read_env.h"
#include "versions/requirement.h"

namespace cudafit {
namespace {

InstalledPackage package(const std::string& name, const std::string& version,
                         std::vector<std::string> requires_dist) {
  InstalledPackage p;
  p.name = name;
  p.version = version;
  p.parsed = *Pep440Version::parse(version);
  p.location = "/v/lib/python3.12/site-packages";
  p.requires_dist = std::move(requires_dist);
  return p;
}

// Every line parsed and evaluated: what check_requirements must agree with.
std::vector<std::string> reference(const Environment& env) {
  std::map<std::string, std::string> markers{{"os_name", "posix"},
                                             {"sys_platform", "linux"},
                                             {"platform_system", "Linux"},
                                             {"platform_machine", "x86_64"},
                                             {"platform_python_implementation", "CPython"},
                                             {"implementation_name", "cpython"},
                                             {"python_version", "3.12"},
                                             {"python_full_version", "3.12.3"},
                                             {"implementation_version", "3.12.3"}};
  auto gpu = [](const Requirement& r) {
    const std::string n = r.normalized_name();
    return n.rfind("nvidia-", 0) == 0 || n.rfind("cuda-", 0) == 0 || n == "torch";
  };
  std::vector<std::string> out;
  for (const auto& p : env.packages) {
    for (const auto& line : p.requires_dist) {
      auto r = Requirement::parse(line);
      if (!r || !gpu(*r)) continue;
      markers["extra"] = "";
      if (!r->markers_hold(markers)) continue;
      out.push_back(p.name + " -> " + r->normalized_name() + r->specifier.str());
      const InstalledPackage* meta = env.find(r->normalized_name());
      if (!meta) continue;
      for (const auto& extra : r->extras)
        for (const auto& sub : meta->requires_dist) {
          auto s = Requirement::parse(sub);
          if (!s || !gpu(*s) || sub.find("extra") == std::string::npos) continue;
          markers["extra"] = extra;
          if (s->markers_hold(markers))
            out.push_back(r->normalized_name() + "[" + normalize_package_name(extra) + "] -> " +
                          s->normalized_name() + s->specifier.str());
        }
    }
  }
  return out;
}

TEST(Requirements, ShortcutAgreesWithParsingEveryLine) {
  Environment env;
  env.python = Fact<std::string>::of("3.12.3", "pyvenv.cfg");
  env.packages.push_back(package(
      "torch", "2.11.0",
      {"cuda-toolkit[cublas,cu-rand,All]==13.0.2; platform_system == \"Linux\"",
       "nvidia-cudnn-cu13==9.19.0.56; platform_system == \"Linux\"", "nvidia-a==1; extra == \"x\"",
       "nvidia-b==1; python_version >= \"3\" or extra == \"x\"", "nvidia-c==1; extra != \"x\"",
       "nvidia-d==1; platform_release == \"a or b\" and extra == \"x\"",
       "nvidia-e==1; (extra == \"x\" or python_version >= \"3\")", "nvidia-f==1; extra == ''",
       "nvidia-g==1; sys_platform==\"linux\"and extra==\"x\"",
       "nvidia-h==1;extra=='x'or python_version>='3'", "filelock; extra == \"x\""}));
  env.packages.push_back(package(
      "cuda-toolkit", "13.0.2",
      {"nvidia-cublas==13.1.0.3.*; (sys_platform == 'linux' or sys_platform == 'win32') and "
       "extra == 'cublas'",
       "nvidia-cublas==13.1.0.3.*; (sys_platform == 'linux' or sys_platform == 'win32') and "
       "extra == 'all'",
       "nvidia-curand==10.4.0.35.*; sys_platform == 'linux' and extra == 'cu_rand'",
       "nvidia-curand-x==1; extra == 'cu'",
       "nvidia-cufft==12.0.0.61.*; sys_platform == 'win32' and extra == 'cufft'",
       "nvidia-nvjitlink==13.0.88.*; extra != 'cublas'",
       "nvidia-nvtx==13.0.85.*; extra in 'cublas,nvtx'",
       "nvidia-cuda-runtime==13.0.96.*; extra == 'CUBLAS' or extra == 'nvtx'",
       "nvidia-misc==1; python_version < '3.9' or extra == 'cublas'",
       "nvidia-sorted==1; extra > 'a'"}));
  env.packages.push_back(package("nvidia-cublas", "13.1.0.3", {}));
  check_requirements(env);
  std::vector<std::string> got;
  for (const auto& r : env.requirements)
    got.push_back(r.required_by + " -> " + r.name + r.specifier);
  auto want = reference(env);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_GE(want.size(), 10u);  // the table exercises both outcomes
}

// METADATA is read up to its header's end; a header longer than the first read (hundreds of
// Requires-Dist lines) is read whole, and the description after it never counts.
TEST(Requirements, LongHeadersAreReadWhole) {
  for (int lines : {3, 600}) {
    MemoryHost h;
    std::string md = "Metadata-Version: 2.1\nName: torch\nVersion: 2.11.0\n";
    for (int i = 0; i < lines; ++i)
      md +=
          "Requires-Dist: nvidia-lib" + std::to_string(i) + "==1.0; platform_system == \"Linux\"\n";
    md += "\nRequires-Dist: nvidia-in-the-description==1\n" + std::string(20000, 'x') + "\n";
    h.add_file("/s/torch-2.11.0.dist-info/METADATA", md);
    std::vector<std::string> notes;
    auto pkgs = read_site_packages(h, "/s", true, &notes);
    ASSERT_EQ(pkgs.size(), 1u);
    EXPECT_EQ(pkgs[0].requires_dist.size(), static_cast<std::size_t>(lines)) << lines;
    EXPECT_GT(md.find("\n\n"), 8192u * (lines > 100));  // the long one's header passes 8 kB
  }
}

}  // namespace
}  // namespace cudafit
