// libFuzzer: `check` over any requirements file, pyproject.toml or Dockerfile text must never
// crash, hang or throw: parsing, then torch resolved within the named indexes by pip and by uv
// (every strategy), and the packages beside it judged. The first byte picks the file kind.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plan/check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cudafit;
  static auto kb = KnowledgeBase::embedded();
  static auto facts = InstallFacts::embedded();
  if (size == 0 || !kb || !facts) return 0;
  static const char* kNames[] = {"/f/requirements.txt", "/f/pyproject.toml", "/f/Dockerfile"};
  const char* name = kNames[data[0] % 3];
  MemoryHost files;
  files.add_file(name, std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  TargetMachine m;
  m.driver = Fact<DriverVersion>::of(*DriverVersion::parse("535.104.05"), "fuzz");
  m.gpus.push_back(TargetGpu{"sm_86", *ComputeCapability::parse("8.6"), false, "fuzz"});
  m.gpus_known = true;
  if (data[0] & 4) m.python = Fact<std::string>::of("3.11", "fuzz");
  CheckOptions opts;
  if (data[0] & 8) opts.tool = (data[0] & 16) ? Installer::kUv : Installer::kPip;
  if (data[0] & 32)
    opts.strategy =
        (data[0] & 64) ? IndexStrategy::kUnsafeBestMatch : IndexStrategy::kUnsafeFirstMatch;
  auto r = check_target(**kb, **facts, files, m, name, opts);
  if (r) (void)r->exit_code();
  return 0;
}
