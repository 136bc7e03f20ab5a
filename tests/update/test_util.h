// The test index server (tests/update/server.py), started once per test binary, and the
// folders and data copies the update tests use.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cudafit::testing {

namespace fs = std::filesystem;

inline const std::string kSourceDir = CUDAFIT_SOURCE_DIR;
inline const std::string kTestsDir = kSourceDir + "/tests/update";

// A folder removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cudafit-update-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// python3 tests/update/server.py, on a free port, for the whole test binary.
class TestServer {
 public:
  static TestServer& get() {
    static TestServer* s = new TestServer();  // stopped at exit (atexit below)
    return *s;
  }
  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  // The server with behaviour switches: "http://127.0.0.1:PORT/s/<switches>" ("-" = none).
  std::string url(const std::string& switches = "-") const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/s/" + switches;
  }
  // The log's entries written since `mark` (log_size() before the run). The server writes an
  // entry after the response's last byte, which the client may have read already: both read
  // the log once it stops growing (settled_log).
  std::vector<nlohmann::json> log_since(std::size_t mark) const {
    std::vector<nlohmann::json> out;
    std::istringstream in(settled_log());
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line))
      if (n++ >= mark && !line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  // Switches for every request from now on (tests whose URLs must not change); "-" clears.
  void set_global(const std::string& switches) const {
    std::string cmd =
        "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:" +
        std::to_string(port_) + "/control/" + switches + "').read()\"";
    (void)std::system(cmd.c_str());
  }
  std::size_t log_size() const {
    std::istringstream in(settled_log());
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) ++n;
    return n;
  }

 private:
  // The log once it has stopped growing (the last request's entry written).
  std::string settled_log() const {
    std::string text = read_text(log_);
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::string again = read_text(log_);
      if (again == text) break;
      text = std::move(again);
    }
    return text;
  }
  TestServer() {
    std::string port_file = dir_ / "port";
    log_ = dir_ / "log.jsonl";
    std::string script = kTestsDir + "/server.py";
    std::vector<std::string> args = {"python3", script, "--port-file", port_file, "--log", log_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0) return;
    for (int i = 0; i < 300 && !fs::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    port_ = std::atoi(read_text(port_file).c_str());
    static pid_t pid = pid_;
    std::atexit([] {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    });
  }
  TempDir dir_;
  std::string log_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// A copy of data/ (cut at torch `cut` when given), its update-sources.csv pointing at the
// test server (with `switches`).
inline std::string data_copy(const TempDir& dir, const std::string& cut,
                             const std::string& switches = "-") {
  std::string out = dir / "data";
  std::string cmd = "python3 " + kTestsDir + "/cut_data.py " + kSourceDir + "/data " + out +
                    " --sources " + TestServer::get().url(switches) +
                    (cut.empty() ? std::string() : " --torch " + cut);
  if (std::system(cmd.c_str()) != 0) return "";
  return out;
}

// The environment a test's cudafit runs in: its own overlay and cache folders.
inline std::map<std::string, std::string> env_in(const TempDir& home) {
  return {
      {"HOME", home.path()}, {"XDG_DATA_HOME", home / "data"}, {"XDG_CACHE_HOME", home / "cache"}};
}

// Every file of the overlay folder (following its link), name -> content.
inline std::map<std::string, std::string> overlay_files(const TempDir& home) {
  std::map<std::string, std::string> out;
  std::string dir = home / "data/cudafit/overlay";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    out[e.path().filename()] = read_text(e.path());
  return out;
}

}  // namespace cudafit::testing
