// Fixture Python environments built in a MemoryHost, and a field-by-field JSON comparison.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/host.h"

namespace cudafit::testing {

// A *.dist-info folder with METADATA (Name, Version, Requires-Dist) and INSTALLER.
inline void add_dist_info(MemoryHost& h, const std::string& site, const std::string& name,
                          const std::string& version, const std::string& installer = "pip",
                          const std::vector<std::string>& requires_dist = {}) {
  std::string dir = site + "/" + name + "-" + version + ".dist-info";
  std::string md = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
  for (const auto& r : requires_dist) md += "Requires-Dist: " + r + "\n";
  md += "\nA description that is not a header: Version: 0.0\n";
  h.add_file(dir + "/METADATA", md);
  if (!installer.empty()) h.add_file(dir + "/INSTALLER", installer + "\n");
}

// A venv made by `python -m venv` with Python `py` ("3.11.7") from /usr/bin.
inline std::string add_venv(MemoryHost& h, const std::string& prefix, const std::string& py,
                            bool system_site = false) {
  std::string mm = py.substr(0, py.rfind('.'));
  h.add_file(prefix + "/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = " +
                                         std::string(system_site ? "true" : "false") +
                                         "\nversion = " + py + "\n");
  h.add_symlink(prefix + "/bin/python", "python3");
  h.add_symlink(prefix + "/bin/python3", "/usr/bin/python3");
  std::string site = prefix + "/lib/python" + mm + "/site-packages";
  h.add_dir(site);
  return site;
}

// torch/version.py as torch's setup writes it.
inline void add_torch_version_py(MemoryHost& h, const std::string& site, const std::string& version,
                                 const std::string& cuda_literal,
                                 const std::string& module = "torch") {
  h.add_file(site + "/" + module + "/__init__.py", "");
  h.add_file(site + "/" + module + "/version.py", "__version__ = '" + version +
                                                      "'\ndebug = False\ncuda = " + cuda_literal +
                                                      "\ngit_version = 'abc123'\nhip = None\n");
}

// Every key of `expected` must equal the same key of `actual`; arrays of objects are
// compared element by element the same way (extra keys in `actual` are allowed).
inline void expect_json_fields(const nlohmann::json& actual, const nlohmann::json& expected,
                               const std::string& where = "$") {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << where << " is not an object: " << actual.dump();
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      ASSERT_TRUE(actual.contains(it.key())) << where << "." << it.key() << " missing";
      expect_json_fields(actual[it.key()], it.value(), where + "." + it.key());
    }
  } else if (expected.is_array() && !expected.empty() && expected[0].is_object()) {
    ASSERT_TRUE(actual.is_array()) << where << " is not an array";
    ASSERT_EQ(actual.size(), expected.size()) << where << ": " << actual.dump(1);
    for (size_t i = 0; i < expected.size(); ++i)
      expect_json_fields(actual[i], expected[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(actual, expected) << "at " << where;
  }
}

}  // namespace cudafit::testing
