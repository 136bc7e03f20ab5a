// libFuzzer target: arbitrary bytes (a file from a broken machine) as JSON strings and keys,
// through json_text. It must never throw, must always give valid JSON, and must give
// nlohmann's own dump(2) bytes whenever those exist (the input is UTF-8).
// fuzz-link: cudafit_util
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "util/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  // Split at '|' into values: the first is a key, the rest a list and a nested object.
  json doc = json::object();
  json list = json::array();
  std::string key;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    if (i < bytes.size() && bytes[i] != '|') continue;
    std::string part = bytes.substr(start, i - start);
    if (start == 0) {
      key = part;
    } else {
      list.push_back(part);
    }
    start = i + 1;
  }
  doc[key] = list;
  doc["nested"] = {{key, {{"n", static_cast<int>(size)}, {"empty", json::object()}}}};
  std::string text = cudafit::json_text(doc);
  if (!json::accept(text)) std::abort();
  std::string reference;
  try {
    reference = doc.dump(2);
  } catch (const json::type_error&) {
    return 0;  // not UTF-8: dump(2) has no answer to compare with
  }
  if (text != reference) std::abort();
  return 0;
}
