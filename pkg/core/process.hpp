#pragma once

// Runs a child process and collects its output. Secrets go to a child through
// stdin_data or env, never argv (argv is visible to every user in ps).

#include "pkg/core/error.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocne {

struct ProcessOptions
{
  std::vector<std::string> argv; // argv[0] is looked up in PATH
  // Replaces the whole environment when set; otherwise the parent's is inherited.
  std::optional<std::map<std::string, std::string>> env;
  // Added to (or overriding) the environment.
  std::map<std::string, std::string> env_add;
  std::filesystem::path cwd;
  std::string stdin_data;
  // 0 = no limit. On timeout the child is killed (SIGTERM, then SIGKILL).
  std::chrono::milliseconds timeout{ 0 };
  // Called with chunks of stdout as they arrive (still collected in out).
  std::function<void(std::string_view)> on_stdout;
};

struct ProcessResult
{
  int exit_code = -1; // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;

  bool
  ok() const
  {
    return exit_code == 0;
  }
};

// Fails only when the program cannot be started (not found, not executable).
Result<ProcessResult> run_process(const ProcessOptions& options);

// Whether a program is on PATH.
bool program_exists(std::string_view name);

} // namespace ocne
