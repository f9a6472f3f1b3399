#pragma once

// When and how long to wait before trying a request again.

#include <chrono>
#include <optional>
#include <string_view>

namespace ocne::http {

struct RetryPolicy
{
  // Attempts in all, the first included. 1 disables retries.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{ 250 };
  std::chrono::milliseconds max_backoff{ 15000 };
  // A Retry-After longer than this is clamped, so a server cannot park us.
  std::chrono::milliseconds max_retry_after{ 60000 };
};

// Whether a response status is worth retrying: 408, 429, 500, 502, 503, 504.
bool retryable_status(long status);

// The wait before attempt number `attempt` (2 = the first retry):
// exponential from initial_backoff, capped, with jitter in [50%, 100%].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double jitter01);

// Parses a Retry-After value: delta seconds ("120") or an HTTP date
// ("Fri, 21 Nov 2026 10:00:00 GMT", relative to now). nullopt if unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

} // namespace ocne::http
