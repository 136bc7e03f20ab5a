// libFuzzer target: any bytes as a PEP 691 JSON project page, then every file name in it as a
// wheel name. A value or an error, never a crash.
// fuzz-link: cudafit_update
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "update/index_page.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto page = cudafit::parse_pep691_json(text, "https://pypi.org/simple/torch/");
  if (page)
    for (const auto& f : page->files) (void)cudafit::parse_wheel_name(f.filename);
  return 0;
}
