// libFuzzer target: any bytes as the doctor's kernel cache file (doctor/kernel_cache.h). Loading
// and checking every line must never crash or hang, and whatever decodes must encode back to
// what it decoded.
// fuzz-link: cudafit_doctor
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "doctor/kernel_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  cudafit::MemoryHost host;
  host.add_file("/c/kernels-v1.tsv", text);
  cudafit::KernelCache cache = cudafit::KernelCache::load(host, "/c/kernels-v1.tsv");
  // Each path a line names looked up (lines out of order, repeated paths), then every line
  // checked and decoded, as save() does.
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(at, end - at);
    if (line.size() > 2 && line[1] == '\t') {
      const std::string_view path = line.substr(2, line.find('\t', 2) - 2);
      if (line[0] == 'F') (void)cache.find_file(path, cudafit::FileStamp{1, 1});
      if (line[0] == 'R') (void)cache.find_record(path, cudafit::FileStamp{1, 1});
    }
    at = end + 1;
  }
  cache.check_all();
  if (auto c = cudafit::decode_containers(text)) {
    if (cudafit::encode_containers(*c) != text) std::abort();
  }
  return 0;
}
