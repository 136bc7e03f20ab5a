#include "fleet/json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace cudafit {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Bytes that end the fast part of a string scan: the quote, a backslash, a control character.
struct StringStops {
  bool stop[256] = {};
  constexpr StringStops() {
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr StringStops kStops;

}  // namespace

bool JsonReader::fail(const char* why) {
  if (error_.empty()) {
    error_ = why;
    if (*why == '\0' || p_ >= s_.size()) {
      ran_out_ = true;
      error_ = "the text ends inside a value (truncated)";
    }
  }
  return false;
}

void JsonReader::ws() {
  while (p_ < s_.size()) {
    const char c = s_[p_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++p_;
  }
}

JsonReader::Type JsonReader::peek() {
  if (failed()) return Type::kInvalid;
  ws();
  if (p_ >= s_.size()) return Type::kEnd;
  switch (s_[p_]) {
    case '{':
      return Type::kObject;
    case '[':
      return Type::kArray;
    case '"':
      return Type::kString;
    case 't':
    case 'f':
      return Type::kBool;
    case 'n':
      return Type::kNull;
    default:
      return s_[p_] == '-' || digit(s_[p_]) ? Type::kNumber : Type::kInvalid;
  }
}

bool JsonReader::enter_object() {
  if (peek() != Type::kObject) return fail("expected an object");
  ++p_;
  first_.push_back(true);
  return true;
}

bool JsonReader::enter_array() {
  if (peek() != Type::kArray) return fail("expected an array");
  ++p_;
  first_.push_back(true);
  return true;
}

// Before the next member or element: the closing bracket (returns false), or a comma after
// the first one. The caller reads what follows.
bool JsonReader::close_or_comma(char close) {
  if (failed() || first_.empty()) return false;
  ws();
  if (p_ >= s_.size()) return fail("");
  if (s_[p_] == close) {
    ++p_;
    first_.pop_back();
    return false;
  }
  if (first_.back()) {
    first_.back() = false;
    return true;
  }
  if (s_[p_] != ',') return fail(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  ++p_;
  ws();
  return true;
}

bool JsonReader::next_key(std::string_view& key) {
  if (!close_or_comma('}')) return false;
  if (!scan_string(key, key_scratch_)) return false;
  ws();
  if (p_ >= s_.size()) return fail("");
  if (s_[p_] != ':') return fail("expected ':' after a key");
  ++p_;
  return true;
}

bool JsonReader::next_element() { return close_or_comma(']'); }

bool JsonReader::scan_string(std::string_view& out, std::string& scratch) {
  ws();
  if (p_ >= s_.size()) return fail("");
  if (s_[p_] != '"') return fail("expected a string");
  const std::size_t start = ++p_;
  const std::size_t n = s_.size();
  while (p_ < n && !kStops.stop[static_cast<unsigned char>(s_[p_])]) ++p_;
  if (p_ >= n) return fail("");
  if (s_[p_] == '"') {
    out = s_.substr(start, p_ - start);
    ++p_;
    return true;
  }
  // Escapes (or a control character, which is an error): decode into scratch.
  scratch.assign(s_.data() + start, p_ - start);
  while (true) {
    while (p_ < n && !kStops.stop[static_cast<unsigned char>(s_[p_])]) scratch += s_[p_++];
    if (p_ >= n) return fail("");
    const char c = s_[p_];
    if (c == '"') {
      ++p_;
      out = scratch;
      return true;
    }
    if (c != '\\') return fail("a control character inside a string");
    if (++p_ >= n) return fail("");
    switch (s_[p_++]) {
      case '"':
        scratch += '"';
        break;
      case '\\':
        scratch += '\\';
        break;
      case '/':
        scratch += '/';
        break;
      case 'b':
        scratch += '\b';
        break;
      case 'f':
        scratch += '\f';
        break;
      case 'n':
        scratch += '\n';
        break;
      case 'r':
        scratch += '\r';
        break;
      case 't':
        scratch += '\t';
        break;
      case 'u': {
        auto hex4 = [&](std::uint32_t& v) {
          if (p_ + 4 > n) return fail("");
          v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = hex_value(s_[p_ + i]);
            if (h < 0) return fail("a bad \\u escape");
            v = v * 16 + static_cast<std::uint32_t>(h);
          }
          p_ += 4;
          return true;
        };
        std::uint32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF && p_ + 1 < n && s_[p_] == '\\' && s_[p_ + 1] == 'u') {
          const std::size_t back = p_;
          p_ += 2;
          std::uint32_t low = 0;
          if (!hex4(low)) return false;
          if (low >= 0xDC00 && low <= 0xDFFF)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          else
            p_ = back;  // not a pair: the high half alone, then the next escape
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate
        append_utf8(scratch, cp);
        break;
      }
      default:
        --p_;
        return fail("a bad escape in a string");
    }
  }
}

bool JsonReader::scan_number(std::string_view* out) {
  ws();
  const std::size_t start = p_, n = s_.size();
  if (p_ < n && s_[p_] == '-') ++p_;
  if (p_ >= n) return fail("");
  if (s_[p_] == '0') {
    ++p_;
  } else if (digit(s_[p_])) {
    while (p_ < n && digit(s_[p_])) ++p_;
  } else {
    return fail("expected a number");
  }
  if (p_ < n && s_[p_] == '.') {
    ++p_;
    if (p_ >= n) return fail("");
    if (!digit(s_[p_])) return fail("expected a digit after '.'");
    while (p_ < n && digit(s_[p_])) ++p_;
  }
  if (p_ < n && (s_[p_] == 'e' || s_[p_] == 'E')) {
    ++p_;
    if (p_ < n && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
    if (p_ >= n) return fail("");
    if (!digit(s_[p_])) return fail("expected a digit in the exponent");
    while (p_ < n && digit(s_[p_])) ++p_;
  }
  if (out != nullptr) *out = s_.substr(start, p_ - start);
  return true;
}

bool JsonReader::scan_literal(std::string_view word) {
  ws();
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (p_ + i >= s_.size()) {
      p_ += i;
      return fail("");
    }
    if (s_[p_ + i] != word[i]) return fail("expected true, false or null");
  }
  p_ += word.size();
  return true;
}

bool JsonReader::read_string(std::string_view& out) {
  if (failed()) return false;
  return scan_string(out, value_scratch_);
}

bool JsonReader::read_number(double& out) {
  if (failed()) return false;
  std::string_view text;
  if (!scan_number(&text)) return false;
  // strtod needs a terminated string; numbers in reports are short.
  const std::string copy(text);
  out = std::strtod(copy.c_str(), nullptr);
  if (std::isfinite(out)) return true;
  // Past double's range (a 309-digit integer, 1e999): no value to give, and a report's numbers
  // are times and schema versions. The error points at the number, not at the end of the text.
  p_ = static_cast<std::size_t>(text.data() - s_.data());
  return fail("a number out of range");
}

bool JsonReader::read_bool(bool& out) {
  if (failed()) return false;
  ws();
  if (p_ < s_.size() && s_[p_] == 't') {
    out = true;
    return scan_literal("true");
  }
  out = false;
  return scan_literal("false");
}

bool JsonReader::read_null() {
  if (failed()) return false;
  return scan_literal("null");
}

bool JsonReader::skip() {
  if (failed()) return false;
  std::string stack;  // '{' or '[' per open container of this value
  std::string_view ignored;
  while (true) {
    // A value.
    switch (peek()) {
      case Type::kObject:
      case Type::kArray: {
        const char open = s_[p_++];
        ws();
        if (p_ >= s_.size()) return fail("");
        if (s_[p_] == (open == '{' ? '}' : ']')) {
          ++p_;
          break;  // empty: a complete value
        }
        if (stack.size() >= kMaxDepth) return fail("nested deeper than 512 levels");
        stack += open;
        if (open == '{') {
          if (!scan_string(ignored, key_scratch_)) return false;
          ws();
          if (p_ >= s_.size()) return fail("");
          if (s_[p_] != ':') return fail("expected ':' after a key");
          ++p_;
        }
        continue;  // the first member's or element's value
      }
      case Type::kString:
        if (!scan_string(ignored, value_scratch_)) return false;
        break;
      case Type::kNumber:
        if (!scan_number(nullptr)) return false;
        break;
      case Type::kBool:
        if (!scan_literal(s_[p_] == 't' ? "true" : "false")) return false;
        break;
      case Type::kNull:
        if (!scan_literal("null")) return false;
        break;
      case Type::kEnd:
        return fail("");
      case Type::kInvalid:
        return fail("expected a value");
    }
    // After a value: close containers, or a comma and the next value.
    while (true) {
      if (stack.empty()) return true;
      ws();
      if (p_ >= s_.size()) return fail("");
      const char c = s_[p_];
      if (c == (stack.back() == '{' ? '}' : ']')) {
        ++p_;
        stack.pop_back();
        continue;
      }
      if (c != ',')
        return fail(stack.back() == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
      ++p_;
      if (stack.back() == '{') {
        if (!scan_string(ignored, key_scratch_)) return false;
        ws();
        if (p_ >= s_.size()) return fail("");
        if (s_[p_] != ':') return fail("expected ':' after a key");
        ++p_;
      }
      break;
    }
  }
}

}  // namespace cudafit
