#include "pkg/http/retry.hpp"

#include <gtest/gtest.h>

namespace ocne::http {
namespace {

TEST(Retry, RetryableStatuses)
{
  for (long s : { 408L, 429L, 500L, 502L, 503L, 504L }) {
    EXPECT_TRUE(retryable_status(s)) << s;
  }
  for (long s : { 200L, 400L, 401L, 404L, 409L, 501L }) {
    EXPECT_FALSE(retryable_status(s)) << s;
  }
}

TEST(Retry, BackoffGrowsAndCaps)
{
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  EXPECT_EQ(backoff_delay(p, 2, 1.0).count(), 100);
  EXPECT_EQ(backoff_delay(p, 3, 1.0).count(), 200);
  EXPECT_EQ(backoff_delay(p, 4, 1.0).count(), 400);
  EXPECT_EQ(backoff_delay(p, 10, 1.0).count(), 1000);
  EXPECT_EQ(backoff_delay(p, 2, 0.0).count(), 50);
}

TEST(Retry, ParseRetryAfter)
{
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(parse_retry_after("3", now), std::chrono::milliseconds(3000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), std::chrono::milliseconds(0));
  // 1700000010 = Tue, 14 Nov 2023 22:13:30 GMT
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now), std::chrono::milliseconds(10000));
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
}

} // namespace
} // namespace ocne::http
