#pragma once

// Progress reporting. Library code never draws anything: it is handed a
// ProgressSink and reports tasks (a download, an upload, a wait) through a
// ProgressTask. cmd/ implements the sink: bars on a TTY, log lines otherwise.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace ocne {

// What a task's numbers count.
enum class ProgressUnit {
  bytes, // drawn as "4.0 MiB of 18 MiB, 2.1 MiB/s"
  items, // objects, nodes...: "4 of 18"
};

class ProgressSink
{
public:
  virtual ~ProgressSink() = default;
  // A task starts. total is in units of work; 0 = unknown.
  virtual void begin(std::uint64_t id, std::string_view label, std::uint64_t total, ProgressUnit unit) = 0;
  // done of total units are complete. Called often, from any thread.
  virtual void update(std::uint64_t id, std::uint64_t done, std::uint64_t total) = 0;
  // The task ended; detail is "ok", an error text, or a short result.
  virtual void end(std::uint64_t id, bool ok, std::string_view detail) = 0;
};

// A sink that ignores everything.
ProgressSink& null_progress();

// One task reported to a sink. Thread-safe; ends as failed when destroyed
// without succeed() or fail(), so an early return is never shown as success.
class ProgressTask
{
public:
  ProgressTask(ProgressSink& sink, std::string label, std::uint64_t total = 0, ProgressUnit unit = ProgressUnit::bytes);
  ~ProgressTask();
  ProgressTask(const ProgressTask&) = delete;
  ProgressTask& operator=(const ProgressTask&) = delete;

  void set_total(std::uint64_t total);
  void advance(std::uint64_t delta);
  void set_done(std::uint64_t done);
  std::uint64_t done() const;

  void succeed(std::string_view detail = "ok");
  void fail(std::string_view detail);

private:
  ProgressSink& m_sink;
  std::uint64_t m_id;
  std::atomic<std::uint64_t> m_done{ 0 };
  std::atomic<std::uint64_t> m_total{ 0 };
  std::mutex m_end_mutex;
  bool m_ended = false;
};

} // namespace ocne
