// libFuzzer target: any bytes as the CUDA release notes' HTML, through the Table 3 reader.
// fuzz-link: cudafit_update
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "update/release_notes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)cudafit::parse_table3(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
