// Fuzzes the text parsers of a Python environment: METADATA / PKG-INFO, pyvenv.cfg,
// version.py, TensorFlow's build_info.py, conda-meta records and names, .pth files and the
// --exec script's output; and check_requirements over the Requires-Dist lines read (its
// marker scan reads lines without parsing them). None may crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "envs/exec.h"
#include "envs/metadata.h"
#include "envs/read_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  using namespace cudafit;
  if (auto md = parse_dist_metadata(text)) {
    Environment env;
    env.python = Fact<std::string>::of("3.12.3", "fuzz");
    for (const char* name : {"torch", "cuda-toolkit"}) {
      InstalledPackage p;
      p.name = name;
      p.version = "1.0";
      p.requires_dist = md->requires_dist;
      env.packages.push_back(std::move(p));
    }
    check_requirements(env);
  }
  (void)parse_dist_dir_name(text);
  (void)parse_pyvenv_cfg(text);
  (void)parse_python_assignments(text);
  (void)parse_tf_build_info(text);
  (void)parse_conda_record(text);
  (void)parse_conda_file_name(text);
  (void)parse_pth(text);
  (void)is_gpu_package(normalize_package_name(text));
  Environment::Verified v;
  (void)parse_verify_output(text, v);
  return 0;
}
