// The command line: parses arguments and calls the library. Holds no rules of its own.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cudafit {

// Exit codes shared by every command: 0 fine, 1 "something will not run / errors found",
// 2 cudafit itself could not run (bad arguments, unreadable input).
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblem = 1;
inline constexpr int kExitUsage = 2;

// Runs cudafit as if from a shell. `env`, when given, replaces the process environment
// (tests build whole machines this way).
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err,
            std::optional<std::map<std::string, std::string>> env = std::nullopt);
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            std::optional<std::map<std::string, std::string>> env = std::nullopt);
// The binary's run: run_cli on std::cout and std::cerr, then, with the output flushed, the
// process ends with its exit code without taking apart what the command built (the parsed
// knowledge base, maps of thousands of paths: a tenth of doctor's time on a large venv).
[[noreturn]] void run_cli_and_exit(int argc, char** argv);

}  // namespace cudafit
