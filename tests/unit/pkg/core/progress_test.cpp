#include "pkg/core/progress.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ocne {
namespace {

class RecordingSink : public ProgressSink
{
public:
  void
  begin(std::uint64_t, std::string_view label, std::uint64_t total, ProgressUnit) override
  {
    const std::lock_guard lock(mutex);
    events.push_back(fmt::format("begin {} {}", label, total));
  }
  void
  update(std::uint64_t, std::uint64_t done, std::uint64_t) override
  {
    const std::lock_guard lock(mutex);
    last_done = done;
    ++updates;
  }
  void
  end(std::uint64_t, bool ok, std::string_view detail) override
  {
    const std::lock_guard lock(mutex);
    events.push_back(fmt::format("end {} {}", ok, detail));
  }
  std::mutex mutex;
  std::vector<std::string> events;
  std::uint64_t last_done = 0;
  int updates = 0;
};

TEST(Progress, TaskReportsAndEndsOnce)
{
  RecordingSink sink;
  {
    ProgressTask task(sink, "upload", 100);
    task.advance(40);
    task.advance(60);
    task.succeed();
    task.fail("ignored after success");
  }
  EXPECT_EQ(sink.events, (std::vector<std::string>{ "begin upload 100", "end true ok" }));
  EXPECT_EQ(sink.last_done, 100U);
}

TEST(Progress, UnfinishedTaskEndsAsFailed)
{
  RecordingSink sink;
  {
    ProgressTask task(sink, "wait");
  }
  EXPECT_EQ(sink.events.back(), "end false interrupted");
}

TEST(Progress, AdvanceIsThreadSafe)
{
  RecordingSink sink;
  ProgressTask task(sink, "parts", 8000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        task.advance(1);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(task.done(), 8000U);
  task.succeed();
}

} // namespace
} // namespace ocne
