#pragma once

// Time spent inside libvirt calls (process-wide), so a benchmark can tell
// how much of a run is libvirt and the daemon versus ocne's own work.

#include <chrono>
#include <cstdint>

namespace ocne::libvirt {

struct CallStats
{
  std::uint64_t calls = 0;
  std::chrono::nanoseconds time{0};
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
  std::chrono::steady_clock::time_point m_start;
  bool m_outer;
};

} // namespace ocne::libvirt
