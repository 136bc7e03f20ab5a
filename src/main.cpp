// The cudafit binary: a thin shell over the library (cli/cli.h).
#include <iostream>

#include "cli/cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define CUDAFIT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CUDAFIT_SANITIZED 1
#endif
#endif

int main(int argc, char** argv) {
#ifdef CUDAFIT_SANITIZED
  // Under ASan the process ends the long way, so that LeakSanitizer sees every allocation.
  return cudafit::run_cli(argc, argv, std::cout, std::cerr);
#else
  cudafit::run_cli_and_exit(argc, argv);
#endif
}
