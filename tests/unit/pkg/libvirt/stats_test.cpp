#include "pkg/libvirt/stats.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ocne::libvirt {
namespace {

// A call made while another is in flight on another thread adds calls but no
// time: the total is wall-clock time with some call running, never the sum.
TEST(CallStats, OverlappingCallsCountTheirTimeOnce)
{
  std::mutex m;
  std::condition_variable cv;
  bool outer_started = false;
  bool inner_done = false;

  reset_call_stats();
  const auto before = std::chrono::steady_clock::now();
  std::thread outer([&] {
    CallTimer timer;
    {
      std::lock_guard lock(m);
      outer_started = true;
    }
    cv.notify_all();
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return inner_done; });
  });
  std::thread inner([&] {
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return outer_started; });
    }
    {
      CallTimer timer;
      CallTimer nested; // counts once with its enclosing timer
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    {
      std::lock_guard lock(m);
      inner_done = true;
    }
    cv.notify_all();
  });
  inner.join();
  outer.join();
  const auto wall = std::chrono::steady_clock::now() - before;

  const auto stats = call_stats();
  EXPECT_EQ(stats.calls, 2U);
  EXPECT_GE(stats.time, std::chrono::milliseconds(100));
  // A sum would count the inner call's 100 ms twice (it runs inside the
  // outer one) and come to more than the whole run.
  EXPECT_LE(stats.time, wall);
}

TEST(CallStats, ResetStartsFromZero)
{
  {
    CallTimer timer;
  }
  reset_call_stats();
  EXPECT_EQ(call_stats().calls, 0U);
  EXPECT_EQ(call_stats().time, std::chrono::nanoseconds(0));
}

} // namespace
} // namespace ocne::libvirt
