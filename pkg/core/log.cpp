#include "pkg/core/log.hpp"

#include <fmt/chrono.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace ocne::log {

namespace {

std::atomic<Level> g_level{ Level::info };
std::atomic<Format> g_format{ Format::text };
std::atomic<bool> g_color{ false };
std::mutex g_mutex;
Sink g_sink; // guarded by g_mutex

void
default_sink(const Record& record)
{
  const auto line = format_record(record, g_format.load(), g_color.load());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

std::string
json_escape(std::string_view s)
{
  std::string out;
  out.reserve(s.size() + 2);
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

} // namespace

std::optional<Level>
parse_level(std::string_view name)
{
  if (name == "error") {
    return Level::error;
  }
  if (name == "warn" || name == "warning") {
    return Level::warn;
  }
  if (name == "info") {
    return Level::info;
  }
  if (name == "debug") {
    return Level::debug;
  }
  if (name == "trace") {
    return Level::trace;
  }
  return std::nullopt;
}

std::string_view
to_string(Level level)
{
  switch (level) {
    case Level::error:
      return "error";
    case Level::warn:
      return "warn";
    case Level::info:
      return "info";
    case Level::debug:
      return "debug";
    case Level::trace:
      return "trace";
  }
  return "info";
}

void
set_level(Level level)
{
  g_level = level;
}

Level
level()
{
  return g_level;
}

bool
enabled(Level level)
{
  return static_cast<int>(level) <= static_cast<int>(g_level.load());
}

std::string
format_record(const Record& record, Format format, bool color)
{
  const auto seconds = std::chrono::floor<std::chrono::seconds>(record.time);
  const auto stamp = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", seconds);
  if (format == Format::json) {
    return fmt::format(
      R"({{"time":"{}","level":"{}","msg":"{}"}})", stamp, to_string(record.level), json_escape(record.message));
  }
  // ocne (logrus) prints four-letter upper-case levels with these colours.
  std::string_view tag = "INFO";
  int colour = 36;
  switch (record.level) {
    case Level::error:
      tag = "ERRO";
      colour = 31;
      break;
    case Level::warn:
      tag = "WARN";
      colour = 33;
      break;
    case Level::info:
      break;
    case Level::debug:
      tag = "DEBU";
      colour = 37;
      break;
    case Level::trace:
      tag = "TRAC";
      colour = 37;
      break;
  }
  if (color) {
    return fmt::format("\x1b[{}m{}\x1b[0m[{}] {}", colour, tag, stamp, record.message);
  }
  return fmt::format("{}[{}] {}", tag, stamp, record.message);
}

void
set_sink(Sink sink)
{
  const std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void
set_format(Format format)
{
  g_format = format;
}

void
set_color(bool color)
{
  g_color = color;
}

void
write(Level level, std::string_view message)
{
  const Record record{ level, std::chrono::system_clock::now(), message };
  const std::lock_guard lock(g_mutex);
  if (g_sink) {
    g_sink(record);
  } else {
    default_sink(record);
  }
}

Capture::Capture() : m_saved_level(log::level())
{
  set_sink([this](const Record& record) {
    m_lines += format_record(record, Format::text, false);
    m_lines += '\n';
  });
}

Capture::~Capture()
{
  set_sink({});
  set_level(m_saved_level);
}

std::string
Capture::text() const
{
  const std::lock_guard lock(g_mutex);
  return m_lines;
}

} // namespace ocne::log
