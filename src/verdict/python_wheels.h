// Whether a torch build has a wheel that a given Python can install: the CPython tags that
// exist for its (release, index, platform) in torch-wheels.csv, and their Requires-Python.
// Three answers: yes, no, or unknown (no data, or a set only partly known) — never a guess.
#pragma once

#include <string>
#include <string_view>

#include "kb/kb.h"

namespace cudafit {

enum class PythonFit { kYes, kNo, kUnknown };

struct PythonWheelAnswer {
  PythonFit fit = PythonFit::kUnknown;
  std::string tag;                     // "cp311", "cp313t"
  std::string why;                     // one sentence naming the data row
  const TorchWheelSet* row = nullptr;  // the row it rests on (nullptr: none)
};

// "3.11" / "3.11.4" -> "cp311"; "3.13t" -> "cp313t" (free-threaded); "" when not X.Y.
std::string cpython_tag(std::string_view python);

// The wheel set pip reads for `build` on `platform`: the variant's own index row, else (for
// the PyPI default variant) PyPI's; nullptr when the data has neither.
const TorchWheelSet* wheel_set_for(const KnowledgeBase& kb, const TorchVariant& build,
                                   Platform platform);

PythonWheelAnswer python_wheel_for(const KnowledgeBase& kb, const TorchVariant& build,
                                   Platform platform, std::string_view python);

}  // namespace cudafit
