#include "pkg/core/poll.hpp"

#include "pkg/core/interrupt.hpp"
#include "tests/support/fake_clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

namespace ocne {
namespace {

using std::chrono::milliseconds;
using test::FakeClock;

PollMessages
messages()
{
  PollMessages m;
  m.timed_out = [](std::string_view seen) { return Error(ErrorKind::timeout, "gave up: " + std::string(seen)); };
  m.interrupted = [] { return Error(ErrorKind::cancelled, "stopped waiting for the widget"); };
  return m;
}

PollOptions
options(FakeClock& clock, milliseconds timeout, milliseconds interval)
{
  PollOptions o;
  o.timeout = timeout;
  o.interval = interval;
  o.clock = &clock;
  return o;
}

class Poll : public ::testing::Test
{
protected:
  void
  TearDown() override
  {
    reset_interrupt();
  }
  FakeClock clock;
};

TEST_F(Poll, DoneOnTheFirstLookSleepsNever)
{
  int looks = 0;
  auto r = poll(options(clock, milliseconds(5000), milliseconds(100)), messages(), [&]() -> Result<int> {
    ++looks;
    return 42;
  });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(looks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST_F(Poll, NotReadyUntilTheDeadlineEndsWithTheCallersTimeoutAndTheLastSeenText)
{
  int looks = 0;
  auto s = poll(options(clock, milliseconds(1000), milliseconds(250)), messages(), [&]() -> Status {
    return not_ready_yet("look " + std::to_string(++looks));
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind(), ErrorKind::timeout);
  // Four sleeps fill the second; the fifth look happens at the deadline.
  EXPECT_EQ(s.error().message(), "gave up: look 5");
  EXPECT_EQ(clock.sleeps(), std::vector<milliseconds>(4, milliseconds(250)));
}

TEST_F(Poll, ReadyAfterSomeLooksSleepsBetweenThem)
{
  int looks = 0;
  auto s = poll(options(clock, milliseconds(10000), milliseconds(300)), messages(), [&]() -> Status {
    return ++looks < 3 ? not_ready_yet("booting") : Status{};
  });
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(looks, 3);
  EXPECT_EQ(clock.sleeps(), std::vector<milliseconds>(2, milliseconds(300)));
}

TEST_F(Poll, AnyOtherErrorStopsAtOnceAsItIs)
{
  int looks = 0;
  auto s = poll(options(clock, milliseconds(10000), milliseconds(100)), messages(), [&]() -> Status {
    if (++looks < 2) {
      return not_ready_yet("not yet");
    }
    return make_error(ErrorKind::auth, "refused");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), Error(ErrorKind::auth, "refused"));
  EXPECT_EQ(looks, 2);
  EXPECT_EQ(clock.sleeps().size(), 1U);
}

TEST_F(Poll, CtrlCStopsWithTheCallersCancelledError)
{
  int looks = 0;
  clock.on_sleep([](milliseconds) { request_interrupt(); });
  auto s = poll(options(clock, milliseconds(10000), milliseconds(100)), messages(), [&]() -> Status {
    ++looks;
    return not_ready_yet("not yet");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), Error(ErrorKind::cancelled, "stopped waiting for the widget"));
  // Interrupted during the first sleep: no look after it.
  EXPECT_EQ(looks, 1);
  EXPECT_EQ(clock.sleeps().size(), 1U);
}

TEST_F(Poll, CtrlCBeforeTheFirstLookStillLooksOnce)
{
  request_interrupt();
  PollMessages m = messages();
  m.interrupted = nullptr; // the default text
  int looks = 0;
  auto s = poll(options(clock, milliseconds(10000), milliseconds(100)), m, [&]() -> Status {
    ++looks;
    return not_ready_yet("not yet");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), Error(ErrorKind::cancelled, "interrupted"));
  EXPECT_EQ(looks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
  // A look that finds what it waits for wins over Ctrl-C.
  auto done = poll(options(clock, milliseconds(10000), milliseconds(100)), m, [&]() -> Result<int> { return 7; });
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, 7);
}

TEST_F(Poll, AWaitThatDoesNotWatchCtrlCRunsToItsEnd)
{
  request_interrupt();
  auto o = options(clock, milliseconds(300), milliseconds(100));
  o.watch_interrupt = false;
  int looks = 0;
  auto s = poll(o, messages(), [&]() -> Status { return ++looks < 3 ? not_ready_yet("locked") : Status{}; });
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(clock.sleeps(), std::vector<milliseconds>(2, milliseconds(100)));
}

TEST_F(Poll, TheIntervalDoublesUpToItsMaximum)
{
  auto o = options(clock, milliseconds(100000), milliseconds(1000));
  o.max_interval = milliseconds(5000);
  int looks = 0;
  auto s = poll(o, messages(), [&]() -> Status { return ++looks < 7 ? not_ready_yet("importing") : Status{}; });
  ASSERT_TRUE(s);
  EXPECT_EQ(clock.sleeps(),
            (std::vector<milliseconds>{ milliseconds(1000),
                                        milliseconds(2000),
                                        milliseconds(4000),
                                        milliseconds(5000),
                                        milliseconds(5000),
                                        milliseconds(5000) }));
}

TEST_F(Poll, ASleepNeverOutlastsTheDeadline)
{
  auto s = poll(
    options(clock, milliseconds(2500), milliseconds(1000)), messages(), [&]() -> Status { return not_ready_yet("x"); });
  ASSERT_FALSE(s);
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{ milliseconds(1000), milliseconds(1000), milliseconds(500) }));
  EXPECT_EQ(clock.slept(), milliseconds(2500));
}

TEST_F(Poll, WaitingHearsWhatWasSeenBeforeEachSleepOnly)
{
  std::vector<std::string> heard;
  PollMessages m = messages();
  m.waiting = [&](std::string_view seen) { heard.emplace_back(seen); };
  int looks = 0;
  auto s = poll(options(clock, milliseconds(200), milliseconds(100)), m, [&]() -> Status {
    return not_ready_yet("look " + std::to_string(++looks));
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "gave up: look 3");
  EXPECT_EQ(heard, (std::vector<std::string>{ "look 1", "look 2" }));
}

TEST_F(Poll, AHookChangesTheWorldBetweenTwoLooks)
{
  bool ready = false;
  clock.on_sleep([&](milliseconds) { ready = true; });
  auto r = poll(options(clock, milliseconds(1000), milliseconds(100)), messages(), [&]() -> Result<std::string> {
    if (!ready) {
      return not_ready_yet("no");
    }
    return std::string("yes");
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "yes");
  EXPECT_EQ(clock.sleeps().size(), 1U);
}

TEST(Retry, KeepsItsAttemptsAndLinearDelays)
{
  FakeClock clock;
  std::vector<int> failed;
  RetryOptions o{ .attempts = 4, .delay = milliseconds(200), .clock = &clock };
  o.before_retry = [&](const Error&, int attempt) { failed.push_back(attempt); };
  int attempts = 0;
  auto r = retry(
    o,
    [](const Error& e) { return e.kind() == ErrorKind::transient; },
    [&](int n) -> Result<int> {
      attempts = n;
      return make_error(ErrorKind::transient, "flaky {}", n);
    });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "flaky 4");
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(failed, (std::vector<int>{ 1, 2, 3 }));
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{ milliseconds(200), milliseconds(400), milliseconds(600) }));
}

TEST(Retry, DoublingDelaysAndStopsOnSuccessOrARefusedError)
{
  FakeClock clock;
  RetryOptions o{
    .attempts = 10, .delay = milliseconds(100), .growth = RetryOptions::Growth::doubling, .clock = &clock
  };
  auto ok = retry(
    o,
    [](const Error&) { return true; },
    [&](int n) -> Status { return n < 4 ? make_error(ErrorKind::transient, "again") : Status{}; });
  ASSERT_TRUE(ok);
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{ milliseconds(100), milliseconds(200), milliseconds(400) }));

  FakeClock other;
  o.clock = &other;
  int attempts = 0;
  auto refused = retry(
    o,
    [](const Error& e) { return e.kind() == ErrorKind::transient; },
    [&](int) -> Status {
      ++attempts;
      return make_error(ErrorKind::not_found, "gone");
    });
  ASSERT_FALSE(refused);
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(other.sleeps().empty());
}

TEST(Clock, RealSleepsEndAtOnceWhenTheirWakeIsAlreadySet)
{
  std::atomic<bool> stop{ true };
  // An hour's sleep: the test would hang if the flag were not seen.
  EXPECT_FALSE(sleep_for(real_clock(), std::chrono::hours(1), { .on_interrupt = false, .stop = &stop }));
  request_interrupt();
  EXPECT_FALSE(sleep_for(real_clock(), std::chrono::hours(1)));
  reset_interrupt();
  EXPECT_TRUE(sleep_for(real_clock(), milliseconds(0)));
}

TEST(Clock, ErrorKindNotReadyHasAName)
{
  EXPECT_EQ(to_string(ErrorKind::not_ready), "not ready");
}

} // namespace
} // namespace ocne
