#include "pkg/core/poll.hpp"

#include "pkg/core/interrupt.hpp"

#include <algorithm>

namespace ocne {

namespace detail {

Status
poll_status(const PollOptions& options, const PollMessages& messages, const std::function<Status()>& look)
{
  Clock& clock = clock_or_real(options.clock);
  const Wake wake{ .on_interrupt = options.watch_interrupt };
  const auto stopped = [&]() {
    return make_error(messages.interrupted ? messages.interrupted() : Error(ErrorKind::cancelled, "interrupted"));
  };
  const auto deadline = clock.now() + options.timeout;
  auto interval = options.interval;
  while (true) {
    auto looked = look();
    if (looked) {
      return {};
    }
    if (looked.error().kind() != ErrorKind::not_ready) {
      return looked;
    }
    const std::string& seen = looked.error().message();
    if (options.watch_interrupt && interrupted()) {
      return stopped();
    }
    const auto now = clock.now();
    if (now >= deadline) {
      return make_error(messages.timed_out ? messages.timed_out(seen)
                                           : Error(ErrorKind::timeout, "timed out; last seen: " + seen));
    }
    if (messages.waiting) {
      messages.waiting(seen);
    }
    if (!clock.sleep_until(std::min(deadline, now + interval), wake)) {
      return stopped(); // Ctrl-C during the sleep: no look after it
    }
    if (options.max_interval.count() > 0) {
      interval = std::min(interval * 2, options.max_interval);
    }
  }
}

} // namespace detail

std::chrono::milliseconds
retry_delay(const RetryOptions& options, int attempt)
{
  if (options.growth == RetryOptions::Growth::linear) {
    return options.delay * attempt;
  }
  auto d = options.delay;
  for (int i = 1; i < attempt; ++i) {
    d *= 2;
  }
  return d;
}

} // namespace ocne
