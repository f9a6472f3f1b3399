#include "cmd/ocne/output.hpp"

#include "cmd/ocne/context.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/human_bytes.hpp"
#include "pkg/core/log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace ocne::cli {

namespace {

struct Task
{
  std::string label;
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  ProgressUnit unit = ProgressUnit::bytes;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  int last_decile = 0;
};

std::string
detail_of(const Task& t)
{
  if (t.unit == ProgressUnit::items) {
    return t.total == 0 ? (t.done > 0 ? std::to_string(t.done) : std::string())
                        : fmt::format("{} of {}", t.done, t.total);
  }
  if (t.total == 0) {
    return t.done > 0 ? human_bytes(t.done) : std::string();
  }
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t.started).count();
  const auto rate =
    elapsed > 0.5
      ? fmt::format(", {}/s", human_bytes(static_cast<std::uint64_t>(static_cast<double>(t.done) / elapsed)))
      : "";
  return fmt::format("{} of {}{}", human_bytes(t.done), human_bytes(t.total), rate);
}

// Log lines only: start, each 10% step and the end.
class PlainProgress : public ProgressSink
{
public:
  void
  begin(std::uint64_t id, std::string_view label, std::uint64_t total, ProgressUnit unit) override
  {
    const std::lock_guard lock(m_mutex);
    m_tasks[id] = Task{ std::string(label), 0, total, unit };
    log::info("{}", label);
  }
  void
  update(std::uint64_t id, std::uint64_t done, std::uint64_t total) override
  {
    const std::lock_guard lock(m_mutex);
    auto it = m_tasks.find(id);
    if (it == m_tasks.end()) {
      return;
    }
    auto& t = it->second;
    t.done = done;
    t.total = total;
    if (total == 0) {
      return;
    }
    const int decile = static_cast<int>(std::min<std::uint64_t>(10, done * 10 / total));
    if (decile > t.last_decile && decile < 10) {
      t.last_decile = decile;
      log::info("{}: {}% ({})", t.label, decile * 10, detail_of(t));
    }
  }
  void
  end(std::uint64_t id, bool ok, std::string_view detail) override
  {
    const std::lock_guard lock(m_mutex);
    auto it = m_tasks.find(id);
    if (it == m_tasks.end()) {
      return;
    }
    if (ok) {
      log::info("{}: {}", it->second.label, detail);
    } else {
      log::error("{}: {}", it->second.label, detail);
    }
    m_tasks.erase(it);
  }

private:
  std::mutex m_mutex;
  std::map<std::uint64_t, Task> m_tasks;
};

// Bars redrawn in place below the log output.
class TerminalProgress : public ProgressSink
{
public:
  TerminalProgress()
  {
    log::set_sink([this](const log::Record& record) {
      const std::lock_guard lock(m_mutex);
      clear();
      const auto line = log::format_record(record, log::Format::text, true);
      std::fprintf(stderr, "%s\n", line.c_str());
      draw();
    });
  }
  ~TerminalProgress() override
  {
    log::set_sink({});
  }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  void
  begin(std::uint64_t id, std::string_view label, std::uint64_t total, ProgressUnit unit) override
  {
    const std::lock_guard lock(m_mutex);
    clear();
    m_tasks[id] = Task{ std::string(label), 0, total, unit };
    draw();
  }
  void
  update(std::uint64_t id, std::uint64_t done, std::uint64_t total) override
  {
    const std::lock_guard lock(m_mutex);
    auto it = m_tasks.find(id);
    if (it == m_tasks.end()) {
      return;
    }
    it->second.done = done;
    it->second.total = total;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < std::chrono::milliseconds(100)) {
      return; // at most ten redraws a second
    }
    clear();
    draw();
  }
  void
  end(std::uint64_t id, bool ok, std::string_view detail) override
  {
    const std::lock_guard lock(m_mutex);
    auto it = m_tasks.find(id);
    if (it == m_tasks.end()) {
      return;
    }
    clear();
    const auto label = it->second.label;
    m_tasks.erase(it);
    const auto line =
      ok
        ? log::format_record(
            { log::Level::info, std::chrono::system_clock::now(), fmt::format("{}: \x1b[32m{}\x1b[0m", label, detail) },
            log::Format::text,
            true)
        : log::format_record(
            { log::Level::error, std::chrono::system_clock::now(), fmt::format("{}: {}", label, detail) },
            log::Format::text,
            true);
    std::fprintf(stderr, "%s\n", line.c_str());
    draw();
  }

private:
  void
  clear()
  {
    for (int i = 0; i < m_drawn; ++i) {
      std::fputs("\x1b[1A\x1b[2K", stderr);
    }
    m_drawn = 0;
  }

  void
  draw()
  {
    static constexpr const char* k_frames[] = { "waiting",    "waiting.",   "waiting..",
                                                "waiting...", "waiting ..", "waiting  ." };
    ++m_frame;
    for (const auto& [id, t] : m_tasks) {
      if (t.total > 0) {
        const int width = 30;
        const int filled = static_cast<int>(std::min<std::uint64_t>(width, t.done * width / t.total));
        std::fprintf(stderr,
                     "%s [%s%s] %3d%% %s\n",
                     t.label.c_str(),
                     std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                     static_cast<int>(t.done * 100 / t.total),
                     detail_of(t).c_str());
      } else {
        std::fprintf(
          stderr, "%s: \x1b[33m%s\x1b[0m %s\n", t.label.c_str(), k_frames[m_frame % 6], detail_of(t).c_str());
      }
      ++m_drawn;
    }
    std::fflush(stderr);
    m_last_draw = std::chrono::steady_clock::now();
  }

  std::mutex m_mutex;
  std::map<std::uint64_t, Task> m_tasks;
  int m_drawn = 0;
  int m_frame = 0;
  std::chrono::steady_clock::time_point m_last_draw;
};

} // namespace

std::string
human_bytes(std::uint64_t bytes)
{
  return str::human_bytes(bytes);
}

std::unique_ptr<ProgressSink>
make_progress_sink(bool terminal)
{
  if (terminal) {
    return std::make_unique<TerminalProgress>();
  }
  return std::make_unique<PlainProgress>();
}

void
print(std::string_view text)
{
  std::fwrite(text.data(), 1, text.size(), stdout);
}

void
println(std::string_view text)
{
  print(text);
  std::fputc('\n', stdout);
}

void
not_available(std::string_view what, std::string_view why)
{
  throw Fatal(Error(ErrorKind::unavailable, fmt::format("'{}' is not available yet in this build ({})", what, why)));
}

} // namespace ocne::cli
