#pragma once

// What every command gets: the environment, the state folder, where results
// and progress go. Built once in app.cpp; its constructor does no I/O.

#include "pkg/core/env.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/core/state_dir.hpp"

#include <cstdio>
#include <string>
#include <string_view>

namespace ocne::cli {

struct Context
{
  Environment env;
  StateDir state;
  ProgressSink* progress = nullptr;
  // Whether stderr is a terminal (bars and colours) and stdout one (tables).
  bool stderr_tty = false;
  bool stdout_tty = false;
  // A command's own exit status when it succeeds (console: the remote one).
  int exit_code = 0;

  ProgressSink&
  progress_sink() const
  {
    return *progress;
  }
};

// Writes a result to stdout (the only place cmd/ writes results).
void print(std::string_view text);
void println(std::string_view text);

// Ends the command: "'<what>' is not available yet in this build (<why>)",
// exit code 1. For commands that a later piece of work fills in: they say so
// plainly instead of pretending.
[[noreturn]] void not_available(std::string_view what, std::string_view why);

// Exit codes (house style C5).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_error = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_interrupted = 130;

} // namespace ocne::cli
