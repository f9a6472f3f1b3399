#include "pkg/core/log.hpp"

#include <gtest/gtest.h>

namespace ocne::log {
namespace {

TEST(Log, FormatsLikeOcne)
{
  const auto t = std::chrono::sys_days{ std::chrono::year{ 2026 } / 11 / 21 } + std::chrono::hours{ 10 };
  const Record r{ Level::info, t, "Installing cert-manager into cert-manager: ok" };
  EXPECT_EQ(format_record(r, Format::text, false),
            "INFO[2026-11-21T10:00:00Z] Installing cert-manager into cert-manager: ok");
  EXPECT_EQ(format_record({ Level::warn, t, "w" }, Format::text, false), "WARN[2026-11-21T10:00:00Z] w");
  EXPECT_EQ(format_record({ Level::error, t, "e" }, Format::text, true), "\x1b[31mERRO\x1b[0m[2026-11-21T10:00:00Z] e");
  EXPECT_EQ(format_record({ Level::debug, t, "say \"hi\"\n" }, Format::json, false),
            R"({"time":"2026-11-21T10:00:00Z","level":"debug","msg":"say \"hi\"\n"})");
}

TEST(Log, LevelsFilter)
{
  Capture capture;
  set_level(Level::info);
  info("shown {}", 1);
  debug("hidden {}", 2);
  set_level(Level::debug);
  debug("shown {}", 3);
  const auto text = capture.text();
  EXPECT_NE(text.find("INFO["), std::string::npos);
  EXPECT_NE(text.find("shown 1"), std::string::npos);
  EXPECT_EQ(text.find("hidden 2"), std::string::npos);
  EXPECT_NE(text.find("DEBU["), std::string::npos);
}

TEST(Log, ParseLevel)
{
  EXPECT_EQ(parse_level("trace"), Level::trace);
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_EQ(parse_level("verbose"), std::nullopt);
}

} // namespace
} // namespace ocne::log
