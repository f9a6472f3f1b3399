#include "pkg/core/interrupt.hpp"

#include <atomic>

namespace ocne {

namespace {
std::atomic<bool> g_interrupted{ false };
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");
} // namespace

void
request_interrupt() noexcept
{
  g_interrupted.store(true);
}

bool
interrupted() noexcept
{
  return g_interrupted.load();
}

void
reset_interrupt() noexcept
{
  g_interrupted.store(false);
}

} // namespace ocne
