// libFuzzer target: arbitrary bytes as a data file, through the CSV reader and every table
// parser of the knowledge base. Any input must give a value or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kb/kb_impl.h"
#include "util/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cudafit;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = parse_csv(text, "fuzz.csv");
  if (!t) return 0;
  std::vector<CudaRelease> a;
  (void)parse_cuda_releases(*t, a);
  std::vector<MinorCompat> b;
  (void)parse_minor_compat(*t, b);
  std::vector<ForwardCompat> c;
  (void)parse_forward_compat(*t, c);
  std::vector<GpuArch> d;
  (void)parse_gpu_archs(*t, d);
  std::vector<GpuProduct> e;
  (void)parse_gpu_products(*t, e);
  std::vector<PciDevice> f;
  (void)parse_pci_devices(*t, f);
  std::vector<DriverBranch> g;
  (void)parse_driver_branches(*t, g);
  std::vector<TorchRelease> h;
  (void)parse_torch_releases(*t, h);
  std::vector<TorchVariant> i;
  (void)parse_torch_variants(*t, i);
  std::vector<TorchArchList> j;
  (void)parse_torch_arch_lists(*t, j);
  std::vector<FrameworkRequirement> k;
  (void)parse_frameworks(*t, k);
  std::vector<CudnnSupport> l;
  (void)parse_cudnn_support(*t, l);
  return 0;
}
