// Packaging facts beside the knowledge base: NGC PyTorch container releases, how PyTorch's
// published pip commands are written per release range, and the pytorch conda channel's
// commands. Read from data/images-ngc-pytorch.csv, data/torch-pip-commands.csv,
// data/torch-conda.csv, data/torch-companions.csv and data/torch-find-links.csv (the embedded copy,
// or `--data DIR`), each row with its Provenance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "util/host.h"
#include "util/result.h"

namespace cudafit {

// nvcr.io/nvidia/pytorch:YY.MM-py3, as NVIDIA's release notes for it describe it.
struct NgcPytorchImage {
  std::string tag;                     // "24.05"
  std::optional<bool> published;       // NVIDIA released it (yes/no); none = not sourced
  std::optional<Pep440Version> torch;  // "2.4.0a0+07cecf4168"; none = not sourced
  std::optional<CudaVersion> cuda;
  std::string cudnn;
  std::optional<int> driver_branch;  // "requires NVIDIA Driver release 545 or later"
  std::string driver_min;            // as NVIDIA writes it: "545" (a branch) or "465.19.01"
  // Data-center drivers it also runs on (forward compatibility): "470.57", "525.85", "535.86".
  std::vector<std::string> forward_compat;
  std::string python;  // "3.10"
  std::string ubuntu;  // "22.04"
  std::string notes;
  Provenance from;
};

// How the pip command of a torch release range is written.
struct PipCommandStyle {
  Pep440Version torch_from;
  std::optional<Pep440Version> torch_to;  // none = open-ended
  std::string index_option;               // "--index-url {url}"
  std::vector<std::string> local_tags;    // packages pinned with "+cu116"
  bool default_without_index = false;     // the PyPI default variant needs no index
  Provenance from;
};

// One conda recipe of the pytorch channel.
struct CondaRecipe {
  Pep440Version torch_from, torch_to;
  std::string variant;                  // "cu116", "cuda" (any CUDA variant) or "cpu"
  std::string pin;                      // "pytorch-cuda={cuda}", "cudatoolkit=11.3", "cpuonly"
  std::string channels;                 // "-c pytorch -c nvidia"
  std::string torchvision, torchaudio;  // conda companions when they differ ("" = same)
  Provenance from;
};

// Companions as the previous-versions page pins them (releases the KB has none for).
struct PageCompanions {
  Pep440Version torch;
  std::string torchvision, torchaudio;
  Provenance from;
};

// A find-links page that lists torch wheels (torch_stable.html): which variants of which releases.
struct FindLinksPage {
  std::string page;      // URL; "{variant}" stands for a variant name
  std::string variants;  // "*" (every variant of the release) or "{variant}"
  Pep440Version torch_from;
  std::optional<Pep440Version> torch_to;  // none = open-ended
  Provenance from;
};

class InstallFacts {
 public:
  // The embedded copy (parsed once).
  static Result<std::shared_ptr<const InstallFacts>> embedded();
  // The same files from a directory of this machine, read through `host`.
  static Result<std::shared_ptr<const InstallFacts>> load_dir(const Host& host,
                                                              const std::string& dir);
  // Parses the files' texts (tests); `find_links` may be empty (no pages known).
  static Result<InstallFacts> parse(const std::string& ngc, const std::string& pip,
                                    const std::string& conda, const std::string& companions,
                                    const std::string& find_links = {});

  const std::vector<NgcPytorchImage>& ngc_images() const { return ngc_; }
  const NgcPytorchImage* ngc_image(const std::string& tag) const;
  const PipCommandStyle* pip_style(const Pep440Version& torch) const;
  // The recipe for (torch, variant): an exact variant row first, then "cuda"/"cpu" rows.
  const CondaRecipe* conda_recipe(const Pep440Version& torch, const std::string& variant,
                                  bool is_cuda) const;
  const PageCompanions* companions(const Pep440Version& torch) const;
  const std::vector<FindLinksPage>& find_links_pages() const { return find_links_; }

 private:
  std::vector<NgcPytorchImage> ngc_;
  std::vector<PipCommandStyle> pip_;
  std::vector<CondaRecipe> conda_;
  std::vector<PageCompanions> companions_;
  std::vector<FindLinksPage> find_links_;
};

}  // namespace cudafit
