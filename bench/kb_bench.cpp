// In-process cost of the knowledge base: parsing the embedded copy (only the tables a query
// needs: parsing is lazy) and answering it. Goal (issue 4): load + one query under 1 ms.
#include <benchmark/benchmark.h>

#include "kb/kb.h"
#include "report/matrix.h"

namespace cudafit {
namespace {

// Load of the embedded KB + one fact query: torch 2.3.1's variants.
void BM_EmbeddedLoadAndVariantsQuery(benchmark::State& state) {
  const auto v = Pep440Version::parse("2.3.1").value();
  for (auto _ : state) {
    auto kb = KnowledgeBase::embedded_fresh();
    benchmark::DoNotOptimize(kb->variants_of(v));
  }
}

// Load + the whole `matrix torch --torch 2.3` table (releases, variants, arch lists, CUDA).
void BM_EmbeddedLoadAndMatrixTorch(benchmark::State& state) {
  MatrixOptions o;
  o.torch = "2.3";
  for (auto _ : state) {
    auto kb = KnowledgeBase::embedded_fresh();
    auto t = build_matrix(*kb, o);
    benchmark::DoNotOptimize(t);
  }
}

// Load + minimum driver for CUDA 12.4 (cuda.csv only).
void BM_EmbeddedLoadAndDriverQuery(benchmark::State& state) {
  const CudaVersion cuda(12, 4);
  for (auto _ : state) {
    auto kb = KnowledgeBase::embedded_fresh();
    benchmark::DoNotOptimize(kb->minimum_driver_for(cuda, Os::kLinux));
  }
}

// Every table parsed and checked (what `--data DIR` costs), from the source tree's data/.
void BM_LoadDirAllTables(benchmark::State& state) {
  for (auto _ : state) {
    auto kb = KnowledgeBase::load_dir(CUDAFIT_DATA_DIR);
    benchmark::DoNotOptimize(kb);
  }
}

BENCHMARK(BM_EmbeddedLoadAndVariantsQuery)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddedLoadAndDriverQuery)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddedLoadAndMatrixTorch)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadDirAllTables)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cudafit

BENCHMARK_MAIN();
