// What the default doctor's kernel reading costs per run on the real filesystem (root "/"),
// without the fixture root's link resolution: a venv folder of N packages x M shared libraries
// (bench/kernels_doctor.sh builds one and passes it as KERNEL_BENCH_VENV), scanned with a warm
// KernelCache and with none. Usage: KERNEL_BENCH_VENV=<prefix> build/bench/bench_kernel_cache
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "doctor/kernels.h"
#include "kb/kb.h"

namespace cudafit {
namespace {

Machine machine(const std::string& prefix) {
  Machine m;
  Gpu g;
  g.index = 0;
  g.compute_capability = Fact<ComputeCapability>::of(*ComputeCapability::parse("12.0"), "bench");
  m.gpus.push_back(g);
  Environment e;
  e.path = prefix;
  e.site_packages = {prefix + "/lib/python3.11/site-packages"};
  m.environments.push_back(e);
  return m;
}

void scan(benchmark::State& state, bool warm) {
  const char* venv = std::getenv("KERNEL_BENCH_VENV");
  if (venv == nullptr) {
    state.SkipWithError("set KERNEL_BENCH_VENV to a venv prefix (bench/kernels_doctor.sh does)");
    return;
  }
  auto kb = KnowledgeBase::embedded();
  RootedHost host("/");
  Machine m = machine(venv);
  const std::string cache_path = std::string(venv) + "/kernels-bench.tsv";
  if (warm) {
    KernelCache c = KernelCache::load(host, cache_path);
    (void)scan_package_kernels(host, m, **kb, {false, &c});
    (void)c.save(host);
  }
  std::size_t found = 0;
  for (auto _ : state) {
    RootedHost fresh("/");  // as one doctor process: nothing remembered from the last run
    if (warm) {
      KernelCache c = KernelCache::load(fresh, cache_path);
      found = scan_package_kernels(fresh, m, **kb, {false, &c}).size();
    } else {
      found = scan_package_kernels(fresh, m, **kb, {}).size();
    }
    benchmark::DoNotOptimize(found);
  }
  state.counters["libraries_with_gpu_code"] = static_cast<double>(found);
}

void BM_WarmCache(benchmark::State& state) { scan(state, true); }
void BM_NoCache(benchmark::State& state) { scan(state, false); }
BENCHMARK(BM_WarmCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NoCache)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cudafit

BENCHMARK_MAIN();
