// Where discovery looks: one row per place issue 7 lists, on MemoryHost machines.
#include "envs/discover.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace cudafit {
namespace {

using testing::add_dist_info;
using testing::add_venv;

std::vector<std::string> paths(const std::vector<Environment>& envs) {
  std::vector<std::string> out;
  for (const auto& e : envs) out.push_back(e.path + " [" + e.kind + ", " + e.found_by + "]");
  return out;
}

void add_conda_prefix(MemoryHost& h, const std::string& prefix, const std::string& py) {
  h.add_file(prefix + "/conda-meta/python-" + py + "-h1_0.json", "{}");
  h.add_dir(prefix + "/lib/python" + py.substr(0, py.rfind('.')) + "/site-packages");
}

TEST(Discover, DefaultPlaces) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  h.set_env("PATH", "/home/u/bin:/usr/bin");
  h.set_env("VIRTUAL_ENV", "/work/a/.venv");
  add_venv(h, "/work/a/.venv", "3.11.7");
  add_venv(h, "/work/.venv", "3.12.1");  // a .venv in a parent of cwd
  h.add_file("/usr/bin/python3.11", "");
  h.add_symlink("/usr/bin/python3", "python3.11");
  h.add_dir("/usr/lib/python3/dist-packages");
  add_conda_prefix(h, "/home/u/miniconda3", "3.10.13");  // only with --all-envs
  EnvOptions opt;
  opt.cwd = "/work/a/src";
  auto envs = discover_environments(h, opt);
  // VIRTUAL_ENV first; /usr is both the first python on PATH and the system Python (merged).
  EXPECT_EQ(paths(envs),
            (std::vector<std::string>{"/work/a/.venv [venv, VIRTUAL_ENV, .venv]",
                                      "/usr [system, PATH, system]", "/work/.venv [venv, .venv]"}));
  ASSERT_EQ(envs.size(), 3u);
  EXPECT_EQ(envs[1].python.value.value_or(""), "3.11");  // /usr/bin/python3 -> python3.11
  EXPECT_EQ(envs[1].site_packages, std::vector<std::string>{"/usr/lib/python3/dist-packages"});
}

TEST(Discover, AllEnvsPlaces) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  h.set_env("PATH", "/usr/bin");
  add_conda_prefix(h, "/home/u/miniconda3", "3.10.13");
  add_conda_prefix(h, "/home/u/miniconda3/envs/tf", "3.9.18");
  add_conda_prefix(h, "/opt/conda", "3.11.5");
  add_conda_prefix(h, "/data/envs/listed", "3.8.10");
  h.add_file("/home/u/.conda/environments.txt", "/data/envs/listed\n/gone/env\n");
  add_conda_prefix(h, "/scratch/condaenvs/big", "3.12.0");
  h.add_file(
      "/home/u/.condarc",
      "channels:\n  - defaults\nenvs_dirs:\n  - /scratch/condaenvs\nauto_activate_base: false\n");
  h.add_file("/home/u/.pyenv/versions/3.12.1/bin/python3.12", "");
  h.add_dir("/home/u/.pyenv/versions/3.12.1/lib/python3.12/site-packages");
  add_venv(h, "/home/u/.local/share/pipx/venvs/black", "3.11.7");
  add_venv(h, "/home/u/.cache/pypoetry/virtualenvs/app-x1-py3.11", "3.11.7");
  add_venv(h, "/home/u/.local/share/uv/tools/ruff", "3.12.1");
  h.add_dir("/home/u/.local/lib/python3.11/site-packages");
  add_dist_info(h, "/home/u/.local/lib/python3.11/site-packages", "torch", "2.3.1");
  EnvOptions opt;
  opt.all_envs = true;
  auto envs = discover_environments(h, opt);
  EXPECT_EQ(paths(envs), (std::vector<std::string>{
                             "/home/u/miniconda3 [conda, conda install]",
                             "/home/u/miniconda3/envs/tf [conda, conda envs]",
                             "/opt/conda [conda, conda install]",
                             "/data/envs/listed [conda, conda environments.txt]",
                             "/scratch/condaenvs/big [conda, ~/.condarc envs_dirs]",
                             "/home/u/.pyenv/versions/3.12.1 [pyenv, pyenv]",
                             "/home/u/.local/share/uv/tools/ruff [venv, uv tool]",
                             "/home/u/.local/share/pipx/venvs/black [venv, pipx]",
                             "/home/u/.cache/pypoetry/virtualenvs/app-x1-py3.11 [venv, poetry]",
                             "/home/u/.local/lib/python3.11/site-packages [user-site, user site]",
                         }));
  ASSERT_EQ(envs.size(), 10u);
  EXPECT_EQ(envs[5].python.value.value_or(""), "3.12");
  EXPECT_EQ(envs[9].python.value.value_or(""), "3.11");
  EXPECT_NE(envs[9].find("torch"), nullptr);
}

TEST(Discover, PyenvShimResolvesToItsVersion) {
  MemoryHost h;
  h.set_env("HOME", "/root");
  h.set_env("PATH", "/root/.pyenv/shims:/usr/bin");
  h.add_file("/root/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv exec python3\n");
  h.add_file("/root/.pyenv/version", "3.11.7\n");
  h.add_file("/root/.pyenv/versions/3.11.7/bin/python3.11", "");
  h.add_dir("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages");
  auto envs = discover_environments(h, EnvOptions{});
  ASSERT_FALSE(envs.empty());
  EXPECT_EQ(envs[0].path, "/root/.pyenv/versions/3.11.7");
  EXPECT_EQ(envs[0].kind, "pyenv");
  EXPECT_EQ(envs[0].found_by, "PATH (pyenv shim)");
  EXPECT_EQ(envs[0].python.value.value_or(""), "3.11");
  // PYENV_VERSION=system: the shim hands over to the next python on PATH.
  h.set_env("PYENV_VERSION", "system");
  h.add_file("/usr/bin/python3.11", "");
  h.add_symlink("/usr/bin/python3", "python3.11");
  envs = discover_environments(h, EnvOptions{});
  ASSERT_FALSE(envs.empty());
  EXPECT_EQ(envs[0].path, "/usr");
  EXPECT_EQ(envs[0].found_by, "PATH, system");
}

TEST(Discover, ExplicitEnvForms) {
  MemoryHost h;
  std::string site = add_venv(h, "/p/v", "3.11.7");
  add_dist_info(h, site, "torch", "2.3.1+cu121");
  add_dist_info(h, "/loose/site-packages", "jax", "0.4.30");
  add_venv(h, "/w/stable-diffusion-webui/venv", "3.10.6");
  h.add_file("/w/stable-diffusion-webui/webui.py", "");
  struct Row {
    std::string arg, path, found_by;
  } rows[] = {
      {"/p/v", "/p/v", "--env"},             // a prefix
      {"/p/v/bin/python", "/p/v", "--env"},  // an interpreter (venv link not followed)
      {site, "/p/v", "--env"},               // its site-packages
      {"/loose/site-packages", "/loose/site-packages", "--env"},  // a bare folder
      {"/w", "/w/stable-diffusion-webui/venv", "--env (stable-diffusion-webui)"},
      {"/w/stable-diffusion-webui", "/w/stable-diffusion-webui/venv",
       "--env (stable-diffusion-webui)"},
      {"v", "/p/v", "--env"},             // relative to cwd
      {"/nowhere", "/nowhere", "--env"},  // reported, not fatal
  };
  for (const auto& r : rows) {
    EnvOptions opt;
    opt.env_paths = {r.arg};
    opt.cwd = "/p";
    auto envs = discover_environments(h, opt);
    ASSERT_EQ(envs.size(), 1u) << r.arg;
    EXPECT_EQ(envs[0].path, r.path) << r.arg;
    EXPECT_EQ(envs[0].found_by, r.found_by) << r.arg;
  }
  EnvOptions opt;
  opt.env_paths = {"/nowhere", "/p/v", "/p/v/"};  // the same env twice: one entry
  auto envs = discover_environments(h, opt);
  ASSERT_EQ(envs.size(), 2u);
  EXPECT_EQ(envs[1].kind, "unknown");
  EXPECT_NE(envs[1].notes.at(0).find("no such file"), std::string::npos);
}

TEST(Discover, UserSiteAndSystemSiteInSysPath) {
  MemoryHost h;
  h.set_env("HOME", "/home/u");
  h.set_env("PATH", "/usr/bin");
  h.add_file("/usr/bin/python3.11", "");
  h.add_symlink("/usr/bin/python3", "python3.11");
  h.add_dir("/usr/lib/python3/dist-packages");
  h.add_dir("/usr/local/lib/python3.11/dist-packages");
  h.add_dir("/home/u/.local/lib/python3.11/site-packages");
  h.add_file("/usr/lib/python3/dist-packages/extra.pth",
             "# c\nimport os\n../../../../opt/extra\n/missing\n");
  h.add_dir("/opt/extra");
  add_venv(h, "/v", "3.11.2", /*system_site=*/true);
  EnvOptions opt;
  opt.env_paths = {"/v"};
  auto envs = discover_environments(h, opt);
  ASSERT_GE(envs.size(), 2u);
  // site.py main(): venv() adds the venv's own site-packages first ("ensures venv takes
  // precedence over user-site"), then the user site, then (include-system-site-packages) the
  // base's, each followed by its .pth entries that exist. /usr/lib/python3/dist-packages
  // marks Debian's site.py (no site.py in this tree).
  EXPECT_EQ(envs[0].sys_path,
            (std::vector<std::string>{"/v/lib/python3.11/site-packages",
                                      "/home/u/.local/lib/python3.11/site-packages",
                                      "/usr/local/lib/python3.11/dist-packages",
                                      "/usr/lib/python3/dist-packages", "/opt/extra"}));
  EXPECT_EQ(envs[1].path, "/usr");
  EXPECT_EQ(envs[1].sys_path,
            (std::vector<std::string>{"/home/u/.local/lib/python3.11/site-packages",
                                      "/usr/local/lib/python3.11/dist-packages",
                                      "/usr/lib/python3/dist-packages", "/opt/extra"}));
  h.set_env("PYTHONNOUSERSITE", "1");
  envs = discover_environments(h, opt);
  EXPECT_EQ(envs[0].sys_path.front(), "/v/lib/python3.11/site-packages");
}

}  // namespace
}  // namespace cudafit
