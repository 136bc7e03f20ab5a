// Docker inputs: image references (nvidia/cuda, pytorch/pytorch, NGC nvcr.io/nvidia/pytorch)
// and Dockerfiles (FROM lines with ARG substitution and stages, `pip install` in RUN lines).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/images.h"
#include "plan/requirements_file.h"
#include "util/result.h"

namespace cudafit {

// "[registry/]repository[:tag][@digest]".
struct ImageRef {
  std::string text;        // as written
  std::string registry;    // "nvcr.io", "" for Docker Hub
  std::string repository;  // "nvidia/cuda", "pytorch/pytorch" (Hub "library/" removed)
  std::string tag;         // "" when none (latest)
  std::string digest;
  static Result<ImageRef> parse(std::string_view text);
};

// What an image's name says about its GPU stack.
struct ImageStack {
  enum class Kind { kNvidiaCuda, kPytorch, kNgcPytorch, kOther };
  Kind kind = Kind::kOther;
  std::optional<CudaVersion> cuda;
  std::optional<Pep440Version> torch;
  std::string cudnn;                     // "8", "9.1.0.70"
  std::string flavor;                    // "runtime", "devel", "base", "cudnn-runtime", ...
  const NgcPytorchImage* ngc = nullptr;  // its data row
  std::string note;                      // why something is unknown
};
ImageStack image_stack(const ImageRef& ref, const InstallFacts& facts);

struct DockerFrom {
  ImageRef image;
  std::string stage;        // "AS name"
  std::string where;        // "Dockerfile:3"
  bool from_stage = false;  // FROM an earlier stage, not an image
};
struct DockerPipInstall {
  RequirementSet set;
  std::string where;
};
struct Dockerfile {
  std::vector<DockerFrom> froms;
  std::vector<DockerPipInstall> pip_installs;
};
Result<Dockerfile> parse_dockerfile(std::string_view text, const std::string& path);

}  // namespace cudafit
