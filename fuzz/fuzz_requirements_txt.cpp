// libFuzzer: requirements.txt parsing (and `-r` includes through a MemoryHost) must never
// crash, hang or throw; errors come back as values.
#include <cstddef>
#include <cstdint>
#include <string>

#include "plan/requirements_file.h"
#include "util/host.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  cudafit::MemoryHost host;
  host.add_file("/p/requirements.txt", text);
  host.add_file("/p/base.txt", text.substr(0, text.size() / 2));
  auto r = cudafit::read_requirements_txt(host, "/p/requirements.txt");
  (void)r.ok();
  return 0;
}
