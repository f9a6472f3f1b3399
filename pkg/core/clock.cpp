#include "pkg/core/clock.hpp"

#include "pkg/core/interrupt.hpp"

#include <thread>

namespace ocne {

namespace {

// Short enough that Ctrl-C feels immediate, long enough to cost nothing.
constexpr std::chrono::milliseconds k_slice{ 20 };

class RealClock final : public Clock
{
public:
  time_point
  now() const override
  {
    return std::chrono::steady_clock::now();
  }

  bool
  sleep_until(time_point until, const Wake& wake) override
  {
    const bool watched = wake.on_interrupt || wake.stop != nullptr;
    while (true) {
      if (wake.woken()) {
        return false;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) {
        return true;
      }
      const auto left = until - now;
      std::this_thread::sleep_for(watched ? std::min<std::chrono::steady_clock::duration>(left, k_slice) : left);
    }
  }
};

} // namespace

bool
Wake::woken() const
{
  return (on_interrupt && interrupted()) || (stop != nullptr && stop->load());
}

Clock&
real_clock()
{
  static RealClock clock;
  return clock;
}

bool
sleep_for(Clock& clock, std::chrono::milliseconds d, const Wake& wake)
{
  return clock.sleep_until(clock.now() + d, wake);
}

} // namespace ocne
