// A wheel's METADATA, read from its index without the wheel: the PEP 658/714 `.metadata` file
// when the index offers one, else the zip's end, the end of its central directory and the
// METADATA member by HTTP ranges. And what cudafit takes from it: Requires-Python, and the
// CUDA, cuDNN, NCCL and triton a build pins on a platform (its nvidia-* / cuda-toolkit
// requirements whose markers hold there).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "update/fetch.h"
#include "update/index_page.h"
#include "versions/nvidia_versions.h"
#include "versions/requirement.h"

namespace cudafit {

struct MetadataRead {
  bool ok = false;
  std::string text;   // the METADATA
  std::string how;    // "PEP 658 .metadata", "ranges of the wheel", "cache"
  std::string error;  // when !ok
  HttpFailure failure = HttpFailure::kNone;
};
MetadataRead read_wheel_metadata(Fetcher& fetcher, const IndexFile& wheel,
                                 const std::string& purpose);

// The header fields cudafit reads.
struct WheelMetadata {
  std::string name, version, requires_python;
  std::vector<Requirement> requires_dist;  // the lines that parse
};
Result<WheelMetadata> parse_wheel_metadata(std::string_view text);

// The marker variables of a CPython `python` ("3.12") on a platform.
std::map<std::string, std::string> marker_env(Platform platform, std::string_view python);

// What a build pins where `env` holds (extras named in `extras` count as asked for).
struct BuildPins {
  std::optional<CudaVersion> cuda;  // major.minor of cuda-toolkit / nvidia-cuda-runtime*
  std::string cuda_pin;             // the requirement it came from
  std::string cudnn, nccl;          // exact pins ("9.20.0.48"); "" when not pinned exactly
  std::string triton;               // its exact pin, else its specifier ("~=3.8.0")
  std::string cudnn_spec;           // nvidia-cudnn-cuNN's specifier as written (">=9.8,<10")
  std::string cuda_spec;            // the CUDA requirement's specifier as written
};
BuildPins build_pins(const WheelMetadata& m, const std::map<std::string, std::string>& env,
                     const std::vector<std::string>& extras = {});

// A package's requirement on `dependency` without its marker, as tools/gen_wheels.py writes it:
// "torch==2.5.1", "torch>=2.14.0", "torch" (any), "none"; several joined by " | ".
std::string requirement_on(const WheelMetadata& m, std::string_view dependency);

// The PyPI / index file whose METADATA stands for a release: Linux x86_64 (else the given
// platform), the newest CPython that is not free-threaded, the smallest; nullptr when none.
const IndexFile* pick_wheel(const std::vector<const IndexFile*>& files,
                            std::optional<Platform> platform);

}  // namespace cudafit
