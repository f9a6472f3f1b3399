#include "pkg/libvirt/stats.hpp"

#include <mutex>

namespace ocne::libvirt {

namespace {

// Calls may run on several threads at once (cluster delete stops its nodes in
// parallel). The time counted is wall-clock time during which at least one
// call was in flight, so it never exceeds the run it is part of.
struct Totals
{
  std::mutex mutex;
  std::uint64_t calls = 0;
  std::chrono::nanoseconds time{ 0 };
  int in_flight = 0;
  std::chrono::steady_clock::time_point busy_since;
};

Totals&
totals()
{
  static Totals t;
  return t;
}

thread_local int t_depth = 0;

} // namespace

CallStats
call_stats()
{
  auto& t = totals();
  std::lock_guard lock(t.mutex);
  auto time = t.time;
  if (t.in_flight > 0) {
    time += std::chrono::steady_clock::now() - t.busy_since;
  }
  return { t.calls, time };
}

void
reset_call_stats()
{
  auto& t = totals();
  std::lock_guard lock(t.mutex);
  t.calls = 0;
  t.time = std::chrono::nanoseconds(0);
  t.busy_since = std::chrono::steady_clock::now();
}

CallTimer::CallTimer() : m_outer(t_depth++ == 0)
{
  if (m_outer) {
    auto& t = totals();
    std::lock_guard lock(t.mutex);
    if (t.in_flight++ == 0) {
      t.busy_since = std::chrono::steady_clock::now();
    }
  }
}

CallTimer::~CallTimer()
{
  --t_depth;
  if (m_outer) {
    auto& t = totals();
    std::lock_guard lock(t.mutex);
    ++t.calls;
    if (--t.in_flight == 0) {
      t.time += std::chrono::steady_clock::now() - t.busy_since;
    }
  }
}

} // namespace ocne::libvirt
