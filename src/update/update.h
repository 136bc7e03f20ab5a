// `cudafit update`: what has appeared since the built-in data was reviewed, read from the
// sources users already trust, written as an overlay (kb/overlay.h) with a source and a fetch
// time on every row.
//
// Sources (data/update-sources.csv): PyPI's simple API for torch, torchvision, torchaudio,
// triton, tensorflow, jax-cudaNN-plugin, cupy-cudaNNx, vllm, xformers and flash-attn (new
// releases, their wheels' tags, Requires-Python, upload times, yanked; each new release's
// METADATA for its pins); PyTorch's wheel index (which variants a release has, per platform
// and Python); NVIDIA's release notes, Table 3 (minimum drivers of CUDA releases newer than
// the data). Every answer is cached: the next update asks conditionally.
//
// Failures: a source of the torch chain that cannot be read (and has no cached copy) stops the
// update before anything is written; a framework page, the PyTorch index or the release notes
// that cannot be read leave their rows as the previous overlay had them, and say so.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "update/fetch.h"
#include "update/http.h"
#include "util/host.h"

namespace cudafit {

// data/update-sources.csv: the default URLs (pypi, pytorch, cuda-release-notes) and the packages
// read.
struct UpdateSources {
  std::map<std::string, std::string> urls;  // "pypi" -> "https://pypi.org/simple"
  struct Package {
    std::string name;       // "vllm", "jax-cuda{cuda_major}-plugin"
    std::string framework;  // its frameworks.csv name ("jax"); "" for torch and companions
  };
  std::vector<Package> packages;
};

struct UpdateOptions {
  std::string index_url;          // PyPI's simple API, or a mirror (--index-url)
  std::string pytorch_url;        // download.pytorch.org/whl (--pytorch-url)
  std::string release_notes_url;  // NVIDIA's CUDA release notes
  bool dry_run = false;
  bool deep = false;        // read the arch lists out of new variants' wheels
  bool offline = false;     // the cache only
  std::string overlay_dir;  // where the overlay is written
  std::string cache_dir;    // where answers are kept
  std::string version;      // cudafit's, for the manifest
  UpdateSources sources;    // the packages read (read_update_sources)
  FetchOptions fetch;       // limits (tests shrink them)
  // One line per source as it is read (a TTY's progress), or empty.
  std::function<void(const std::string&)> progress;
};

// One row of the diff `update` prints.
struct DiffRow {
  std::string file;    // "torch-releases.csv"
  std::string key;     // "2.16.0", "2.16.0 cu132 linux-x86_64"
  std::string change;  // new, fills, conflict, kept (a previous row kept: its source failed)
  std::string detail;  // what it adds, or how it contradicts the data
  std::string source;  // where it was read
};

struct UpdateReport {
  int exit_code = 0;    // 0 done (or nothing new), 1 a source failed: nothing written, 3 offline
  std::string offline;  // the one line said when offline
  std::vector<DiffRow> diff;
  std::vector<std::string> notes;     // read with a caveat (a stale copy, an assumption, unknown)
  std::vector<std::string> failures;  // why nothing was written (a source)
  std::string write_error;            // why nothing was written (the overlay's folder)
  int known = 0;                      // candidate rows the data already has
  int rows = 0;                       // rows of the overlay (written, or that would be)
  bool written = false;               // a new overlay generation is in place
  bool unchanged = false;             // the overlay already said exactly this
  std::string overlay_dir;
  FetchCount total;
  std::map<std::string, FetchCount> counts;  // by purpose ("torch 2.16.0 linux-x86_64 metadata")
};

// Runs an update of `base` (the built-in or --data knowledge base, without any overlay).
// `http` may be null (offline); `fs` reads this machine's files (cache, previous overlay, data).
UpdateReport run_update(const KnowledgeBase& base, const UpdateOptions& options, HttpClient* http,
                        const Host& fs);

// Where answers are kept between updates: $XDG_CACHE_HOME/cudafit/http, else
// $HOME/.cache/cudafit/http; "" when neither is set.
std::string update_cache_dir_for(const Host& env);

// Reads data/update-sources.csv from `data_dir` (--data), else the embedded copy.
Result<UpdateSources> read_update_sources(const Host& fs, const std::string& data_dir);

}  // namespace cudafit
