// A recursive-descent reader for PEP 508 (the grammar packaging's _parser.py documents).
#include "versions/requirement.h"

#include <algorithm>

#include "util/strings.h"
#include "versions/concat.h"

namespace cudafit {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Marker variables, and the legacy dotted spellings packaging still accepts.
constexpr std::pair<std::string_view, std::string_view> kVariables[] = {
    {"implementation_version", "implementation_version"},
    {"platform_python_implementation", "platform_python_implementation"},
    {"platform.python_implementation", "platform_python_implementation"},
    {"python_implementation", "platform_python_implementation"},
    {"implementation_name", "implementation_name"},
    {"python_full_version", "python_full_version"},
    {"platform_release", "platform_release"},
    {"platform_version", "platform_version"},
    {"platform.version", "platform_version"},
    {"platform_machine", "platform_machine"},
    {"platform.machine", "platform_machine"},
    {"platform_system", "platform_system"},
    {"dependency_groups", "dependency_groups"},
    {"python_version", "python_version"},
    {"sys_platform", "sys_platform"},
    {"sys.platform", "sys_platform"},
    {"os_name", "os_name"},
    {"os.name", "os_name"},
    {"extras", "extras"},
    {"extra", "extra"},
};

class Parser {
 public:
  explicit Parser(std::string_view text, std::string_view what) : s_(text), what_(what) {}

  size_t pos = 0;

  Error error(std::string_view expected) const {
    std::string at =
        pos < s_.size() ? detail::concat("at position ", pos + 1) : std::string("at the end");
    return make_error(
        detail::concat("invalid ", what_, " '", s_, "': expected ", expected, " ", at));
  }
  bool at_end() const { return pos >= s_.size(); }
  char peek(size_t ahead = 0) const { return pos + ahead < s_.size() ? s_[pos + ahead] : '\0'; }
  void skip_ws() {
    while (is_space(peek())) ++pos;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  bool take(std::string_view w) {
    if (s_.substr(pos, w.size()) != w) return false;
    pos += w.size();
    return true;
  }
  // A keyword ("and", "or", "in", "not") must not run on into a name.
  bool take_keyword(std::string_view w) {
    if (s_.substr(pos, w.size()) != w) return false;
    char next = peek(w.size());
    if (is_alnum(next) || next == '_' || next == '.') return false;
    pos += w.size();
    return true;
  }
  // PEP 508 identifier: letters/digits, with '-', '_', '.' inside.
  std::string_view identifier() {
    size_t start = pos;
    if (!is_alnum(peek())) return {};
    while (is_alnum(peek()) || peek() == '-' || peek() == '_' || peek() == '.') ++pos;
    while (pos > start + 1 && !is_alnum(s_[pos - 1])) --pos;
    return s_.substr(start, pos - start);
  }
  std::string_view rest() const { return s_.substr(std::min(pos, s_.size())); }
  std::string_view slice(size_t from, size_t to) const { return s_.substr(from, to - from); }

  Result<Marker> marker_or();

 private:
  Result<Marker> marker_and();
  Result<Marker> marker_atom();
  Result<Marker::Operand> operand();

  std::string_view s_;
  std::string_view what_;
};

Result<Marker::Operand> Parser::operand() {
  skip_ws();
  char q = peek();
  if (q == '"' || q == '\'') {
    size_t end = rest().find(q, 1);
    if (end == std::string_view::npos) return error("a closing quote");
    Marker::Operand o{false, std::string(rest().substr(1, end - 1))};
    pos += end + 1;
    return o;
  }
  for (const auto& [spelling, canonical] : kVariables) {
    if (take_keyword(spelling)) return Marker::Operand{true, std::string(canonical)};
  }
  return error("a marker variable or quoted string");
}

Result<Marker> Parser::marker_atom() {
  skip_ws();
  if (take('(')) {
    auto inner = marker_or();
    if (!inner) return inner;
    skip_ws();
    if (!take(')')) return error("')' or a boolean operator");
    return inner;
  }
  Marker m;
  auto lhs = operand();
  if (!lhs) return make_error(lhs.error());
  skip_ws();
  static constexpr std::string_view kOps[] = {"===", "==", "!=", "<=", ">=", "~=", "<", ">"};
  for (std::string_view op : kOps) {
    if (take(op)) {
      m.op = std::string(op);
      break;
    }
  }
  if (m.op.empty()) {
    if (take_keyword("in")) {
      m.op = "in";
    } else if (take_keyword("not")) {
      skip_ws();
      if (!take_keyword("in")) return error("'in' after 'not'");
      m.op = "not in";
    } else {
      return error("a marker operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)");
    }
  }
  auto rhs = operand();
  if (!rhs) return make_error(rhs.error());
  m.lhs = std::move(*lhs);
  m.rhs = std::move(*rhs);
  return m;
}

Result<Marker> Parser::marker_and() {
  auto first = marker_atom();
  if (!first) return first;
  Marker group;
  group.kind = Marker::Kind::kAnd;
  group.children.push_back(std::move(*first));
  for (;;) {
    size_t save = pos;
    skip_ws();
    if (!take_keyword("and")) {
      pos = save;
      break;
    }
    auto next = marker_atom();
    if (!next) return next;
    group.children.push_back(std::move(*next));
  }
  if (group.children.size() == 1) return std::move(group.children.front());
  return group;
}

Result<Marker> Parser::marker_or() {
  auto first = marker_and();
  if (!first) return first;
  Marker group;
  group.kind = Marker::Kind::kOr;
  group.children.push_back(std::move(*first));
  for (;;) {
    size_t save = pos;
    skip_ws();
    if (!take_keyword("or")) {
      pos = save;
      break;
    }
    auto next = marker_and();
    if (!next) return next;
    group.children.push_back(std::move(*next));
  }
  if (group.children.size() == 1) return std::move(group.children.front());
  return group;
}

std::string quote(const std::string& value) {
  char q = value.find('"') == std::string::npos ? '"' : '\'';
  return detail::concat(q, value, q);
}

std::string operand_str(const Marker::Operand& o) { return o.is_variable ? o.text : quote(o.text); }

bool compare_strings(std::string_view a, const std::string& op, std::string_view b) {
  if (op == "==" || op == "===") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  return false;  // "~=" between non-versions is undefined: it does not hold
}

bool is_set_variable(const Marker::Operand& o) {
  return o.is_variable && (o.text == "extras" || o.text == "dependency_groups");
}

}  // namespace

std::string normalize_package_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());  // one allocation for a long name, not one per doubling
  bool in_sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_sep) out += '-';
      in_sep = true;
      continue;
    }
    in_sep = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

Result<Marker> Marker::parse(std::string_view text) {
  Parser p(text, "marker");
  auto m = p.marker_or();
  if (!m) return m;
  p.skip_ws();
  if (!p.at_end()) return p.error("'and', 'or' or the end");
  return m;
}

bool Marker::evaluate(const std::map<std::string, std::string>& env) const {
  if (kind == Kind::kAnd)
    return std::all_of(children.begin(), children.end(),
                       [&](const Marker& m) { return m.evaluate(env); });
  if (kind == Kind::kOr)
    return std::any_of(children.begin(), children.end(),
                       [&](const Marker& m) { return m.evaluate(env); });
  auto value_of = [&](const Operand& o) {
    if (!o.is_variable) return o.text;
    auto it = env.find(o.text);
    return it == env.end() ? std::string() : it->second;
  };
  std::string a = value_of(lhs);
  std::string b = value_of(rhs);
  // "extra" names are compared the way pip compares them: normalized.
  bool names = (lhs.is_variable && lhs.text == "extra") || (rhs.is_variable && rhs.text == "extra");
  if (names || is_set_variable(lhs) || is_set_variable(rhs)) {
    a = normalize_package_name(a);
    b = normalize_package_name(b);
  }
  if (op == "in" || op == "not in") {
    bool found;
    if (is_set_variable(rhs)) {  // "'cuda' in extras": membership of a comma-separated set
      found = false;
      for (std::string_view item : split(b, ','))
        if (normalize_package_name(trim(item)) == a) found = true;
    } else {
      found = b.find(a) != std::string::npos;
    }
    return op == "in" ? found : !found;
  }
  auto version = Pep440Version::parse(a);
  auto spec = Specifier::parse(op + b);
  if (version && spec) return spec->contains(*version, /*allow_prereleases=*/true);
  return compare_strings(a, op, b);
}

std::string Marker::str() const {
  if (kind == Kind::kCompare)
    return detail::concat(operand_str(lhs), ' ', op, ' ', operand_str(rhs));
  std::string out;
  for (size_t i = 0; i < children.size(); ++i) {
    if (i) out += kind == Kind::kAnd ? " and " : " or ";
    bool wrap = kind == Kind::kAnd && children[i].kind == Kind::kOr;
    out += wrap ? detail::concat('(', children[i].str(), ')') : children[i].str();
  }
  return out;
}

Result<Requirement> Requirement::parse(std::string_view text) {
  Parser p(text, "requirement");
  Requirement r;
  p.skip_ws();
  r.name = std::string(p.identifier());
  if (r.name.empty()) return p.error("a package name");
  p.skip_ws();
  if (p.take('[')) {
    p.skip_ws();
    if (!p.take(']')) {
      for (;;) {
        p.skip_ws();
        std::string_view extra = p.identifier();
        if (extra.empty()) return p.error("an extra name");
        r.extras.emplace_back(extra);
        p.skip_ws();
        if (p.take(',')) continue;
        if (p.take(']')) break;
        return p.error("',' or ']'");
      }
    }
    p.skip_ws();
  }
  if (p.take('@')) {
    p.skip_ws();
    size_t start = p.pos;
    while (!p.at_end() && !is_space(p.peek())) ++p.pos;
    r.url = std::string(p.slice(start, p.pos));
    if (r.url.empty()) return p.error("a URL");
    if (p.at_end()) return r;
    p.skip_ws();  // a ';' right after the URL would be part of it: a space must come first
  } else {
    bool parens = p.take('(');
    std::string specs;
    for (;;) {
      p.skip_ws();
      char c = p.peek();
      if (c != '=' && c != '!' && c != '<' && c != '>' && c != '~') break;
      size_t start = p.pos;
      while (p.peek() == '=' || p.peek() == '!' || p.peek() == '<' || p.peek() == '>' ||
             p.peek() == '~')
        ++p.pos;
      p.skip_ws();
      while (!p.at_end() && !is_space(p.peek()) && p.peek() != ',' && p.peek() != ';' &&
             p.peek() != ')')
        ++p.pos;
      auto spec = Specifier::parse(p.slice(start, p.pos));
      if (!spec) {
        p.pos = start;
        return p.error(detail::concat("a version specifier (", spec.error(), ")"));
      }
      if (!specs.empty()) specs += ',';
      specs += spec->str();
      p.skip_ws();
      if (!p.take(',')) break;
    }
    if (parens) {
      p.skip_ws();
      if (!p.take(')')) return p.error("')'");
    }
    auto set = SpecifierSet::parse(specs);
    if (!set) return p.error(set.error());
    r.specifier = std::move(*set);
    p.skip_ws();
  }
  if (p.take(';')) {
    auto m = p.marker_or();
    if (!m) return make_error(m.error());
    p.skip_ws();
    if (!p.at_end()) return p.error("'and', 'or' or the end");
    r.marker = std::move(*m);
  }
  p.skip_ws();
  if (!p.at_end())
    return p.error(r.url.empty() ? "a version specifier, ';' or the end" : "';' or the end");
  return r;
}

bool Requirement::markers_hold(const std::map<std::string, std::string>& env) const {
  return !marker || marker->evaluate(env);
}

std::string Requirement::str() const {
  std::string out = name;
  if (!extras.empty()) {
    std::vector<std::string> sorted = extras;
    std::sort(sorted.begin(), sorted.end());
    out += detail::concat('[', join(sorted, ","), ']');
  }
  out += specifier.str();
  if (!url.empty()) out += detail::concat(" @ ", url, marker ? " " : "");
  if (marker) out += detail::concat("; ", marker->str());
  return out;
}

}  // namespace cudafit
