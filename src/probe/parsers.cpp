#include "probe/parsers.h"

#include <cstring>

#include "util/strings.h"

namespace cudafit {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The leading "\d+\.\d+(\.\d+)?" of `s`, or "" when it does not start that way.
std::string_view leading_version(std::string_view s) {
  size_t i = 0;
  int dots = 0;
  while (i < s.size()) {
    if (is_digit(s[i])) {
      ++i;
    } else if (s[i] == '.' && i > 0 && is_digit(s[i - 1]) && i + 1 < s.size() &&
               is_digit(s[i + 1]) && dots < 2) {
      ++dots;
      ++i;
    } else {
      break;
    }
  }
  if (dots == 0) return {};
  return s.substr(0, i);
}

std::uint32_t read_u32(std::string_view d, size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, d.data() + at, sizeof v);
  return v;
}

}  // namespace

Result<NvrmVersion> parse_nvrm_version(std::string_view text) {
  // The driver writes the NVRM line first; a re-wrapped copy may span lines, so search the
  // whole text after "Kernel Module".
  size_t km = text.find("Kernel Module");
  if (km == std::string_view::npos) return make_error("no 'Kernel Module' in the NVRM line");
  NvrmVersion out;
  out.open = text.substr(0, km).find("Open") != std::string_view::npos;
  for (std::string_view tok : split_ws(text.substr(km + std::strlen("Kernel Module")))) {
    std::string_view v = leading_version(tok);
    if (v.empty() || v.size() != tok.size()) continue;
    size_t dot = v.find('.');
    if (dot < 3) continue;  // a branch has 3+ digits; skips "for x86_64" and dates
    auto parsed = DriverVersion::parse(v);
    if (!parsed) continue;
    out.version = *parsed;
    return out;
  }
  return make_error("no driver version after 'Kernel Module'");
}

Result<DriverVersion> parse_module_version(std::string_view text) {
  std::string_view v = leading_version(trim(text));
  if (v.empty())
    return make_error("not a driver version: '" + std::string(trim(text).substr(0, 40)) + "'");
  return DriverVersion::parse(v);
}

std::vector<std::string> parse_proc_modules(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(text)) {
    auto fields = split_ws(line);
    if (!fields.empty()) out.emplace_back(fields[0]);
  }
  return out;
}

std::map<std::string, std::string> parse_key_colon_value(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, colon)));
    if (key.empty()) continue;
    out.emplace(std::move(key), std::string(trim(line.substr(colon + 1))));
  }
  return out;
}

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    out[std::string(trim(line.substr(0, eq)))] = std::string(value);
  }
  return out;
}

std::optional<long long> parse_define(std::string_view header, std::string_view name) {
  if (name.empty()) return std::nullopt;
  // Only the lines that mention the name: headers run to thousands of lines.
  for (size_t at = header.find(name); at != std::string_view::npos;
       at = header.find(name, at + name.size())) {
    size_t begin = header.rfind('\n', at);
    begin = begin == std::string_view::npos ? 0 : begin + 1;
    size_t end = header.find('\n', at);
    if (end == std::string_view::npos) end = header.size();
    std::string_view line = header.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (!starts_with(line, "#")) continue;
    line = trim(line.substr(1));
    if (!starts_with(line, "define")) continue;
    auto fields = split_ws(line.substr(6));
    if (fields.size() < 2 || fields[0] != name) continue;
    std::string_view value = fields[1];
    while (!value.empty() && value.front() == '(') value.remove_prefix(1);
    while (!value.empty() && (value.back() == ')' || value.back() == 'L' || value.back() == 'U'))
      value.remove_suffix(1);
    auto n = parse_uint(value);
    if (n && *n < (1ull << 40)) return static_cast<long long>(*n);
  }
  return std::nullopt;
}

Result<CudnnVersion> parse_cudnn_header(std::string_view header) {
  auto major = parse_define(header, "CUDNN_MAJOR");
  auto minor = parse_define(header, "CUDNN_MINOR");
  auto patch = parse_define(header, "CUDNN_PATCHLEVEL");
  if (!major || !minor || !patch) return make_error("no CUDNN_MAJOR/MINOR/PATCHLEVEL defines");
  return CudnnVersion::parse(std::to_string(*major) + "." + std::to_string(*minor) + "." +
                             std::to_string(*patch));
}

Result<CudaVersion> parse_cuda_version_txt(std::string_view text) {
  size_t at = text.find("CUDA Version");
  if (at == std::string_view::npos) return make_error("no 'CUDA Version' line");
  std::string_view v = leading_version(trim(text.substr(at + std::strlen("CUDA Version"))));
  if (v.empty()) return make_error("no version after 'CUDA Version'");
  return CudaVersion::parse(v);
}

Result<CudaVersion> parse_cuda_version_json(std::string_view text) {
  // {"cuda" : {"name" : "CUDA SDK", "version" : "12.4.1"}, ...}: the first "version" after
  // the "cuda" key. A small scan is enough and cannot throw.
  size_t key = text.find("\"cuda\"");
  if (key == std::string_view::npos) return make_error("no \"cuda\" entry");
  size_t ver = text.find("\"version\"", key);
  if (ver == std::string_view::npos) return make_error("no \"version\" in the \"cuda\" entry");
  size_t q1 = text.find(
      '"', text.find(':', ver) == std::string_view::npos ? text.size() : text.find(':', ver));
  if (q1 == std::string_view::npos) return make_error("no version string");
  size_t q2 = text.find('"', q1 + 1);
  if (q2 == std::string_view::npos) return make_error("unterminated version string");
  return CudaVersion::parse(text.substr(q1 + 1, q2 - q1 - 1));
}

std::optional<std::string> so_version_suffix(std::string_view file_name, std::string_view stem) {
  if (!starts_with(file_name, stem) || file_name.size() < stem.size() + 2) return std::nullopt;
  std::string_view rest = file_name.substr(stem.size());
  if (rest.front() != '.' || !is_digit(rest[1])) return std::nullopt;
  rest.remove_prefix(1);
  for (char c : rest)
    if (!is_digit(c) && c != '.') return std::nullopt;
  return std::string(rest);
}

std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text) {
  auto v = parse_hex(trim(text));
  if (!v || *v > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

Result<std::vector<LdCacheEntry>> parse_ld_so_cache(std::string_view data) {
  static constexpr std::string_view kMagic = "glibc-ld.so.cache1.1";
  constexpr size_t kHeader = 48;  // magic, version, nlibs, len_strings, flags, pad, ext, unused
  constexpr size_t kEntry = 24;   // flags, key, value, osversion, hwcap
  size_t base = data.find(kMagic);
  if (base == std::string_view::npos)
    return make_error("not a glibc-ld.so.cache1.1 file (no magic)");
  std::string_view d = data.substr(base);
  if (d.size() < kHeader) return make_error("ld.so.cache: truncated header");
  std::uint32_t nlibs = read_u32(d, 20);
  if (nlibs > (d.size() - kHeader) / kEntry)
    return make_error("ld.so.cache: entry count exceeds file size");
  auto str_at = [&](std::uint32_t off) -> std::optional<std::string> {
    if (off >= d.size()) return std::nullopt;
    size_t end = d.find('\0', off);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(d.substr(off, end - off));
  };
  std::vector<LdCacheEntry> out;
  out.reserve(nlibs);
  for (std::uint32_t i = 0; i < nlibs; ++i) {
    size_t at = kHeader + static_cast<size_t>(i) * kEntry;
    auto key = str_at(read_u32(d, at + 4));
    auto value = str_at(read_u32(d, at + 8));
    if (!key || !value)
      return make_error("ld.so.cache: entry " + std::to_string(i) + " points outside the file");
    out.push_back({std::move(*key), std::move(*value), read_u32(d, at)});
  }
  return out;
}

std::string ld_cache_arch(std::uint32_t flags) {
  // glibc's ldconfig.h FLAG_* values for the type mask 0xff00 (elf/cache.c print_entry).
  switch (flags & 0xff00u) {
    case 0x0300:
      return "x86_64";
    case 0x0a00:
      return "aarch64";
    case 0x0500:
      return "ppc64le";
    case 0x0400:
      return "s390x";
    case 0x0800:
      return "i686";
    case 0x0000:
      return (flags & 0xffu) == 0x03 ? "i686" : "";
    default:
      return "";
  }
}

std::optional<std::string> glibc_version_from_banner(std::string_view bytes) {
  static constexpr std::string_view kMark = "release version ";
  size_t at = bytes.find(kMark);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view v = leading_version(bytes.substr(at + kMark.size()));
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

VisibleDevices parse_visible_devices(std::optional<std::string_view> value, bool nvidia_var) {
  VisibleDevices out;
  if (!value) {
    out.all = true;
    return out;
  }
  std::string_view v = trim(*value);
  if (v.empty()) {
    out.none = true;
    return out;
  }
  if (nvidia_var && (v == "none" || v == "void" || v == "NoDevFiles")) {
    out.none = true;
    return out;
  }
  if (nvidia_var && v == "all") {
    out.all = true;
    return out;
  }
  for (std::string_view tok : split(v, ',')) {
    tok = trim(tok);
    if (tok.empty()) break;  // CUDA stops at the first invalid entry
    out.tokens.emplace_back(tok);
  }
  if (out.tokens.empty()) out.none = true;
  return out;
}

}  // namespace cudafit
