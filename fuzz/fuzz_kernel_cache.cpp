// libFuzzer target: any bytes as the doctor's kernel cache file (doctor/kernel_cache.h). Loading
// must never crash or hang, and whatever it keeps must encode back to what it decoded.
// fuzz-link: cudafit_doctor
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "doctor/kernel_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  cudafit::MemoryHost host;
  host.add_file("/c/kernels-v1.tsv", text);
  (void)cudafit::KernelCache::load(host, "/c/kernels-v1.tsv");
  if (auto c = cudafit::decode_containers(text)) {
    if (cudafit::encode_containers(*c) != text) std::abort();
  }
  return 0;
}
