// Docker inputs: image references (nvidia/cuda, pytorch/pytorch, NGC nvcr.io/nvidia/pytorch)
// and Dockerfiles (FROM lines with ARG substitution and stages, `pip install` and `uv pip
// install` in RUN lines, with the index settings ENV gives them).
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

// The Python an image brings, when its name or data says ("python:3.12-slim" -> "3.12", an NGC
// release's row); "" when unknown.
std::string image_python(const ImageRef& ref, const InstallFacts& facts);

struct DockerFrom {
  ImageRef image;
  std::string stage;        // "AS name"
  std::string where;        // "Dockerfile:3"
  bool from_stage = false;  // FROM an earlier stage, not an image
};
// One `pip install` / `uv pip install` of a RUN line; set.installer says which. The stage's ENV
// PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / PIP_FIND_LINKS (pip) or UV_INDEX_URL /
// UV_DEFAULT_INDEX / UV_EXTRA_INDEX_URL / UV_INDEX / UV_FIND_LINKS / UV_INDEX_STRATEGY /
// UV_TORCH_BACKEND (uv) are folded in; the command line's own options win.
struct DockerPipInstall {
  RequirementSet set;
  std::string where;
  int stage = -1;  // index in `froms` of the stage it runs in
};
struct Dockerfile {
  std::vector<DockerFrom> froms;
  std::vector<DockerPipInstall> pip_installs;
};
Result<Dockerfile> parse_dockerfile(std::string_view text, const std::string& path);

}  // namespace cudafit
