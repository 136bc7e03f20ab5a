// fuzz-link: cudafit_versions
// Fuzzes PEP 508 requirement and marker parsing: never crash, str() parses back to the same
// text, and markers evaluate without error for any environment.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "versions/requirement.h"

using namespace cudafit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, std::string> env = {
      {"python_version", "3.12"},   {"python_full_version", "3.12.1"},
      {"platform_system", "Linux"}, {"platform_machine", "x86_64"},
      {"sys_platform", "linux"},    {"extra", "cuda"}};
  if (auto r = Requirement::parse(input)) {
    std::string text = r->str();
    auto again = Requirement::parse(text);
    if (!again || again->str() != text) __builtin_trap();
    if (again->markers_hold(env) != r->markers_hold(env)) __builtin_trap();
    (void)r->normalized_name();
  }
  if (auto m = Marker::parse(input)) {
    auto again = Marker::parse(m->str());
    if (!again || again->str() != m->str()) __builtin_trap();
    if (again->evaluate(env) != m->evaluate(env)) __builtin_trap();
  }
  (void)normalize_package_name(input);
  return 0;
}
