#include "util/json_text.h"

namespace cudafit {

namespace {

void append_string(std::string& out, const std::string& s) {
  // Printable ASCII without quote or backslash is written as it is; anything else goes
  // through nlohmann's escaping, told to replace what is not UTF-8.
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
      out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

}  // namespace

void append_json(std::string& out, const nlohmann::json& j, int depth) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array: {
      const bool object = j.is_object();
      if (j.empty()) {
        out += object ? "{}" : "[]";
        return;
      }
      out += object ? "{\n" : "[\n";
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) out += ",\n";
        indent(out, depth + 1);
        if (object) {
          append_string(out, it.key());
          out += ": ";
        }
        append_json(out, it.value(), depth + 1);
      }
      out += '\n';
      indent(out, depth);
      out += object ? '}' : ']';
      return;
    }
    case nlohmann::json::value_t::string:
      append_string(out, j.get_ref<const std::string&>());
      return;
    default:  // numbers, booleans, null, binary: nlohmann's own formatting
      out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

std::string json_text(const nlohmann::json& j) {
  std::string out;
  append_json(out, j);
  return out;
}

}  // namespace cudafit
