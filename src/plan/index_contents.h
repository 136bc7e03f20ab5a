// What a package index serves of torch, from the knowledge base: PyPI (each release's default
// build, with no local version), a PyTorch variant index (download.pytorch.org/whl/cu128: that
// variant's builds, "2.11.0+cu128"), a find-links page listing several variants
// (torch_stable.html, data/torch-find-links.csv), or an index cudafit does not know.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/images.h"
#include "kb/kb.h"

namespace cudafit {

enum class Availability { kYes, kNo, kUnknown };

// Whether a wheel exists, and the data row that says so.
struct WheelFit {
  Availability fits = Availability::kUnknown;
  std::string why;  // "torch 2.11.0 has wheels for Python 3.10, ... (torch-releases.csv:52)"
};

// The one seam for "does a torch wheel exist for this Python": release `r` as built for
// `variant` (nullptr: the PyPI copy whose build is not in the data), `python` "3.12" ("" =
// unknown). From the CPython tags of data/torch-wheels.csv (verdict/python_wheels.h): the
// variant's own index row, or PyPI's.
WheelFit python_fit(const KnowledgeBase& kb, const TorchRelease& r, const TorchVariant* variant,
                    bool on_pypi, Platform platform, const std::string& python);

// One index, as cudafit knows it.
struct TorchIndex {
  enum class Kind { kPypi, kVariant, kFindLinks, kUnknown };
  Kind kind = Kind::kUnknown;
  std::string url;      // as written
  std::string variant;  // kVariant, or a one-variant page: "cu128"; "" = every variant
  Pep440Version listed_from, listed_to;  // kFindLinks: releases the page is known to list
  bool open_ended = true;                // kFindLinks: no known last release
  std::string source;                    // the data row it rests on ("torch-find-links.csv:7")
  std::string label() const;             // "PyPI", "https://download.pytorch.org/whl/cu128"
};

// `url` "" or pypi.org's simple index = PyPI.
TorchIndex identify_index(const KnowledgeBase& kb, const InstallFacts& facts,
                          const std::string& url);

// A torch wheel an index serves for the target.
struct IndexedBuild {
  const TorchRelease* release = nullptr;
  const TorchVariant* variant = nullptr;  // nullptr: a build the data does not name
  Pep440Version version;                  // as the index spells it: "2.11.0+cu128", "2.15.0"
  bool on_pypi = false;
  WheelFit python;            // filled by the resolver for the builds it considers
  bool python_known = false;  // `python` was filled
};

// The torch wheels `index` serves for `platform` (any Python: python_fit says which).
// `unknown_releases` gets the releases whose presence on the index is not in the data.
std::vector<IndexedBuild> torch_builds_on(const KnowledgeBase& kb, const TorchIndex& index,
                                          Platform platform,
                                          std::vector<const TorchRelease*>* unknown_releases);

}  // namespace cudafit
