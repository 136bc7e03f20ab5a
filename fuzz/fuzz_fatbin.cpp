// libFuzzer target: any bytes through the binary reader (ELF, cubin, fatbin, zip/wheel) and
// its summary. It must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "binary/kernel_scan.h"
#include "binary/zip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cudafit::BinaryCode code = cudafit::scan_bytes(bytes, "fuzz");
  (void)cudafit::summarize(code);
  if (cudafit::looks_like_zip(bytes)) {
    auto members = cudafit::list_zip(bytes);
    if (members) {
      std::string storage;
      for (const auto& m : *members) {
        auto content = cudafit::zip_member_bytes(bytes, m, storage, 1u << 24);
        if (content) (void)cudafit::scan_bytes(*content, m.name);
      }
    }
  }
  return 0;
}
