// sys.path order (envs/site_path.h): a table of layouts built in memory, each row's
// expectation taken from a line of CPython's Lib/site.py
// (python/cpython:Lib/site.py@00b300c39bdf67805735006417e4c9dde562cceb) or Debian's patch of
// it; then the same layouts built on disk and checked against what /usr/bin/python3 itself
// puts on sys.path.
#include "envs/site_path.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "envs/read_env.h"
#include "util/temp_tree.h"

namespace cudafit {
namespace {

// A site.py as CPython ships it (getsitepackages() builds "site-packages" paths) and as
// Debian patches it (a "dist-packages" literal): the only thing the rules read from it.
constexpr const char* kCPythonSitePy = "def getsitepackages(prefixes=None):\n    'site-packages'\n";
constexpr const char* kDebianSitePy =
    "            sitepackages.append(os.path.join(prefix, \"local/lib\",\n"
    "              \"python%d.%d\" % sys.version_info[:2],\n"
    "              \"dist-packages\"))\n";

struct Layout {
  const char* name;
  bool venv;
  bool system_site;
  bool debian;
  InterpreterFlags flags;
  std::map<std::string, std::string> env;
  std::vector<std::string> expected;  // sys.path after the standard library
  const char* why;
};

std::vector<std::string> paths(const SitePath& sp) {
  std::vector<std::string> out;
  for (const auto& e : sp.entries) out.push_back(e.path);
  return out;
}

// One machine for every row: a CPython-built Python at /opt/py (or Debian's at /usr), a venv
// /v made from it, a user site with a .pth, and system site-packages.
MemoryHost layout_host(bool debian, const std::map<std::string, std::string>& env) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  for (const auto& [k, v] : env) h.set_env(k, v);
  const std::string base = debian ? "/usr" : "/opt/py";
  h.add_file(base + "/lib/python3.12/site.py", debian ? kDebianSitePy : kCPythonSitePy);
  h.add_file("/v/pyvenv.cfg", "home = " + base + "/bin\n");
  h.add_dir("/v/lib/python3.12/site-packages");
  h.add_dir("/home/u/.local/lib/python3.12/site-packages");
  h.add_file("/home/u/.local/lib/python3.12/site-packages/b.pth", "/opt/b\n");
  h.add_file("/home/u/.local/lib/python3.12/site-packages/a.pth",
             "# comment\nimport sys\n/opt/a\n/opt/missing\n../../../../../../opt/rel\n");
  for (const char* d : {"/opt/a", "/opt/b", "/opt/rel", "/opt/pp", "/work/rel"}) h.add_dir(d);
  if (debian) {
    h.add_dir("/usr/local/lib/python3.12/dist-packages");
    h.add_dir("/usr/lib/python3/dist-packages");
  } else {
    h.add_dir("/opt/py/lib/python3.12/site-packages");
  }
  return h;
}

TEST(SitePath, LayoutsFollowSitePy) {
  const std::string user = "/home/u/.local/lib/python3.12/site-packages";
  const std::vector<std::string> user_pth{user, "/opt/a", "/opt/rel", "/opt/b"};
  auto cat = [](std::initializer_list<std::vector<std::string>> parts) {
    std::vector<std::string> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  const std::vector<Layout> rows = {
      {"venv, no system site",
       true,
       false,
       false,
       {},
       {},
       {"/v/lib/python3.12/site-packages"},
       "venv(): PREFIXES = [sys.prefix]; ENABLE_USER_SITE = False"},
      {"venv with system site",
       true,
       true,
       false,
       {},
       {},
       cat({{"/v/lib/python3.12/site-packages"},
            user_pth,
            {"/opt/py/lib/python3.12/site-packages"}}),
       "venv(): addsitepackages([sys.prefix]) before the user site; PREFIXES.insert(0, venv)"},
      {"system CPython (conda, pyenv: a prefix of its own)",
       false,
       false,
       false,
       {},
       {},
       cat({user_pth, {"/opt/py/lib/python3.12/site-packages"}}),
       "main(): addusersitepackages() before addsitepackages(PREFIXES)"},
      {"PYTHONNOUSERSITE",
       false,
       false,
       false,
       {},
       {{"PYTHONNOUSERSITE", "1"}},
       {"/opt/py/lib/python3.12/site-packages"},
       "check_enableusersite(): sys.flags.no_user_site"},
      {"PYTHONNOUSERSITE empty counts as unset",
       false,
       false,
       false,
       {},
       {{"PYTHONNOUSERSITE", ""}},
       cat({user_pth, {"/opt/py/lib/python3.12/site-packages"}}),
       "an empty PYTHON* variable is ignored (Python's config_get_env)"},
      {"python -s",
       true,
       true,
       false,
       {true, false},
       {},
       {"/v/lib/python3.12/site-packages", "/opt/py/lib/python3.12/site-packages"},
       "check_enableusersite(): -s"},
      {"python -E ignores PYTHONNOUSERSITE and PYTHONPATH",
       false,
       false,
       false,
       {false, true},
       {{"PYTHONNOUSERSITE", "1"}, {"PYTHONPATH", "/opt/pp"}},
       cat({user_pth, {"/opt/py/lib/python3.12/site-packages"}}),
       "-E: PYTHON* ignored"},
      {"PYTHONPATH first, relative and empty entries against the working folder",
       true,
       false,
       false,
       {},
       {{"PYTHONPATH", "/opt/pp:rel::/opt/pp"}},
       {"/opt/pp", "/work/rel", "/work", "/v/lib/python3.12/site-packages"},
       "getpath: PYTHONPATH entries made absolute; removeduppaths()"},
      {"PYTHONUSERBASE moves the user site",
       false,
       false,
       false,
       {},
       {{"PYTHONUSERBASE", "/home/u/.local"}},
       cat({user_pth, {"/opt/py/lib/python3.12/site-packages"}}),
       "_getuserbase(): PYTHONUSERBASE when non-empty"},
      {"Debian venv with system site",
       true,
       true,
       true,
       {},
       {},
       cat({{"/v/lib/python3.12/site-packages"},
            user_pth,
            {"/usr/local/lib/python3.12/dist-packages", "/usr/lib/python3/dist-packages"}}),
       "Debian getsitepackages(): site-packages only in a venv, then dist-packages"},
      {"Debian system python",
       false,
       false,
       true,
       {},
       {},
       cat({user_pth,
            {"/usr/local/lib/python3.12/dist-packages", "/usr/lib/python3/dist-packages"}}),
       "Debian getsitepackages() for /usr"},
  };
  for (const Layout& row : rows) {
    MemoryHost h = layout_host(row.debian, row.env);
    SitePathInput in;
    in.prefix = row.venv ? "/v" : (row.debian ? "/usr" : "/opt/py");
    in.venv = row.venv;
    in.base_prefix = row.venv ? (row.debian ? "/usr" : "/opt/py") : "";
    in.venv_system_site = row.system_site;
    in.python = "3.12.3";
    in.cwd = "/work";
    in.flags = row.flags;
    SitePath sp = site_path(h, in);
    EXPECT_EQ(paths(sp), row.expected) << row.name << " — " << row.why;
  }
}

TEST(SitePath, OriginsAndOwnFolders) {
  MemoryHost h = layout_host(false, {});
  SitePathInput in{"/v", true, "/opt/py", true, "3.12", "", {}};
  SitePath sp = site_path(h, in);
  ASSERT_GE(sp.entries.size(), 3u);
  EXPECT_EQ(sp.entries[0].origin, "site-packages");
  EXPECT_EQ(sp.entries[1].origin, "user site");
  EXPECT_EQ(sp.entries[2].origin, ".pth in /home/u/.local/lib/python3.12/site-packages");
  EXPECT_EQ(sp.entries.back().origin, "base site-packages");
  EXPECT_EQ(sp.own_site_dirs, std::vector<std::string>{"/v/lib/python3.12/site-packages"});
  EXPECT_TRUE(sp.user_site_enabled);
  EXPECT_NE(sp.rules.find("CPython site.py"), std::string::npos) << sp.rules;
}

TEST(SitePath, PyvenvCfgWithoutTheKeyIncludesSystemSite) {
  // venv(): system_site = "true" before the file is read; only the key can turn it off.
  MemoryHost h = layout_host(false, {});
  h.add_file("/v/pyvenv.cfg", "home = /opt/py/bin\nversion = 3.12.3\n");
  Environment env = read_environment(h, "/v", {"", "--env", false, ""});
  EXPECT_TRUE(env.include_system_site_packages);
  EXPECT_TRUE(env.user_site_on_path);
  EXPECT_EQ(env.sys_path.back(), "/opt/py/lib/python3.12/site-packages");
  h.add_file("/v/pyvenv.cfg",
             "home = /opt/py/bin\ninclude-system-site-packages = False\nversion = 3.12.3\n");
  env = read_environment(h, "/v", {"", "--env", false, ""});
  EXPECT_FALSE(env.include_system_site_packages);
  EXPECT_EQ(env.sys_path, std::vector<std::string>{"/v/lib/python3.12/site-packages"});
}

TEST(SitePath, Lib64PlatlibdirIsSearchedFirst) {
  // getsitepackages(): libdirs = [sys.platlibdir] + ["lib"] when platlibdir != "lib" (Fedora).
  MemoryHost h;
  h.add_file("/usr/lib64/python3.12/site.py", kCPythonSitePy);
  h.add_dir("/usr/lib64/python3.12/lib-dynload");
  h.add_dir("/usr/lib64/python3.12/site-packages");
  h.add_dir("/usr/lib/python3.12/site-packages");
  SitePath sp = site_path(h, {"/usr", false, "", true, "3.12", "", {}});
  // site.py itself lives under lib64 there; the rules fall back to CPython's.
  EXPECT_EQ(paths(sp), (std::vector<std::string>{"/usr/lib64/python3.12/site-packages",
                                                 "/usr/lib/python3.12/site-packages"}));
}

// ---- The same rules against the real interpreter ----

std::optional<std::string> sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return std::nullopt;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return pclose(p) == 0 ? std::optional<std::string>(out) : std::nullopt;
}

// What python prints for sys.path, without sys.path[0] ('' for -c) and the standard library
// (its folder, lib-dynload and the zip), which site_path leaves out.
constexpr const char* kPrintPath =
    "import sys, os, json; std = os.path.dirname(os.__file__); "
    "print(json.dumps([p for p in sys.path[1:] if p not in (std, std + '/lib-dynload') "
    "and not p.endswith('.zip')]))";

class RealInterpreter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
    auto v = sh("/usr/bin/python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'");
    if (!v) GTEST_SKIP() << "/usr/bin/python3 does not run";
    py_ = v->substr(0, v->find('\n'));
    dir_ = testing::make_temp_dir("cudafit-site").string();
    ASSERT_FALSE(dir_.empty());
    home_ = dir_ + "/home";
    user_ = home_ + "/.local/lib/python" + py_ + "/site-packages";
    testing::write(user_ + "/b.pth", dir_ + "/from-b\n");
    testing::write(user_ + "/a.pth", "# comment\nimport os\n../../../../../from-a\n/nowhere\n");
    std::filesystem::create_directories(dir_ + "/from-a");  // a.pth, relative
    std::filesystem::create_directories(dir_ + "/from-b");
    std::filesystem::create_directories(dir_ + "/work/rel");
    std::filesystem::create_directories(dir_ + "/pp");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra["HOME"] = home_;
    extra["PATH"] = "/usr/bin:/bin";
    return extra;
  }

  // sys.path as `python` prints it, run with exactly `vars` in its environment from `cwd`.
  std::vector<std::string> real(const std::string& python, const std::string& flags,
                                const std::map<std::string, std::string>& vars) const {
    std::string cmd = "cd " + dir_ + "/work && env -i";
    for (const auto& [k, v] : vars) cmd += " " + k + "='" + v + "'";
    cmd += " " + python + " " + flags + " -c \"" + kPrintPath + "\"";
    auto out = sh(cmd);
    EXPECT_TRUE(out.has_value()) << cmd;
    auto j = nlohmann::json::parse(out.value_or("[]"), nullptr, false);
    return j.is_array() ? j.get<std::vector<std::string>>() : std::vector<std::string>{};
  }

  // read_environment's sys.path for `prefix`, with the same variables.
  std::vector<std::string> ours(const std::string& prefix,
                                const std::map<std::string, std::string>& vars) const {
    RootedHost host("/", vars);
    return read_environment(host, prefix, {"", "--env", false, ""}, dir_ + "/work").sys_path;
  }

  std::string venv(const std::string& name, bool system_site) const {
    std::string v = dir_ + "/" + name;
    std::string cmd = "/usr/bin/python3 -m venv --without-pip " +
                      std::string(system_site ? "--system-site-packages " : "") + v;
    if (!sh(cmd)) return {};
    std::string site = v + "/lib/python" + py_ + "/site-packages";
    testing::write(site + "/z.pth", dir_ + "/pp\n");
    return v;
  }

  std::string py_, dir_, home_, user_;
};

TEST_F(RealInterpreter, VenvWithoutSystemSite) {
  std::string v = venv("v", false);
  if (v.empty()) GTEST_SKIP() << "python3 -m venv failed (python3-venv missing?)";
  auto got = ours(v, env());
  EXPECT_EQ(got, real(v + "/bin/python", "", env()));
  EXPECT_EQ(got.front(), v + "/lib/python" + py_ + "/site-packages");
  EXPECT_EQ(std::find(got.begin(), got.end(), user_), got.end());  // user site off
}

TEST_F(RealInterpreter, VenvWithSystemSiteComesBeforeUserSite) {
  std::string v = venv("v", true);
  if (v.empty()) GTEST_SKIP() << "python3 -m venv failed (python3-venv missing?)";
  auto got = ours(v, env());
  EXPECT_EQ(got, real(v + "/bin/python", "", env()));
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got[0], v + "/lib/python" + py_ + "/site-packages");
  EXPECT_EQ(got[1], dir_ + "/pp");  // its .pth entry, before the user site
  EXPECT_EQ(got[2], user_);
  EXPECT_EQ(got[3], dir_ + "/from-a");  // a.pth before b.pth, its relative line resolved
  EXPECT_EQ(got[4], dir_ + "/from-b");
}

TEST_F(RealInterpreter, SystemPythonPutsTheUserSiteFirst) {
  auto got = ours("/usr", env());
  EXPECT_EQ(got, real("/usr/bin/python3", "", env()));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), user_);
}

TEST_F(RealInterpreter, PythonNoUserSite) {
  auto vars = env({{"PYTHONNOUSERSITE", "1"}});
  auto got = ours("/usr", vars);
  EXPECT_EQ(got, real("/usr/bin/python3", "", vars));
  EXPECT_EQ(std::find(got.begin(), got.end(), user_), got.end());
}

TEST_F(RealInterpreter, DashSFlag) {
  std::string v = venv("v", true);
  if (v.empty()) GTEST_SKIP() << "python3 -m venv failed (python3-venv missing?)";
  RootedHost host("/", env());
  Environment e = read_environment(host, v, {"", "--env", false, ""}, dir_ + "/work");
  SitePathInput in{v, true, e.base_prefix, true, py_, dir_ + "/work", {true, false}};
  auto got = paths(site_path(host, in));
  EXPECT_EQ(got, real(v + "/bin/python", "-s", env()));
  EXPECT_EQ(std::find(got.begin(), got.end(), user_), got.end());
}

TEST_F(RealInterpreter, PythonPathEntries) {
  auto vars = env({{"PYTHONPATH", dir_ + "/pp:rel::" + dir_ + "/missing"}});
  auto got = ours("/usr", vars);
  EXPECT_EQ(got, real("/usr/bin/python3", "", vars));
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got[1], dir_ + "/work/rel");
}

// A prefix with its own interpreter and no pyvenv.cfg, as conda and pyenv make: the same
// binary copied into <prefix>/bin, its standard library reached through links.
TEST_F(RealInterpreter, PrefixOfItsOwnLikeConda) {
  namespace fs = std::filesystem;
  const std::string prefix = dir_ + "/conda";
  const std::string real_py = fs::canonical("/usr/bin/python3").string();
  const std::string stdlib = "/usr/lib/python" + py_;
  if (!fs::is_directory(stdlib)) GTEST_SKIP() << stdlib << " is not the interpreter's library";
  fs::create_directories(prefix + "/bin");
  fs::create_directories(prefix + "/conda-meta");
  std::error_code ec;
  fs::copy_file(real_py, prefix + "/bin/python" + py_, ec);
  ASSERT_FALSE(ec) << ec.message();
  fs::permissions(prefix + "/bin/python" + py_, fs::perms::owner_all);
  fs::create_directories(prefix + "/lib/python" + py_);
  for (const auto& e : fs::directory_iterator(stdlib)) {
    if (e.path().filename() == "dist-packages" || e.path().filename() == "site-packages") continue;
    fs::create_symlink(e.path(), prefix + "/lib/python" + py_ + "/" + e.path().filename().string());
  }
  // Its own site-packages, under whichever name its site.py uses.
  fs::create_directories(prefix + "/lib/python" + py_ + "/site-packages");
  fs::create_directories(prefix + "/lib/python" + py_ + "/dist-packages");
  fs::create_directories(prefix + "/lib/python3/dist-packages");
  auto want = real(prefix + "/bin/python" + py_, "", env());
  RootedHost host("/", env());
  Environment e = read_environment(host, prefix, {"", "--env", false, ""}, dir_ + "/work");
  EXPECT_EQ(e.kind, "conda");
  EXPECT_EQ(e.sys_path, want);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(want.front(), user_);  // no venv(): the user site comes before the prefix's own
}

}  // namespace
}  // namespace cudafit
