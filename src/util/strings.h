// Small string helpers shared by the parsers (no locale, no allocation where avoidable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cudafit {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// Splits on runs of ASCII whitespace, dropping empty pieces.
std::vector<std::string_view> split_ws(std::string_view s);
std::vector<std::string_view> split_lines(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);
std::string to_lower(std::string_view s);
// How many ASCII digits `s` starts with.
std::size_t leading_digits(std::string_view s);
// How many times `c` occurs in `s` (with memchr: std::count is a byte loop at -O2, and the
// knowledge base counts the lines of 200 KB tables).
std::size_t count_char(std::string_view s, char c);
// Whole string must be decimal digits (no sign, no spaces) and fit in uint64.
std::optional<std::uint64_t> parse_uint(std::string_view s);
// Hex digits, with or without a 0x prefix.
std::optional<std::uint64_t> parse_hex(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace cudafit

namespace cudafit {

// `s` with every byte sequence that is not UTF-8 replaced by U+FFFD (metrics, labels and web
// pages must be UTF-8; the machine's files need not be). Returns `s` unchanged when valid.
std::string to_valid_utf8(std::string_view s);

}  // namespace cudafit
