#include "binary/kernel_scan.h"

#include <algorithm>
#include <map>
#include <set>

#include "binary/bytes.h"
#include "binary/elf.h"
#include "binary/mapped_file.h"
#include "binary/zip.h"
#include "util/strings.h"

namespace cudafit {
namespace {

constexpr std::uint64_t kMaxWheelMember = std::uint64_t{1} << 32;
constexpr int kMaxDepth = 64;
constexpr const char* kNotBinary = "not an ELF, cubin, fatbin or wheel file";

bool is_candidate_name(std::string_view name) {
  return ends_with(name, ".so") || name.find(".so.") != std::string_view::npos ||
         ends_with(name, ".cubin") || ends_with(name, ".fatbin") || ends_with(name, ".whl");
}

bool is_wheel_code_member(std::string_view name) {
  return ends_with(name, ".so") || name.find(".so.") != std::string_view::npos ||
         ends_with(name, ".cubin") || ends_with(name, ".fatbin");
}

// "9.1" < "9.10" < "10.0".
bool isa_less(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& s) {
    auto dot = s.find('.');
    auto major = parse_uint(std::string_view(s).substr(0, dot));
    auto minor = dot == std::string::npos ? std::optional<std::uint64_t>(0)
                                          : parse_uint(std::string_view(s).substr(dot + 1));
    return std::pair(major.value_or(0), minor.value_or(0));
  };
  return parts(a) < parts(b);
}

// What a container is for, from where it lies, whether the runtime is told of it and what its
// entries are (README "kernels" states the rules).
ContainerRole role_of(const FatbinContainer& c, bool registered, bool in_elf) {
  if (c.section == "__nv_relfatbin") return ContainerRole::kLinkInput;
  bool code = false, kernels = false;
  for (const FatbinEntry& e : c.entries) {
    if (e.kind == CodeKind::kLtoIr) continue;
    if (e.linkage == Linkage::kRelocatable) return ContainerRole::kLinkInput;
    code = true;
    kernels = kernels || e.kind == CodeKind::kPtx || !e.no_kernels;
  }
  if (!code) return c.entries.empty() ? ContainerRole::kNoKernels : ContainerRole::kLinkInput;
  if (!kernels) return ContainerRole::kNoKernels;
  // A .fatbin or .cubin file is loaded by whatever program opens it.
  return registered && in_elf ? ContainerRole::kRegistered : ContainerRole::kLibraryLoaded;
}

void collect_problems(BinaryCode& out) {
  for (const FatbinContainer& c : out.containers) {
    if (!c.problem.empty()) out.problems.push_back(c.problem);
  }
}

std::vector<BinaryCode> scan_wheel(std::string_view data, const std::string& path) {
  std::vector<BinaryCode> out;
  auto members = list_zip(data);
  if (!members) {
    BinaryCode bad;
    bad.file = path;
    bad.format = "wheel";
    bad.error = path + ": " + members.error();
    out.push_back(std::move(bad));
    return out;
  }
  std::string storage;
  for (const ZipMember& m : *members) {
    if (!is_wheel_code_member(m.name)) continue;
    std::string name = path + "!" + m.name;
    auto bytes = zip_member_bytes(data, m, storage, kMaxWheelMember);
    if (!bytes) {
      BinaryCode bad;
      bad.file = name;
      bad.error = bytes.error();
      out.push_back(std::move(bad));
      continue;
    }
    BinaryCode code = scan_bytes(*bytes, name);
    if (!code.containers.empty() || code.partial()) out.push_back(std::move(code));
  }
  if (out.empty()) {
    BinaryCode none;
    none.file = path;
    none.format = "wheel";
    out.push_back(std::move(none));
  }
  return out;
}

// `seen` holds canonical paths: libx.so -> libx.so.13 links are read once.
void walk(const Host& host, const std::string& dir, int depth, std::set<std::string>& seen,
          std::vector<BinaryCode>& out) {
  auto entries = host.list_dir(dir);
  if (!entries) {
    BinaryCode bad;
    bad.file = dir;
    bad.error = entries.error();
    out.push_back(std::move(bad));
    return;
  }
  for (const DirEntry& e : *entries) {
    std::string path = path_join(dir, e.name);
    if (e.type == FileType::kDirectory) {
      if (depth < kMaxDepth) walk(host, path, depth + 1, seen, out);
      continue;
    }
    if (!is_candidate_name(e.name) || !host.is_file(path)) continue;
    if (!seen.insert(host.canonical(path).value_or(path)).second) continue;
    for (BinaryCode& code : scan_file(host, path)) {
      bool not_binary = code.error.find(kNotBinary) != std::string::npos;
      if ((!code.error.empty() && !not_binary) || !code.containers.empty() || code.partial()) {
        out.push_back(std::move(code));
      }
    }
  }
}

}  // namespace

BinaryCode scan_bytes(std::string_view data, std::string name, ScanScope scope) {
  BinaryCode out;
  out.file = std::move(name);
  if (looks_like_elf(data)) {
    out.format = "elf";
    auto elf = read_elf(data);
    if (!elf) {
      out.error = out.file + ": " + elf.error();
      return out;
    }
    if (!elf->problem.empty()) out.problems.push_back(elf->problem);
    if (elf->is_cubin) {
      out.format = "cubin";
      if (elf->cubin_cc.major() == 0) {
        out.error = out.file + ": cubin names no SASS target in its ELF flags";
        return out;
      }
      FatbinContainer c;
      c.size = data.size();
      FatbinEntry e{CodeKind::kSass, elf->cubin_cc, "", false};
      e.linkage = bytes::u16(data, 16) == 1 ? Linkage::kRelocatable : Linkage::kExecutable;
      e.no_kernels = cubin_has_text(data) == false;
      c.entries.push_back(e);
      c.role = role_of(c, false, false);
      out.containers.push_back(std::move(c));
      return out;
    }
    for (const ByteRange& r : elf->scan_ranges) {
      if (scope == ScanScope::kNvccSections && r.section != ".nv_fatbin" &&
          r.section != "__nv_relfatbin") {
        continue;
      }
      std::size_t first = out.containers.size();
      scan_fatbins(data, r.begin, r.end, out.containers);
      for (std::size_t i = first; i < out.containers.size(); ++i) {
        FatbinContainer& c = out.containers[i];
        c.section = r.section;
        bool registered =
            std::binary_search(elf->registered.begin(), elf->registered.end(), c.offset);
        c.role = role_of(c, registered, true);
      }
    }
    collect_problems(out);
    return out;
  }
  if (data.size() >= 4 && bytes::u32(data, 0) == kFatbinMagic) {
    out.format = "fatbin";
    scan_fatbins(data, 0, data.size(), out.containers);
    for (FatbinContainer& c : out.containers) c.role = role_of(c, false, false);
    if (out.containers.empty()) out.error = out.file + ": damaged fatbin header";
    collect_problems(out);
    return out;
  }
  out.error = out.file + ": " + kNotBinary;
  return out;
}

std::vector<BinaryCode> scan_file(const Host& host, std::string_view path, ScanScope scope) {
  std::string name(path);
  auto file = MappedFile::open(host, path);
  if (!file) {
    BinaryCode bad;
    bad.file = name;
    bad.error = file.error();
    return {bad};
  }
  std::string_view data = (*file)->bytes();
  if (looks_like_zip(data)) return scan_wheel(data, name);
  return {scan_bytes(data, name, scope)};
}

std::vector<BinaryCode> scan_paths(const Host& host, const std::vector<std::string>& paths,
                                   bool recursive) {
  std::vector<BinaryCode> out;
  for (const std::string& path : paths) {
    if (host.is_dir(path)) {
      if (!recursive) {
        BinaryCode bad;
        bad.file = path;
        bad.error = path + ": is a directory (add --recursive)";
        out.push_back(std::move(bad));
        continue;
      }
      std::set<std::string> seen;
      walk(host, path, 0, seen, out);
      continue;
    }
    if (!host.exists(path)) {
      BinaryCode bad;
      bad.file = path;
      bad.error = path + ": no such file";
      out.push_back(std::move(bad));
      continue;
    }
    for (BinaryCode& code : scan_file(host, path)) out.push_back(std::move(code));
  }
  return out;
}

CodeSummary summarize(const BinaryCode& code) {
  // Key: SASS (0), PTX (1), LTO IR (2), then by compute capability.
  using Key = std::pair<int, ComputeCapability>;
  std::map<Key, std::size_t> containers_with;
  std::map<ComputeCapability, std::string> ptx_isa;
  std::map<ContainerRole, std::pair<std::set<std::string>, std::set<Key>>> role_facts;
  CodeSummary s;
  for (const FatbinContainer& c : code.containers) {
    auto& facts = role_facts[c.role];
    facts.first.insert(c.section);
    ++s.role_containers[c.role];
    std::set<Key> here;
    for (const FatbinEntry& e : c.entries) {
      here.insert({static_cast<int>(e.kind), e.cc});
      facts.second.insert({static_cast<int>(e.kind), e.cc});
      if (!runnable(c.role) && e.kind != CodeKind::kLtoIr) continue;
      ++s.entries;
      if (e.kind == CodeKind::kPtx) {
        std::string& isa = ptx_isa[e.cc];
        if (isa.empty() || isa_less(isa, e.ptx_isa)) isa = e.ptx_isa;
      }
    }
    bool run = runnable(c.role);
    if (run) ++s.code_containers;
    for (const Key& k : here) {
      if (run || k.first == static_cast<int>(CodeKind::kLtoIr)) ++containers_with[k];
    }
  }
  for (const auto& [key, count] : containers_with) {
    auto kind = static_cast<CodeKind>(key.first);
    std::string label = entry_label(FatbinEntry{kind, key.second, "", false});
    if (kind == CodeKind::kLtoIr) {
      s.lto_ir.push_back(label);
      continue;
    }
    if (kind == CodeKind::kPtx) {
      s.ptx.push_back({label, ptx_isa[key.second]});
    } else {
      s.sass.push_back(label);
    }
    if (count == s.code_containers) {
      s.arch_list.push_back(label);
    } else {
      s.extras.push_back({label, count});
    }
  }
  for (const auto& [role, facts] : role_facts) {
    RoleSummary r;
    r.role = role;
    r.containers = s.role_containers[role];
    for (const std::string& sec : facts.first)
      if (!sec.empty()) r.sections.push_back(sec);
    for (const Key& k : facts.second)
      r.targets.push_back(
          entry_label(FatbinEntry{static_cast<CodeKind>(k.first), k.second, "", false}));
    s.roles.push_back(std::move(r));
  }
  return s;
}

}  // namespace cudafit
