// JsonReader: a pull parser over one JSON text (RFC 8259), for reading thousands of reports
// fast: the caller walks the keys it wants and skip()s the rest, nothing is built, and strings
// without escapes are returned as views into the text. Every byte is still checked: a text
// that is not JSON fails with the offset and why. ran_out() tells "the text ended too soon"
// (truncated, or more is still to come) from a real syntax error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cudafit {

class JsonReader {
 public:
  enum class Type { kObject, kArray, kString, kNumber, kBool, kNull, kEnd, kInvalid };

  explicit JsonReader(std::string_view text) : s_(text) {}

  // The type of the next value (after whitespace); kEnd when the text ends, kInvalid when the
  // next byte cannot start a value. Consumes nothing but whitespace.
  Type peek();
  // '{' ... then next_key() until it returns false ('}' consumed, or an error: see failed()).
  bool enter_object();
  bool next_key(std::string_view& key);
  // '[' ... then next_element() until it returns false.
  bool enter_array();
  bool next_element();
  // The next value, decoded; a string view stays valid until the next read_string().
  bool read_string(std::string_view& out);
  bool read_number(double& out);
  bool read_bool(bool& out);
  bool read_null();
  // Any value, checked but not kept. Nesting deeper than kMaxDepth is an error.
  bool skip();
  static constexpr std::size_t kMaxDepth = 512;

  bool failed() const { return !error_.empty(); }
  bool ran_out() const { return ran_out_; }
  const std::string& error() const { return error_; }
  std::size_t offset() const { return p_; }  // bytes consumed

 private:
  void ws();
  bool fail(const char* why);
  bool scan_string(std::string_view& out, std::string& scratch);
  bool scan_number(std::string_view* out);
  bool scan_literal(std::string_view word);
  bool close_or_comma(char close);

  std::string_view s_;
  std::size_t p_ = 0;
  std::string error_;
  bool ran_out_ = false;
  std::vector<bool> first_;  // per open container entered: nothing read from it yet
  std::string key_scratch_, value_scratch_;
};

}  // namespace cudafit
