// Rules from the CUDA Programming Guide 13.x, §1.3.4 and §5.1.2 (see code_compat.h).
#include "verdict/code_compat.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <set>

namespace cudafit {
namespace {

using Variant = ComputeCapability::Variant;

bool same_cc(const ComputeCapability& a, const ComputeCapability& b) {
  return a.major() == b.major() && a.minor() == b.minor();
}

// Family members of an `f` target: same major, minor >= the target's minor (Table 28:
// compute_100f -> 10.0, 10.3; compute_103f -> 10.3; compute_120f -> 12.0, 12.1).
bool in_family(const ComputeCapability& target, const ComputeCapability& gpu) {
  return gpu.major() == target.major() && gpu.minor() >= target.minor();
}

// "9.1" -> {9, 1}; anything else -> nullopt-like {-1, -1}.
std::pair<long, long> isa_parts(const std::string& s) {
  auto dot = s.find('.');
  std::string_view major = std::string_view(s).substr(0, dot);
  std::string_view minor =
      dot == std::string::npos ? std::string_view("0") : std::string_view(s).substr(dot + 1);
  long a = -1, b = -1;
  auto r1 = std::from_chars(major.data(), major.data() + major.size(), a);
  auto r2 = std::from_chars(minor.data(), minor.data() + minor.size(), b);
  if (r1.ec != std::errc() || r1.ptr != major.data() + major.size() || r2.ec != std::errc() ||
      r2.ptr != minor.data() + minor.size() || major.empty() || minor.empty()) {
    return {-1, -1};
  }
  return {a, b};
}

bool ptx_isa_ok(const CodeEntry& e, const std::string& max_ptx_isa) {
  if (max_ptx_isa.empty() || e.ptx_isa.empty()) return true;  // unknown: counts as usable
  return compare_ptx_isa(e.ptx_isa, max_ptx_isa) <= 0;
}

}  // namespace

bool sass_runs_on(const ComputeCapability& cubin, const ComputeCapability& gpu) {
  switch (cubin.variant()) {
    case Variant::kArchSpecific:
      return same_cc(cubin, gpu);
    case Variant::kFamily:
      return in_family(cubin, gpu);
    case Variant::kPlain:
      break;
  }
  return gpu.major() == cubin.major() && gpu.minor() >= cubin.minor();
}

bool ptx_jits_to(const ComputeCapability& ptx, const ComputeCapability& gpu) {
  switch (ptx.variant()) {
    case Variant::kArchSpecific:
      return same_cc(ptx, gpu);
    case Variant::kFamily:
      return in_family(ptx, gpu);
    case Variant::kPlain:
      break;
  }
  return gpu.plain() >= ptx.plain();
}

int compare_ptx_isa(const std::string& a, const std::string& b) {
  auto pa = isa_parts(a), pb = isa_parts(b);
  if (pa.first < 0 && pb.first < 0) {
    int c = a.compare(b);
    return (c > 0) - (c < 0);
  }
  if (pa == pb) return 0;
  return pa < pb ? -1 : 1;
}

CodeVerdict serve(const std::vector<CodeEntry>& entries, const ComputeCapability& gpu,
                  const std::string& max_ptx_isa) {
  bool ptx = false;
  for (const CodeEntry& e : entries) {
    if (!e.is_ptx && sass_runs_on(e.cc, gpu)) return CodeVerdict::kSass;
    if (e.is_ptx && ptx_jits_to(e.cc, gpu) && ptx_isa_ok(e, max_ptx_isa)) ptx = true;
  }
  return ptx ? CodeVerdict::kPtxJit : CodeVerdict::kNone;
}

namespace {

// A target as a container carries it: SASS or PTX, with its variant.
using Target = std::pair<bool, ComputeCapability>;  // (is_ptx, cc)

std::string target_label(const Target& t) { return t.first ? t.second.compute() : t.second.sm(); }

std::string labels(const std::set<Target>& targets) {
  std::string out;
  for (const Target& t : targets) {
    if (!out.empty()) out += ' ';
    out += target_label(t);
  }
  return out;
}

}  // namespace

LayoutReading read_layout(const std::vector<std::vector<CodeEntry>>& containers) {
  LayoutReading r;
  if (containers.empty()) return r;
  std::vector<std::set<Target>> sets;
  sets.reserve(containers.size());
  for (const auto& entries : containers) {
    std::set<Target> set;
    for (const CodeEntry& e : entries) set.insert({e.is_ptx, e.cc});
    sets.push_back(std::move(set));
  }
  std::set<Target> base = sets.front();
  for (const auto& set : sets) {
    std::set<Target> both;
    std::set_intersection(base.begin(), base.end(), set.begin(), set.end(),
                          std::inserter(both, both.end()));
    base = std::move(both);
  }
  const std::string n = std::to_string(containers.size());
  if (base.empty()) {
    r.layout = ContainerLayout::kPerArch;
    r.why = "no target is in all " + n + " containers";
    return r;
  }
  bool portable = std::any_of(base.begin(), base.end(), [](const Target& t) {
    return t.second.variant() == ComputeCapability::Variant::kPlain;
  });
  std::size_t exact = std::count(sets.begin(), sets.end(), base);
  if (!portable) {
    r.layout = ContainerLayout::kPerArch;
    r.why = "the targets in all " + n + " containers (" + labels(base) +
            ") are arch-specific or family ones";
  } else if (exact == 0) {
    r.layout = ContainerLayout::kPerArch;
    r.why = "no container is built for just the targets all " + n + " share (" + labels(base) + ")";
  } else {
    r.why = "every container carries " + labels(base) + " (" + std::to_string(exact) + " of " + n +
            " just that)";
  }
  return r;
}

ContainerCoverage serve_containers(const std::vector<std::vector<CodeEntry>>& containers,
                                   const ComputeCapability& gpu, const std::string& max_ptx_isa) {
  return serve_containers(containers, read_layout(containers).layout, gpu, max_ptx_isa);
}

ContainerCoverage serve_containers(const std::vector<std::vector<CodeEntry>>& containers,
                                   ContainerLayout layout, const ComputeCapability& gpu,
                                   const std::string& max_ptx_isa) {
  ContainerCoverage c;
  c.layout = layout;
  for (const auto& entries : containers) {
    CodeVerdict v = serve(entries, gpu, max_ptx_isa);
    if (v == CodeVerdict::kNone) ++c.containers_without_code;
    if (v == CodeVerdict::kPtxJit) ++c.containers_ptx_only;
    if (v == CodeVerdict::kSass) ++c.containers_sass;
  }
  if (containers.empty()) {
    c.verdict = CodeVerdict::kNone;
  } else if (layout == ContainerLayout::kPerArch) {
    c.verdict = c.containers_sass > 0       ? CodeVerdict::kSass
                : c.containers_ptx_only > 0 ? CodeVerdict::kPtxJit
                                            : CodeVerdict::kNone;
  } else if (c.containers_without_code > 0) {
    c.verdict = CodeVerdict::kNone;
  } else {
    c.verdict = c.containers_ptx_only > 0 ? CodeVerdict::kPtxJit : CodeVerdict::kSass;
  }
  return c;
}

std::string to_string(ContainerLayout layout) {
  return layout == ContainerLayout::kPerArch ? "per-arch" : "uniform";
}

std::string to_string(CodeVerdict v) {
  switch (v) {
    case CodeVerdict::kSass:
      return "sass";
    case CodeVerdict::kPtxJit:
      return "ptx-jit";
    case CodeVerdict::kNone:
      break;
  }
  return "none";
}

std::string max_ptx_isa_for_driver(const std::vector<CudaRelease>& releases,
                                   const DriverVersion& driver) {
  const CudaRelease* best = nullptr;
  for (const CudaRelease& r : releases) {
    if (!r.linux_min_driver || *r.linux_min_driver > driver || r.ptx_isa.empty()) continue;
    if (best == nullptr || r.version > best->version) best = &r;
  }
  return best ? best->ptx_isa : std::string();
}

}  // namespace cudafit
