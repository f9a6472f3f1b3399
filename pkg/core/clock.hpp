#pragma once

// Time for everything that waits: one interface, so tests run waits on a fake
// clock instead of sleeping. The real clock's sleep is the only place in ocne
// that puts a thread to sleep (tests/unit/repo/layering_test.cpp checks it).

#include <atomic>
#include <chrono>

namespace ocne {

// What may end a sleep before its time.
struct Wake
{
  // Ctrl-C (interrupted()). Off for the few waits that never watched it.
  bool on_interrupt = true;
  // A caller's own flag, such as the stop flag of parallel workers.
  const std::atomic<bool>* stop = nullptr;

  bool woken() const;
};

class Clock
{
public:
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  // Sleeps until `until`, or less when `wake` says so; false when woken early.
  virtual bool sleep_until(time_point until, const Wake& wake) = 0;
};

// The steady clock and real sleeps, in short slices when something may wake them.
Clock& real_clock();

// `clock`, or the real clock when null (options carry a Clock* that tests set).
inline Clock&
clock_or_real(Clock* clock)
{
  return clock != nullptr ? *clock : real_clock();
}

// Sleeps for `d` on `clock`; false when woken early.
bool sleep_for(Clock& clock, std::chrono::milliseconds d, const Wake& wake = {});

} // namespace ocne
