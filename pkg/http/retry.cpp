#include "pkg/http/retry.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace ocne::http {

bool
retryable_status(long status)
{
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds
backoff_delay(const RetryPolicy& policy, int attempt, double jitter01)
{
  const int exponent = std::clamp(attempt - 2, 0, 20);
  const double base = static_cast<double>(policy.initial_backoff.count()) * static_cast<double>(1ULL << exponent);
  const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
  const double jittered = capped * (0.5 + 0.5 * std::clamp(jitter01, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<long long>(jittered));
}

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now)
{
  value = str::trim(value);
  if (value.empty()) {
    return std::nullopt;
  }
  long long seconds = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size()) {
    if (seconds < 0) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(seconds * 1000);
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  const auto when = std::chrono::system_clock::from_time_t(::timegm(&tm));
  const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  return std::max(delta, std::chrono::milliseconds(0));
}

} // namespace ocne::http
