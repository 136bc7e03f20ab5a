// Running the real consumers of cudafit's output (promtool, Chromium, systemd-analyze, the
// PyPI tools of scripts/pytools.sh) from the tests, and finding them.
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cudafit::testing {

struct ToolRun {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh, its output (both streams) captured.
inline ToolRun run_tool(const std::string& command) {
  ToolRun r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A program on PATH or in /usr/bin ("" when absent).
inline std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");  // NOLINT: the test process's own PATH
  std::string dirs = std::string(path ? path : "") + ":/usr/bin:/usr/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path p = std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (end > start && ::access(p.c_str(), X_OK) == 0) return p.string();
    start = end + 1;
  }
  return {};
}

// The venv of scripts/pytools.sh (CUDAFIT_PYTOOLS), or "" when the build was not given one.
inline std::string pytools_bin(const std::string& tool) {
  const std::string venv = CUDAFIT_PYTOOLS;
  if (venv.empty()) return {};
  std::string p = venv + "/bin/" + tool;
  return ::access(p.c_str(), X_OK) == 0 ? p : std::string();
}

// "'text'" for /bin/sh.
inline std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace cudafit::testing
