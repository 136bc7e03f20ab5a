// libFuzzer target: any bytes as the doctor's kernel cache file (doctor/kernel_cache.h). Loading
// and checking every line must never crash or hang, and whatever decodes must encode back to
// what it decoded.
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
  cudafit::KernelCache cache = cudafit::KernelCache::load(host, "/c/kernels-v1.tsv");
  cache.check_all();  // every line checked and decoded, as save() does
  if (auto c = cudafit::decode_containers(text)) {
    if (cudafit::encode_containers(*c) != text) std::abort();
  }
  return 0;
}
