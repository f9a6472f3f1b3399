#include "pkg/libvirt/stats.hpp"

#include <atomic>

namespace ocne::libvirt {

namespace {
std::atomic<std::uint64_t> g_calls{0};
std::atomic<std::int64_t> g_nanos{0};
thread_local int t_depth = 0;
} // namespace

CallStats
call_stats()
{
  return {g_calls.load(), std::chrono::nanoseconds(g_nanos.load())};
}

void
reset_call_stats()
{
  g_calls = 0;
  g_nanos = 0;
}

CallTimer::CallTimer() : m_start(std::chrono::steady_clock::now()), m_outer(t_depth++ == 0)
{
}

CallTimer::~CallTimer()
{
  --t_depth;
  if (m_outer) {
    g_calls.fetch_add(1);
    g_nanos.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - m_start).count());
  }
}

} // namespace ocne::libvirt
