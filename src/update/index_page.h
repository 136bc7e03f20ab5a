// A project's page on a package index, in either form the simple API has: PEP 691 JSON
// (`Accept: application/vnd.pypi.simple.v1+json`, with PEP 700's sizes and upload times) or
// PEP 503 HTML (what mirrors and download.pytorch.org serve), and wheel file names (PEP 427).
// Pure functions of text: the fuzz targets call them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/kb.h"
#include "util/result.h"

namespace cudafit {

struct IndexFile {
  std::string filename;         // "torch-2.12.0-cp312-cp312-manylinux_2_28_x86_64.whl"
  std::string url;              // absolute, without the #hash fragment
  std::string requires_python;  // "" when the index gives none
  bool yanked = false;
  std::string yanked_reason;
  std::string upload_time;    // "2026-05-13T14:52:54.453876Z" (PEP 700; JSON only)
  std::uint64_t size = 0;     // 0 = not given
  bool has_metadata = false;  // PEP 658/714: the METADATA is at url + ".metadata"
};

struct IndexPage {
  std::string name;  // the project, as the page names it ("" for HTML)
  std::vector<IndexFile> files;
};

inline constexpr const char* kPep691Type = "application/vnd.pypi.simple.v1+json";

// Errors name what is wrong ("not JSON", "no files array", "file 12: no filename").
Result<IndexPage> parse_pep691_json(std::string_view body, std::string_view page_url);
// Every <a> element; hrefs resolved against the page's URL, entities decoded.
Result<IndexPage> parse_pep503_html(std::string_view body, std::string_view page_url);
// By Content-Type: JSON for PEP 691's type (or application/json), HTML for text/html; an error
// for any other type.
Result<IndexPage> parse_index_page(std::string_view body, std::string_view content_type,
                                   std::string_view page_url);

// "https://host/a/b/" + "../c" -> "https://host/a/c"; absolute and scheme-relative hrefs too.
std::string resolve_url(std::string_view base, std::string_view href);

// A wheel file name: name-version(-build)?-python-abi-platform.whl.
struct WheelName {
  std::string name;                   // normalized ("torch")
  std::string version;                // "2.12.0+cu130"
  std::string public_version, local;  // "2.12.0", "cu130"
  std::vector<std::string> cpython;   // "cp312", "cp313t" (free-threaded ABI); cp37m -> cp37
  std::string python_tag, abi_tag, platform_tag;
  std::optional<Platform> platform;  // none for macOS, 32-bit, "any"
  bool any_platform = false;         // "-none-any"
};
std::optional<WheelName> parse_wheel_name(std::string_view filename);

}  // namespace cudafit
