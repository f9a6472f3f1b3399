#pragma once

// Progress on stderr: redrawn bars on a terminal, plain log lines otherwise
// (start, every 10%, and the end), so logs of automation stay readable.

#include "pkg/core/progress.hpp"

#include <memory>

namespace ocne::cli {

// A sink for library progress. On a terminal it also takes over log output,
// so log lines are printed above the bars instead of through them.
std::unique_ptr<ProgressSink> make_progress_sink(bool terminal);

// "1.5 GiB", "12 MiB", "512 B".
std::string human_bytes(std::uint64_t bytes);

} // namespace ocne::cli
