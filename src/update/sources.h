// Internal to update/: what each source contributes (candidate rows of the data's files), and
// what the sources hand each other.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "kb/kb_impl.h"  // the data files' names
#include "kb/overlay.h"
#include "update/fetch.h"
#include "update/index_page.h"
#include "update/update.h"
#include "update/wheel_metadata.h"

namespace cudafit {

struct Candidate {
  std::string file;  // "torch-releases.csv"
  CsvRecord row;     // the data's columns, plus "fetched"
};

struct Collected {
  std::vector<Candidate> rows;
  std::vector<std::string> notes;     // read with a caveat
  std::vector<std::string> failures;  // could not read a source the update needs: nothing written
  std::string offline;                // set when that was for want of a network
  std::set<std::string> keep_frameworks;  // frameworks whose previous overlay rows stay
  bool keep_cuda = false;                 // the previous overlay's cuda.csv rows stay
};

// A project page as read, with when.
struct ReadPage {
  IndexPage page;
  std::string url, fetched;
};

class SourceContext {
 public:
  SourceContext(Fetcher& f, const KnowledgeBase& b, const OverlayBase& d, const UpdateOptions& o,
                Collected& c)
      : fetch(f), base(b), data(d), options(o), out(c) {}

  Fetcher& fetch;
  const KnowledgeBase& base;  // the data (built in or --data), without any overlay
  const OverlayBase& data;    // the same, as rows of text
  const UpdateOptions& options;
  Collected& out;

  // A project's page on the package index (PEP 691 JSON, or PEP 503 HTML from a mirror).
  // nullopt: the index has no such project (404), or it could not be read: then a `hard`
  // source is a failure, another a note (and `*failed` is set).
  std::optional<ReadPage> project(const std::string& name, bool hard, bool* failed = nullptr);
  // A page of the PyTorch index, `{pytorch_url}/{variant}/torch/` (variant "": the page of
  // every variant's wheels, `{pytorch_url}/torch/`); nullopt when absent or unreadable (a note).
  std::optional<ReadPage> pytorch_page(const std::string& variant, bool* failed = nullptr);
  // A page read as text (the release notes); nullopt when unreadable (a note).
  std::optional<Fetcher::Page> text_page(const std::string& url, const std::string& what);

  void progress(const std::string& line) const {
    if (options.progress) options.progress(line);
  }
  void fail(const std::string& what, const Fetcher::Page& p);

 private:
  std::optional<ReadPage> read_listing(const std::string& url, const std::string& accept,
                                       const std::string& what, bool hard, bool* failed);
};

// Facts one source hands the next.
struct TorchFacts {
  // torch release -> the companion release whose METADATA pins exactly it.
  std::map<std::string, std::string> torchvision_of, torchaudio_of;
  std::set<std::string> newly_pinned;  // "torchvision 0.31.0": companions this update found
  std::vector<std::string> new_releases;
  std::map<std::string, BuildPins> pins;  // "2.16.0 linux-x86_64" -> what the PyPI wheel pins
  std::set<std::string> variant_cuda;     // "13.2": CUDA of the variants the update found
  std::string torch_fetched;              // when the torch listing was read
};

void collect_companions(SourceContext& ctx, TorchFacts& facts);
void collect_torch(SourceContext& ctx, TorchFacts& facts);
void collect_frameworks(SourceContext& ctx, const TorchFacts& facts);
void collect_cuda(SourceContext& ctx, const TorchFacts& facts);

// --deep: the GPU code in a wheel's CUDA library (its largest torch/lib/*cuda*.so member),
// read by ranges of that member alone and scanned as it inflates.
struct MeasuredArchs {
  bool ok = false;
  std::string sass, ptx;  // "7.5 8.0 8.6", as torch-arch-lists.csv writes them
  std::string member;     // the library read
  std::string error;
};
MeasuredArchs measure_arch_list(Fetcher& fetch, const IndexFile& wheel, const std::string& purpose);

// Helpers the sources share.
std::string date_of(const std::string& upload_time);  // "2026-05-13T14:52:54Z" -> "2026-05-13"
// The CPython version of a tag: "cp312" -> "3.12", "cp313t" -> "3.13".
std::string python_of_tag(const std::string& tag);
// Tags in order: cp39 < cp310 < cp313 < cp313t < cp314.
void sort_tags(std::vector<std::string>& tags);
// Final releases only, parsed; nullopt for pre-releases, dev releases and what does not parse.
std::optional<Pep440Version> final_release(const std::string& version);
std::string kib(std::uint64_t bytes);

}  // namespace cudafit
