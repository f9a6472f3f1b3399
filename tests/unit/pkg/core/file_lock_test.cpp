#include "pkg/core/file_lock.hpp"

#include "tests/support/fake_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <vector>

namespace ocne {
namespace {

class FileLockTest : public test::TempDirTest
{};

TEST_F(FileLockTest, SecondHolderTimesOutNamingThePid)
{
  const auto file = dir() / "locks" / "cluster-demo.lock";
  auto first = FileLock::acquire(file, std::chrono::milliseconds(100), "cluster 'demo'");
  ASSERT_TRUE(first) << first.error().message();

  // flock locks belong to the open file description, so a second open in the
  // same process conflicts just as another process would.
  test::FakeClock clock;
  auto second = FileLock::acquire(file, std::chrono::seconds(1), "cluster 'demo'", &clock);
  ASSERT_FALSE(second);
  // Pauses of 10 ms doubling up to 200 ms, the last one cut to the deadline.
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(clock.sleeps(),
            (std::vector<ms>{ ms(10), ms(20), ms(40), ms(80), ms(160), ms(200), ms(200), ms(200), ms(90) }));
  EXPECT_EQ(second.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(second.error().message(),
            fmt::format("cluster 'demo' is in use by another ocne run (pid {}); wait for it to finish (lock file {})",
                        ::getpid(),
                        file.string()));
}

TEST_F(FileLockTest, TakenOnceTheHolderLetsGo)
{
  const auto file = dir() / "state.lock";
  std::optional<FileLock> first(*FileLock::acquire(file, std::chrono::milliseconds(100), "state"));
  test::FakeClock clock;
  clock.on_sleep([&](std::chrono::milliseconds) {
    if (clock.sleeps().size() == 3) {
      first.reset();
    }
  });
  auto second = FileLock::acquire(file, std::chrono::minutes(1), "state", &clock);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(clock.sleeps().size(), 3U);
}

TEST_F(FileLockTest, ReleasedOnDestructionAndOnProcessExit)
{
  const auto file = dir() / "state.lock";
  {
    auto lock = FileLock::acquire(file, std::chrono::milliseconds(100), "state");
    ASSERT_TRUE(lock);
  }
  EXPECT_TRUE(FileLock::acquire(file, std::chrono::milliseconds(100), "state"));

  // A child that takes the lock and dies without unlocking must not block us.
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto lock = FileLock::acquire(file, std::chrono::milliseconds(1000), "state");
    ::_exit(lock ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(FileLock::acquire(file, std::chrono::milliseconds(100), "state"));
}

} // namespace
} // namespace ocne
