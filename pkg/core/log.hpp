#pragma once

// Logging to stderr in ocne's format: "INFO[2026-11-21T10:00:00Z] message".
// Library code logs through these functions and never writes to stdout; the
// CLI may install a sink (for example to keep progress bars intact).

#include <fmt/core.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ocne::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3, trace = 4 };
enum class Format { text, json };

std::optional<Level> parse_level(std::string_view name);
std::string_view to_string(Level level);

void set_level(Level level);
Level level();
bool enabled(Level level);

struct Record
{
  Level level;
  std::chrono::system_clock::time_point time;
  std::string_view message;
};

// "INFO[2026-11-21T10:00:00Z] message" (text) or one JSON object (json).
// color adds ANSI colour to the level as ocne does on a terminal.
std::string format_record(const Record& record, Format format, bool color);

using Sink = std::function<void(const Record&)>;
// Replaces where records go; an empty sink restores the default (stderr).
void set_sink(Sink sink);
// The default sink's format and colour.
void set_format(Format format);
void set_color(bool color);

void write(Level level, std::string_view message);

template<typename... Args>
void
error(fmt::format_string<Args...> format, Args&&... args)
{
  if (enabled(Level::error)) {
    write(Level::error, fmt::format(format, std::forward<Args>(args)...));
  }
}

template<typename... Args>
void
warn(fmt::format_string<Args...> format, Args&&... args)
{
  if (enabled(Level::warn)) {
    write(Level::warn, fmt::format(format, std::forward<Args>(args)...));
  }
}

template<typename... Args>
void
info(fmt::format_string<Args...> format, Args&&... args)
{
  if (enabled(Level::info)) {
    write(Level::info, fmt::format(format, std::forward<Args>(args)...));
  }
}

template<typename... Args>
void
debug(fmt::format_string<Args...> format, Args&&... args)
{
  if (enabled(Level::debug)) {
    write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
  }
}

template<typename... Args>
void
trace(fmt::format_string<Args...> format, Args&&... args)
{
  if (enabled(Level::trace)) {
    write(Level::trace, fmt::format(format, std::forward<Args>(args)...));
  }
}

// Captures every record while alive (tests assert on log output with it).
class Capture
{
public:
  Capture();
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  // All captured records, one formatted text line each ("WARN[...] msg\n").
  std::string text() const;

private:
  std::string m_lines;
  Level m_saved_level;
};

} // namespace ocne::log
