// The cudafit binary: a thin shell over the library (cli/cli.h).
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) { return cudafit::run_cli(argc, argv, std::cout, std::cerr); }
