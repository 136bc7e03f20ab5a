// Fuzzes the text parsers of a Python environment: METADATA / PKG-INFO, pyvenv.cfg,
// version.py, TensorFlow's build_info.py, conda-meta records and names, .pth files and the
// --exec script's output. None may crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "envs/exec.h"
#include "envs/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  using namespace cudafit;
  (void)parse_dist_metadata(text);
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
