// libFuzzer: Dockerfile and image-reference parsing must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plan/docker.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = cudafit::parse_dockerfile(text, "Dockerfile");
  (void)d.ok();
  auto ref = cudafit::ImageRef::parse(text.substr(0, 200));
  (void)ref.ok();
  return 0;
}
