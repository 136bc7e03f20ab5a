// libFuzzer target: arbitrary bytes as a stream of doctor reports for `cudafit fleet`
// (FleetReader: documents, resync after a broken one, the size limit) and as one JSON text
// for JsonReader, whose accept/reject must agree with nlohmann's parser. Never a crash, a hang
// or an exception; a small document limit makes the oversize path reachable.
// fuzz-link: cudafit_fleet
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "fleet/fleet.h"
#include "fleet/json_reader.h"
#include "util/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  {
    cudafit::FleetReader reader(4096);
    std::istringstream in(bytes);
    reader.add_stream(in, "fuzz");
    cudafit::FleetData fleet = reader.finish();
    if (fleet.inputs != 1) std::abort();
    for (const auto& m : fleet.machines) (void)fleet.name_of(m);
  }
  cudafit::JsonReader r(bytes);
  bool ok = r.skip();
  if (ok && r.peek() != cudafit::JsonReader::Type::kEnd) ok = false;  // one value, then nothing
  // nlohmann accepts what RFC 8259 accepts, except where the two differ on purpose: it refuses
  // bytes that are not UTF-8 and lone surrogate escapes (JsonReader keeps the bytes and makes
  // U+FFFD: a report from a broken machine is still read), numbers out of double's range (an
  // exponent, or 309 digits and more in a row: skip checks only the grammar), it has no nesting
  // limit, and its lexer takes a NUL byte for the end of the input ("1\n\0x" is accepted;
  // JsonReader refuses what follows the value). Elsewhere a disagreement is a bug in one of the
  // two.
  std::size_t opens = 0, digits = 0, longest_digits = 0;
  bool exponent = false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    opens += bytes[i] == '[' || bytes[i] == '{';
    const bool digit = bytes[i] >= '0' && bytes[i] <= '9';
    if ((bytes[i] == 'e' || bytes[i] == 'E') && digits > 0) exponent = true;
    digits = digit ? digits + 1 : 0;
    longest_digits = std::max(longest_digits, digits);
  }
  const bool huge = longest_digits > std::numeric_limits<double>::max_exponent10;
  const bool comparable = opens < cudafit::JsonReader::kMaxDepth && !exponent && !huge &&
                          bytes.find("\\u") == std::string::npos &&
                          bytes.find('\0') == std::string::npos &&
                          cudafit::to_valid_utf8(bytes) == bytes;
  if (comparable && ok != nlohmann::json::accept(bytes)) std::abort();
  return 0;
}
