// PEP 440 versions, read with the same grammar and ordering as pip's `packaging` library.
#include "versions/pep440.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "util/strings.h"
#include "versions/concat.h"

namespace cudafit {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A cursor over the version text; every optional group of packaging's regex saves and
// restores `pos` so that a group that does not match consumes nothing.
struct Cursor {
  std::string_view s;
  size_t pos = 0;
  bool overflow = false;

  bool at_end() const { return pos >= s.size(); }
  char peek(size_t ahead = 0) const { return pos + ahead < s.size() ? s[pos + ahead] : '\0'; }
  bool take_sep() {
    if (is_sep(peek())) {
      ++pos;
      return true;
    }
    return false;
  }
  // Case-insensitive keyword.
  bool take_word(std::string_view w) {
    if (s.size() - pos < w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (lower(s[pos + i]) != w[i]) return false;
    pos += w.size();
    return true;
  }
  std::optional<std::uint64_t> take_number() {
    size_t start = pos;
    while (is_digit(peek())) ++pos;
    if (pos == start) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + start, s.data() + pos, v, 10);
    if (ec != std::errc() || p != s.data() + pos) {
      overflow = true;
      return std::uint64_t{0};
    }
    return v;
  }
};

// pre_l: alpha|a|beta|b|preview|pre|c|rc (regex alternation order) -> 'a', 'b' or 'c'.
std::optional<char> take_pre_label(Cursor& c) {
  static constexpr std::pair<std::string_view, char> kLabels[] = {
      {"alpha", 'a'},   {"a", 'a'},   {"beta", 'b'}, {"b", 'b'},
      {"preview", 'c'}, {"pre", 'c'}, {"c", 'c'},    {"rc", 'c'}};
  for (const auto& [word, label] : kLabels)
    if (c.take_word(word)) return label;
  return std::nullopt;
}

// Compares one local segment: numbers sort after strings; numbers numerically.
int compare_local_segment(const std::string& a, const std::string& b) {
  bool an = !a.empty() && std::all_of(a.begin(), a.end(), is_digit);
  bool bn = !b.empty() && std::all_of(b.begin(), b.end(), is_digit);
  if (an != bn) return an ? 1 : -1;
  if (an) {
    std::string_view x(a), y(b);
    while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
    while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    return x.compare(y) < 0 ? -1 : (x.compare(y) > 0 ? 1 : 0);
  }
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::strong_ordering to_ordering(int c) {
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

}  // namespace

Result<Pep440Version> Pep440Version::parse(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return make_error(detail::concat("invalid version '", text, "': ", why));
  };
  Cursor c{trim(text)};
  Pep440Version v;
  if (c.peek() == 'v' || c.peek() == 'V') ++c.pos;

  // Epoch: digits followed by '!', else those digits start the release.
  size_t start = c.pos;
  auto first = c.take_number();
  if (!first) return fail("expected a release number");
  if (c.peek() == '!') {
    v.epoch_ = *first;
    ++c.pos;
  } else {
    c.pos = start;
  }
  auto n = c.take_number();
  if (!n) return fail("expected a release number");
  v.release_.reserve(4);  // one allocation for the usual "2.11.0" rather than three
  v.release_.push_back(*n);
  while (c.peek() == '.' && is_digit(c.peek(1))) {
    ++c.pos;
    v.release_.push_back(*c.take_number());
  }

  // Pre-release: [-_.]? label [-_.]? number?
  size_t save = c.pos;
  c.take_sep();
  if (auto label = take_pre_label(c)) {
    c.take_sep();  // kept even with no number after it ("1.0rc." == 1.0rc0), as the regex does
    auto num = c.take_number();
    v.pre_ = std::make_pair(*label, num.value_or(0));
  } else {
    c.pos = save;
  }

  // Post-release: "-N", or [-_.]? (post|rev|r) [-_.]? number?
  save = c.pos;
  if (c.peek() == '-' && is_digit(c.peek(1))) {
    ++c.pos;
    v.post_ = *c.take_number();
  } else {
    c.take_sep();
    if (c.take_word("post") || c.take_word("rev") || c.take_word("r")) {
      c.take_sep();
      auto num = c.take_number();
      v.post_ = num.value_or(0);
    } else {
      c.pos = save;
    }
  }

  // Dev release: [-_.]? dev [-_.]? number?
  save = c.pos;
  c.take_sep();
  if (c.take_word("dev")) {
    c.take_sep();
    auto num = c.take_number();
    v.dev_ = num.value_or(0);
  } else {
    c.pos = save;
  }

  // Local: "+" [a-z0-9]+ ([-_.][a-z0-9]+)*
  if (c.peek() == '+') {
    ++c.pos;
    std::string seg;
    while (true) {
      char ch = c.peek();
      if (is_digit(ch) || is_alpha(ch)) {
        seg += lower(ch);
        ++c.pos;
        continue;
      }
      if (seg.empty()) return fail("empty local version segment");
      // A numeric segment is a number: "+01" prints as "+1".
      if (std::all_of(seg.begin(), seg.end(), is_digit)) {
        size_t nz = seg.find_first_not_of('0');
        seg.erase(0, nz == std::string::npos ? seg.size() - 1 : nz);
      }
      v.local_.push_back(std::move(seg));
      seg.clear();
      if (is_sep(ch)) {
        ++c.pos;
        continue;
      }
      break;
    }
  }
  if (!c.at_end())
    return fail(detail::concat("unexpected '", c.peek(), "' at position ", c.pos + 1));
  if (c.overflow) return fail("number too large");
  return v;
}

std::string Pep440Version::local_str() const {
  std::string out;
  for (size_t i = 0; i < local_.size(); ++i) {
    if (i) out += '.';
    out += local_[i];
  }
  return out;
}

std::string Pep440Version::public_str() const {
  std::string out;
  if (epoch_ != 0) out += std::to_string(epoch_) + "!";
  for (size_t i = 0; i < release_.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(release_[i]);
  }
  if (pre_) {
    out += pre_->first == 'c' ? "rc" : std::string(1, pre_->first);
    out += std::to_string(pre_->second);
  }
  if (post_) out += detail::concat(".post", *post_);
  if (dev_) out += detail::concat(".dev", *dev_);
  return out;
}

std::string Pep440Version::str() const {
  std::string out = public_str();
  if (!local_.empty()) out += detail::concat('+', local_str());
  return out;
}

Pep440Version Pep440Version::without_local() const {
  Pep440Version v = *this;
  v.local_.clear();
  return v;
}

Pep440Version Pep440Version::base_version() const {
  Pep440Version v;
  v.epoch_ = epoch_;
  v.release_ = release_;
  return v;
}

std::strong_ordering Pep440Version::operator<=>(const Pep440Version& other) const {
  if (auto c = epoch_ <=> other.epoch_; c != 0) return c;
  // Release, trailing zeros ignored ("1.0" == "1.0.0").
  size_t n = std::max(release_.size(), other.release_.size());
  for (size_t i = 0; i < n; ++i)
    if (auto c = component(i) <=> other.component(i); c != 0) return c;

  // Pre: a dev-only release (1.0.dev0) sorts before every pre-release; a final after them.
  // Encoded as (rank, letter, number): rank 0 = -inf, 1 = pre-release, 2 = +inf.
  auto pre_key = [](const Pep440Version& v) {
    if (!v.pre_ && !v.post_ && v.dev_) return std::tuple<int, char, std::uint64_t>{0, 0, 0};
    if (!v.pre_) return std::tuple<int, char, std::uint64_t>{2, 0, 0};
    return std::tuple<int, char, std::uint64_t>{1, v.pre_->first, v.pre_->second};
  };
  if (auto c = pre_key(*this) <=> pre_key(other); c != 0) return c;
  // Post: none sorts first.
  auto post_key = [](const Pep440Version& v) {
    return v.post_ ? std::pair<int, std::uint64_t>{1, *v.post_}
                   : std::pair<int, std::uint64_t>{0, 0};
  };
  if (auto c = post_key(*this) <=> post_key(other); c != 0) return c;
  // Dev: none sorts last.
  auto dev_key = [](const Pep440Version& v) {
    return v.dev_ ? std::pair<int, std::uint64_t>{0, *v.dev_} : std::pair<int, std::uint64_t>{1, 0};
  };
  if (auto c = dev_key(*this) <=> dev_key(other); c != 0) return c;
  // Local: none sorts first; then segment by segment, a longer one wins on a common prefix.
  size_t m = std::min(local_.size(), other.local_.size());
  for (size_t i = 0; i < m; ++i)
    if (int c = compare_local_segment(local_[i], other.local_[i]); c != 0) return to_ordering(c);
  return local_.size() <=> other.local_.size();
}

}  // namespace cudafit
