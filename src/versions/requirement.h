// PEP 508 dependency specifiers, as found in a wheel's METADATA (Requires-Dist):
//   nvidia-cudnn-cu12==8.9.2.26; platform_system == "Linux" and platform_machine == "x86_64"
//   cuda-toolkit[cublas,cudart]==13.0.2; platform_system == "Linux"
//   torch (==2.3.1) ; extra == 'vision'        name @ https://host/x.whl ; python_version < "3.13"
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "versions/pep440.h"

namespace cudafit {

// PEP 503 normalization: lower case, every run of '-', '_' and '.' becomes one '-'
// ("Typing_Extensions" -> "typing-extensions").
std::string normalize_package_name(std::string_view name);

// An environment marker, parsed into a tree: a comparison, or and/or of sub-markers
// ("and" binds tighter than "or"; parentheses group).
struct Marker {
  enum class Kind { kCompare, kAnd, kOr };
  struct Operand {
    bool is_variable = false;  // python_version, platform_system, extra, ... (canonical name)
    std::string text;          // the variable's name, or the quoted value without quotes
  };
  Kind kind = Kind::kCompare;
  Operand lhs, rhs;              // kCompare
  std::string op;                // "==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"
  std::vector<Marker> children;  // kAnd / kOr: two or more

  static Result<Marker> parse(std::string_view text);
  // Variables come from `env` (a missing one reads as ""). Comparisons use PEP 440 when the
  // left side is a version and "op right" is a specifier (pre-releases allowed), else plain
  // string comparison; "extra" values are compared PEP 503-normalized.
  bool evaluate(const std::map<std::string, std::string>& env) const;
  std::string str() const;  // canonical: variables bare, values in double quotes
};

// One requirement line.
struct Requirement {
  std::string name;                 // as written ("Typing_Extensions")
  std::vector<std::string> extras;  // as written, in order
  SpecifierSet specifier;
  std::string url;  // "name @ url" form; empty otherwise
  std::optional<Marker> marker;

  // Errors say where: "invalid requirement 'x ==': expected a version at position 5".
  static Result<Requirement> parse(std::string_view text);
  std::string normalized_name() const { return normalize_package_name(name); }
  // True when there is no marker or it holds in `env`.
  bool markers_hold(const std::map<std::string, std::string>& env) const;
  // packaging's form: name[sorted extras]specifiers @ url; marker
  std::string str() const;
};

}  // namespace cudafit
