#pragma once

// Process-wide interruption (Ctrl-C). The CLI's signal handler calls
// request_interrupt(); long operations poll interrupted() and unwind
// cleanly instead of dying half-way.

namespace ocne {

void request_interrupt() noexcept;
bool interrupted() noexcept;
// For tests: clears the flag.
void reset_interrupt() noexcept;

} // namespace ocne
