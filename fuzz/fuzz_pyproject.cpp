// libFuzzer: pyproject.toml parsing must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plan/requirements_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = cudafit::parse_pyproject(text, "pyproject.toml");
  (void)r.ok();
  return 0;
}
