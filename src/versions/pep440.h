// PEP 440 versions and specifiers, exactly as pip reads them.
// "2.3.1+cu121", "1!2.0rc1.post2.dev3"; specifiers ==, !=, <=, >=, <, >, ~=, ===, "==2.3.*".
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cudafit {

class Pep440Version {
 public:
  // Accepts every spelling PEP 440 normalizes ("v1.0", "1.0-alpha1", "1.0.POST", "1.0_rc2").
  static Result<Pep440Version> parse(std::string_view text);

  std::uint64_t epoch() const { return epoch_; }
  const std::vector<std::uint64_t>& release() const { return release_; }
  // Pre-release: 'a', 'b' or 'c' (rc) with its number.
  std::optional<std::pair<char, std::uint64_t>> pre() const { return pre_; }
  std::optional<std::uint64_t> post() const { return post_; }
  std::optional<std::uint64_t> dev() const { return dev_; }
  // Local segments, lower-cased: "cu121" -> {"cu121"}; "cu121.with.pypi.cudnn" -> 4 parts.
  const std::vector<std::string>& local() const { return local_; }
  std::string local_str() const;  // "cu121.with.pypi.cudnn", "" when none

  bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }
  // Release component i, 0 when the version has fewer components ("2.3" -> minor 3, micro 0).
  std::uint64_t component(std::size_t i) const { return i < release_.size() ? release_[i] : 0; }

  std::string str() const;         // normalized form
  std::string public_str() const;  // without the local part
  Pep440Version without_local() const;
  Pep440Version base_version() const;  // epoch and release only ("1!2.3rc1+x" -> "1!2.3")
  bool is_postrelease() const { return post_.has_value(); }

  // PEP 440 ordering (local versions sort after their public version).
  std::strong_ordering operator<=>(const Pep440Version& other) const;
  bool operator==(const Pep440Version& other) const { return (*this <=> other) == 0; }

 private:
  std::uint64_t epoch_ = 0;
  std::vector<std::uint64_t> release_;
  std::optional<std::pair<char, std::uint64_t>> pre_;
  std::optional<std::uint64_t> post_;
  std::optional<std::uint64_t> dev_;
  std::vector<std::string> local_;
};

// One clause: "==2.3.*", "~=2.1", ">=3.8".
class Specifier {
 public:
  enum class Op {
    kEqual,
    kNotEqual,
    kLessEqual,
    kGreaterEqual,
    kLess,
    kGreater,
    kCompatible,
    kArbitrary
  };
  static Result<Specifier> parse(std::string_view text);

  // pip's rules: local versions match "==X" when X has no local part; "<V"/">V" exclude
  // pre-releases and post-releases of V as PEP 440 says; `allow_prereleases` lets pre-releases
  // match.
  bool contains(const Pep440Version& v, bool allow_prereleases = false) const;
  // The operator alone, with no pre-release filtering.
  bool matches(const Pep440Version& v) const;
  // True when the clause names a pre-release with an inclusive or ordered operator
  // (">=2.0rc1"): then it lets pre-releases match, as in packaging >= 24.2 (not for "!=").
  bool implies_prereleases() const;
  Op op() const { return op_; }
  const std::string& version_text() const { return text_; }
  bool wildcard() const { return wildcard_; }
  std::string str() const;

 private:
  Op op_ = Op::kEqual;
  std::string text_;                // the version as written (for ===)
  std::optional<Pep440Version> v_;  // parsed version (without the ".*")
  bool wildcard_ = false;
};

// Comma-separated clauses, all of which must hold.
class SpecifierSet {
 public:
  static Result<SpecifierSet> parse(std::string_view text);
  // As packaging: a pre-release matches only when allowed or some clause names one; an
  // empty set therefore matches every final release but no pre-release.
  bool contains(const Pep440Version& v, bool allow_prereleases = false) const;
  bool implies_prereleases() const;
  bool empty() const { return specs_.empty(); }
  const std::vector<Specifier>& specifiers() const { return specs_; }
  std::string str() const;  // clauses sorted, comma-joined (packaging's form)

 private:
  std::vector<Specifier> specs_;
};

}  // namespace cudafit
