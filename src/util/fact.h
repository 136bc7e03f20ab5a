// Fact<T>: a value that knows where it came from, or why it is unknown.
// Reports print "535.104.05 (from /sys/module/nvidia/version)".
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace cudafit {

template <typename T>
struct Fact {
  std::optional<T> value;  // empty = unknown
  std::string source;      // file path, library call ("nvmlSystemGetDriverVersion"), or data row
  std::string note;        // why it is unknown, or a caveat

  bool known() const { return value.has_value(); }
  static Fact of(T v, std::string from) { return Fact{std::move(v), std::move(from), {}}; }
  static Fact unknown(std::string why) { return Fact{std::nullopt, {}, std::move(why)}; }
};

}  // namespace cudafit
