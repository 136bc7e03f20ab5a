// concat("a", s, 'c', 12): builds a string by appending, which also keeps GCC 12's
// -Wrestrict false positive on `"literal" + std::string` away.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace cudafit::detail {

inline void append_one(std::string& out, std::string_view s) { out.append(s); }
inline void append_one(std::string& out, char c) { out.push_back(c); }
template <typename T>
requires std::is_integral_v<T> &&
    (!std::is_same_v<T, char>)&&(!std::is_same_v<T, bool>)void append_one(std::string& out, T v) {
  out.append(std::to_string(v));
}

template <typename... Args>
std::string concat(const Args&... args) {
  std::string out;
  (append_one(out, args), ...);
  return out;
}

}  // namespace cudafit::detail
