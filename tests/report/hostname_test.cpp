// host.hostname: the kernel's name (/proc/sys/kernel/hostname), else /etc/hostname, each read
// through the Host; the first line, trimmed; unknown with a reason when neither says.
#include <gtest/gtest.h>

#include "kb/kb.h"
#include "probe/detect.h"
#include "report/machine_json.h"
#include "util/host.h"

namespace cudafit {
namespace {

struct Case {
  const char* kernel;  // nullptr: no file
  const char* etc;     // nullptr: no file
  const char* name;    // "" = unknown
  const char* source;
};

TEST(Hostname, KernelFirstThenEtc) {
  const Case cases[] = {
      {"gpu-017\n", "old-name\n", "gpu-017", "/proc/sys/kernel/hostname"},
      {nullptr, "gpu-018\n", "gpu-018", "/etc/hostname"},
      {"  \n", "gpu-019", "gpu-019", "/etc/hostname"},  // an empty kernel name: the file's
      {"node.example.com\nsecond line\n", nullptr, "node.example.com", "/proc/sys/kernel/hostname"},
      {nullptr, nullptr, "", ""},
      {"", "\n", "", ""},
  };
  auto kb = KnowledgeBase::embedded();
  ASSERT_TRUE(kb) << kb.error();
  for (const auto& c : cases) {
    MemoryHost host;
    if (c.kernel) host.add_file("/proc/sys/kernel/hostname", c.kernel);
    if (c.etc) host.add_file("/etc/hostname", c.etc);
    DetectOptions options;
    options.driver_libs = DetectOptions::DriverLibs::kNever;
    Machine m = detect_machine(host, **kb, options);
    EXPECT_EQ(m.host.hostname.value.value_or(""), c.name) << c.name;
    EXPECT_EQ(m.host.hostname.source, c.source) << c.name;
    if (!m.host.hostname.known()) {
      EXPECT_FALSE(m.host.hostname.note.empty());
    }
    auto j = machine_to_json(m);
    if (m.host.hostname.known()) {
      EXPECT_EQ(j["host"]["hostname"], c.name);
      EXPECT_EQ(j["host"]["sources"]["hostname"], c.source);
    } else {
      EXPECT_TRUE(j["host"]["hostname"].is_null());
      EXPECT_TRUE(j["host"]["unknown"].contains("hostname"));
    }
  }
}

}  // namespace
}  // namespace cudafit
