#pragma once

// The one way ocne waits for something to change: poll() looks again and
// again until a look succeeds, fails for real, the time is up or the user
// presses Ctrl-C; retry() runs an attempt again after a pause. Each caller
// keeps its own messages. Time comes from a Clock, so tests use a fake one.
//
// One round of poll(), in this order:
//   look     -> a value: done; an error that is not not_ready: returned as it is;
//               not_ready: remember its text as what was last seen
//   Ctrl-C?  -> messages.interrupted()
//   deadline -> messages.timed_out(last seen)
//   messages.waiting(last seen), then sleep min(interval, time left); Ctrl-C
//   during the sleep -> messages.interrupted(), else go round again.
// The first look always happens; the last one happens at the deadline, never
// after it.

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace ocne {

struct PollOptions
{
  std::chrono::milliseconds timeout{ 0 };
  std::chrono::milliseconds interval{ 1000 };
  // 0: a fixed interval; else the interval doubles after each sleep, up to this.
  std::chrono::milliseconds max_interval{ 0 };
  // false for the waits that never watched Ctrl-C: it neither ends them nor
  // cuts their sleeps short.
  bool watch_interrupt = true;
  Clock* clock = nullptr; // null: real_clock()
};

// What a caller says when the wait ends without an answer.
struct PollMessages
{
  // The time is up; last_seen is the text of the last not_ready. Default:
  // timeout "timed out; last seen: <last_seen>".
  std::function<Error(std::string_view last_seen)> timed_out;
  // Ctrl-C; default: cancelled "interrupted".
  std::function<Error()> interrupted;
  // Called before each sleep with what was last seen (progress, debug logs).
  std::function<void(std::string_view last_seen)> waiting;
};

// A look's answer "not yet": keep looking; `seen` says what it saw.
inline tl::unexpected<Error>
not_ready_yet(std::string seen)
{
  return tl::unexpected<Error>(Error(ErrorKind::not_ready, std::move(seen)));
}

namespace detail {
Status poll_status(const PollOptions& options, const PollMessages& messages, const std::function<Status()>& look);
} // namespace detail

// look() returns Status or Result<T>; poll returns the same type.
template<typename Look>
std::invoke_result_t<Look&>
poll(const PollOptions& options, const PollMessages& messages, Look&& look)
{
  using R = std::invoke_result_t<Look&>;
  using T = typename R::value_type;
  if constexpr (std::is_void_v<T>) {
    return detail::poll_status(options, messages, look);
  } else {
    std::optional<T> found;
    OCNE_TRY(detail::poll_status(options, messages, [&]() -> Status {
      auto r = look();
      if (!r) {
        return tl::unexpected<Error>(std::move(r).error());
      }
      found.emplace(std::move(*r));
      return {};
    }));
    return std::move(*found);
  }
}

struct RetryOptions
{
  enum class Growth {
    linear,  // delay, 2 x delay, 3 x delay, ...
    doubling // delay, 2 x delay, 4 x delay, ...
  };
  int attempts = 3;
  std::chrono::milliseconds delay{ 200 };
  Growth growth = Growth::linear;
  Clock* clock = nullptr; // null: real_clock()
  // Called before each pause with the error and the number of the attempt that failed.
  std::function<void(const Error&, int attempt)> before_retry;
};

// The pause after attempt `attempt` (1-based).
std::chrono::milliseconds retry_delay(const RetryOptions& options, int attempt);

// Runs attempt(n) for n = 1, 2, ... until it succeeds, fails with an error
// retryable() refuses, or the attempts are used up; returns the last result.
// Ctrl-C cuts a pause short (the next attempt sees it; retryable may refuse it).
template<typename Attempt>
std::invoke_result_t<Attempt&, int>
retry(const RetryOptions& options, const std::function<bool(const Error&)>& retryable, Attempt&& attempt)
{
  for (int n = 1;; ++n) {
    auto result = attempt(n);
    if (result || n >= options.attempts || !retryable(result.error())) {
      return result;
    }
    if (options.before_retry) {
      options.before_retry(result.error(), n);
    }
    sleep_for(clock_or_real(options.clock), retry_delay(options, n));
  }
}

} // namespace ocne
