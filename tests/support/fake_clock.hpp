#pragma once

// A clock for tests of waiting code: sleeping moves its time forward at once
// and is recorded, so a test checks how long code would have waited without
// waiting. A hook runs on each sleep (to change a fake server between two
// looks); advance() moves time from another thread. Thread-safe.

#include "pkg/core/clock.hpp"

#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

namespace ocne::test {

class FakeClock final : public Clock
{
public:
  time_point
  now() const override
  {
    const std::lock_guard lock(m_mutex);
    return m_now;
  }

  // Records the sleep and moves time to `until`, unless `wake` already says
  // stop (then nothing is recorded). The hook runs after time moved.
  bool
  sleep_until(time_point until, const Wake& wake) override
  {
    if (wake.woken()) {
      return false;
    }
    std::function<void(std::chrono::milliseconds)> hook;
    std::chrono::milliseconds slept{ 0 };
    {
      const std::lock_guard lock(m_mutex);
      slept = std::chrono::duration_cast<std::chrono::milliseconds>(std::max(until - m_now, time_point::duration(0)));
      m_sleeps.push_back(slept);
      m_now = std::max(m_now, until);
      hook = m_on_sleep;
    }
    if (hook) {
      hook(slept);
    }
    return !wake.woken();
  }

  void
  advance(std::chrono::milliseconds d)
  {
    const std::lock_guard lock(m_mutex);
    m_now += d;
  }

  // The length of every sleep so far, in order.
  std::vector<std::chrono::milliseconds>
  sleeps() const
  {
    const std::lock_guard lock(m_mutex);
    return m_sleeps;
  }

  std::chrono::milliseconds
  slept() const
  {
    const std::lock_guard lock(m_mutex);
    std::chrono::milliseconds total{ 0 };
    for (const auto d : m_sleeps) {
      total += d;
    }
    return total;
  }

  void
  on_sleep(std::function<void(std::chrono::milliseconds)> hook)
  {
    const std::lock_guard lock(m_mutex);
    m_on_sleep = std::move(hook);
  }

private:
  mutable std::mutex m_mutex;
  // Far from the epoch, so code that subtracts from now() stays positive.
  time_point m_now{ std::chrono::hours(24) };
  std::vector<std::chrono::milliseconds> m_sleeps;
  std::function<void(std::chrono::milliseconds)> m_on_sleep;
};

} // namespace ocne::test
