// PEP 440 specifiers and specifier sets, with the semantics of pip's `packaging` library.
#include <algorithm>

#include "util/strings.h"
#include "versions/concat.h"
#include "versions/pep440.h"

namespace cudafit {

namespace {

bool has_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

const char* op_text(Specifier::Op op) {
  switch (op) {
    case Specifier::Op::kEqual:
      return "==";
    case Specifier::Op::kNotEqual:
      return "!=";
    case Specifier::Op::kLessEqual:
      return "<=";
    case Specifier::Op::kGreaterEqual:
      return ">=";
    case Specifier::Op::kLess:
      return "<";
    case Specifier::Op::kGreater:
      return ">";
    case Specifier::Op::kCompatible:
      return "~=";
    case Specifier::Op::kArbitrary:
      return "===";
  }
  return "?";
}

// "==X.Y.*": same epoch, and the release (padded with zeros) starts with X.Y.
// `count` is how many of the prefix's release numbers take part.
bool prefix_match(const Pep440Version& v, const Pep440Version& prefix, size_t count) {
  if (v.epoch() != prefix.epoch()) return false;
  for (size_t i = 0; i < count && i < prefix.release().size(); ++i)
    if (v.component(i) != prefix.release()[i]) return false;
  return true;
}

}  // namespace

Result<Specifier> Specifier::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto fail = [&](std::string_view why) {
    return make_error(detail::concat("invalid specifier '", text, "': ", why));
  };
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"===", Op::kArbitrary}, {"==", Op::kEqual},        {"!=", Op::kNotEqual},
      {"<=", Op::kLessEqual},  {">=", Op::kGreaterEqual}, {"~=", Op::kCompatible},
      {"<", Op::kLess},        {">", Op::kGreater}};
  Specifier s;
  bool found = false;
  for (const auto& [word, op] : kOps) {
    if (starts_with(t, word)) {
      s.op_ = op;
      t.remove_prefix(word.size());
      found = true;
      break;
    }
  }
  if (!found) return fail("expected an operator (==, !=, <=, >=, <, >, ~=, ===)");
  t = trim(t);
  if (t.empty()) return fail("missing version");
  if (has_space(t)) return fail("space inside the version");
  s.text_ = std::string(t);
  if (s.op_ == Op::kArbitrary) {
    if (t.find_first_of(";)") != std::string_view::npos) return fail("unexpected ';' or ')'");
    return s;
  }
  std::string_view version = t;
  if (ends_with(version, ".*")) {
    if (s.op_ != Op::kEqual && s.op_ != Op::kNotEqual)
      return fail("a '.*' wildcard is only allowed with == and !=");
    version.remove_suffix(2);
    s.wildcard_ = true;
  }
  auto v = Pep440Version::parse(version);
  if (!v) return fail(v.error());
  if (version != trim(version)) return fail("space inside the version");
  if (s.wildcard_ && (v->pre() || v->post() || v->dev() || !v->local().empty()))
    return fail("a '.*' wildcard must follow the release numbers");
  if (!v->local().empty() && s.op_ != Op::kEqual && s.op_ != Op::kNotEqual)
    return fail("a local version is only allowed with == and !=");
  if (s.op_ == Op::kCompatible && v->release().size() < 2)
    return fail("~= needs at least two release numbers");
  s.v_ = std::move(*v);
  return s;
}

std::string Specifier::str() const { return op_text(op_) + text_; }

bool Specifier::implies_prereleases() const {
  if (op_ == Op::kNotEqual) return false;
  if (op_ == Op::kArbitrary) {
    auto v = Pep440Version::parse(text_);
    return v.ok() && v->is_prerelease();
  }
  return v_ && v_->is_prerelease();
}

bool Specifier::contains(const Pep440Version& v, bool allow_prereleases) const {
  if (v.is_prerelease() && !allow_prereleases && !implies_prereleases()) return false;
  return matches(v);
}

bool Specifier::matches(const Pep440Version& v) const {
  if (op_ == Op::kArbitrary) return iequals(v.str(), text_);
  if (!v_) return false;
  const Pep440Version& spec = *v_;
  switch (op_) {
    case Op::kEqual:
    case Op::kNotEqual: {
      bool eq;
      if (wildcard_) {
        eq = prefix_match(v, spec, spec.release().size());
      } else if (spec.local().empty()) {
        eq = v.without_local() == spec;
      } else {
        eq = v == spec;
      }
      return op_ == Op::kEqual ? eq : !eq;
    }
    case Op::kLessEqual:
      return v.without_local() <= spec;
    case Op::kGreaterEqual:
      return v.without_local() >= spec;
    case Op::kLess:
      if (!(v < spec)) return false;
      // "<3.1" excludes 3.1's own pre-releases unless it names one.
      if (!spec.is_prerelease() && v.is_prerelease() && v.base_version() == spec.base_version())
        return false;
      return true;
    case Op::kGreater:
      if (!(v > spec)) return false;
      // ">3.1" excludes 3.1's post-releases (unless it names one) and local versions.
      if (!spec.post() && v.post() && v.base_version() == spec.base_version()) return false;
      if (!v.local().empty() && v.base_version() == spec.base_version()) return false;
      return true;
    case Op::kCompatible: {
      // "~=2.2.post3" == ">=2.2.post3, ==2.*".
      if (!(v.without_local() >= spec)) return false;
      return prefix_match(v, spec, spec.release().size() - 1);
    }
    case Op::kArbitrary:
      break;
  }
  return false;
}

Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  for (std::string_view part : split(text, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    auto s = Specifier::parse(part);
    if (!s) return make_error(s.error());
    set.specs_.push_back(std::move(*s));
  }
  return set;
}

bool SpecifierSet::implies_prereleases() const {
  return std::any_of(specs_.begin(), specs_.end(),
                     [](const Specifier& s) { return s.implies_prereleases(); });
}

bool SpecifierSet::contains(const Pep440Version& v, bool allow_prereleases) const {
  bool pre = allow_prereleases || implies_prereleases();
  if (v.is_prerelease() && !pre) return false;
  return std::all_of(specs_.begin(), specs_.end(),
                     [&](const Specifier& s) { return s.contains(v, pre); });
}

std::string SpecifierSet::str() const {
  std::vector<std::string> parts;
  for (const auto& s : specs_) parts.push_back(s.str());
  std::sort(parts.begin(), parts.end());
  return join(parts, ",");
}

}  // namespace cudafit
