#pragma once

// Time spent inside libvirt calls (process-wide), so a benchmark can tell
// how much of a run is libvirt and the daemon versus ocne's own work. Calls
// on several threads at once count once: the time is wall-clock time with
// at least one call in flight.

#include <chrono>
#include <cstdint>

namespace ocne::libvirt {

struct CallStats
{
  std::uint64_t calls = 0;
  std::chrono::nanoseconds time{ 0 };
};

CallStats call_stats();
void reset_call_stats();

// Counts the scope as one libvirt call (nested timers count once).
class CallTimer
{
public:
  CallTimer();
  ~CallTimer();
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

private:
  bool m_outer;
};

} // namespace ocne::libvirt
