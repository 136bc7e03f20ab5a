// The compatibility tables of `cudafit matrix`, built from the knowledge base and filtered.
//
// Tables: "torch" (release x variant: CUDA, cuDNN, Python, companions, driver, archs),
// "driver" (CUDA release -> minimum Linux/Windows driver, PTX ISA, sm range, minor-compat
// floor), "arch" (torch variant -> compute capabilities its wheels carry), "gpu" (product ->
// chip -> CC) and one per framework in frameworks.csv ("tensorflow", "jax", "vllm", ...).
// Empty cells mean "not sourced" (unknown), never a guess.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "report/table.h"
#include "util/result.h"

namespace cudafit {

struct MatrixOptions {
  std::string table = "torch";
  std::optional<std::string> torch;   // release prefix: "2.3" = 2.3.0, 2.3.1
  std::optional<std::string> cuda;    // "12.1" (any update) or "12.1.1"
  std::optional<std::string> driver;  // "535.104.05": only what that driver runs
  std::optional<std::string> gpu;     // "RTX 3050", "sm_86", "8.6", "10de:2507"
  std::string os = "linux";           // whose minimum drivers: "linux" or "windows"
  Format format = Format::kText;      // text gets a narrower column set (fits 100 columns)
};

// The table names `matrix` accepts, in help order.
std::vector<std::string> matrix_table_names(const KnowledgeBase& kb);

// Builds the table. A malformed or unknown filter value, or an unknown table name, gives a
// one-line error naming the value.
Result<Table> build_matrix(const KnowledgeBase& kb, const MatrixOptions& options);

}  // namespace cudafit
