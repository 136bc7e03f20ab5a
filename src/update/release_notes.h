// NVIDIA's CUDA Toolkit release notes, Table 3 "CUDA Toolkit and Corresponding Driver
// Versions": one row per toolkit release, its Linux x86_64 and Windows x86_64 driver (the
// minimum for all of that toolkit's features). A pure function of the page's HTML.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/nvidia_versions.h"

namespace cudafit {

struct Table3Row {
  std::string text;    // the first cell as printed: "CUDA 13.2 Update 2"
  CudaVersion series;  // major.minor: 13.2
  std::string label;   // "GA", "Update 2", "RC", "Developer Preview"; "" when the cell has none
  std::optional<CudaVersion> toolkit;  // when the cell names the full version ("CUDA 11.4.0 GA")
  int update = 0;                      // N of "Update N"
  std::optional<DriverVersion> linux_driver, windows_driver;  // none for N/A
};

// The rows of the table whose caption says "Corresponding Driver Versions". An error when the
// page has no such table or none of its rows reads.
Result<std::vector<Table3Row>> parse_table3(std::string_view html);

}  // namespace cudafit
