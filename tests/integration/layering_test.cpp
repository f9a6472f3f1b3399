// Rules the build cannot enforce by itself: pkg/ never includes CLI11 and
// never writes to stdout (results are printed by cmd/ only); nothing but the
// real clock puts a thread to sleep (waits go through pkg/core/poll.hpp).

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace ocne::test {
namespace {

std::vector<std::filesystem::path>
sources_under(const std::filesystem::path& root)
{
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(root)) {
    return out;
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc")) {
      out.push_back(e.path());
    }
  }
  return out;
}

TEST(Layering, LibrariesNeitherUseCli11NorPrintToStdout)
{
  const std::regex cli11(R"(#include\s*[<"]CLI/)");
  const std::regex forbidden(R"(std::cout|std::printf\s*\(|(^|[^a-z_:f])printf\s*\(|(^|[^a-z_])puts\s*\(|\bstdout\b)");
  // Words inside string literals print nothing ("stdout" is a query
  // parameter of the exec API).
  const std::regex literal(R"("([^"\\]|\\.)*")");
  int checked = 0;
  for (const auto* folder : { "pkg", "providers" }) {
    for (const auto& file : sources_under(source_dir() / folder)) {
      const auto text = fs::read_file(file);
      ASSERT_TRUE(text) << text.error().message();
      int line_no = 0;
      for (const auto& line : str::split(*text, '\n')) {
        ++line_no;
        const auto t = str::trim(line);
        if (str::starts_with(t, "//")) {
          continue;
        }
        const auto code = std::regex_replace(line, literal, "\"\"");
        EXPECT_FALSE(std::regex_search(line, cli11) || std::regex_search(code, forbidden))
          << file.string() << ":" << line_no << ": " << line;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

// A line of code that sleeps the thread itself instead of asking a Clock.
bool
sleeps_by_hand(const std::string& line)
{
  static const std::regex sleep(R"(this_thread\s*::\s*sleep_(for|until)\b)");
  static const std::regex literal(R"("([^"\\]|\\.)*")");
  if (str::starts_with(str::trim(line), "//")) {
    return false;
  }
  auto code = std::regex_replace(line, literal, "\"\"");
  code = code.substr(0, code.find("//"));
  return std::regex_search(code, sleep);
}

TEST(Layering, TheSleepRuleCanFail)
{
  EXPECT_TRUE(sleeps_by_hand("    std::this_thread::sleep_for(std::chrono::milliseconds(20));"));
  EXPECT_TRUE(sleeps_by_hand("  if (x) { std::this_thread::sleep_until(t); }"));
  EXPECT_FALSE(sleeps_by_hand("    sleep_for(clock_or_real(options.clock), delay);"));
  EXPECT_FALSE(sleeps_by_hand("// never std::this_thread::sleep_for here"));
  EXPECT_FALSE(sleeps_by_hand("  log::debug(\"std::this_thread::sleep_for\"); // std::this_thread::sleep_for"));
}

TEST(Layering, OnlyTheRealClockSleeps)
{
  const auto clock = std::filesystem::path("pkg") / "core" / "clock.cpp";
  int checked = 0;
  bool saw_clock = false;
  for (const auto* folder : { "cmd", "pkg", "providers" }) {
    for (const auto& file : sources_under(source_dir() / folder)) {
      if (file.lexically_relative(source_dir()) == clock) {
        saw_clock = true;
        continue;
      }
      const auto text = fs::read_file(file);
      ASSERT_TRUE(text) << text.error().message();
      int line_no = 0;
      for (const auto& line : str::split(*text, '\n')) {
        ++line_no;
        EXPECT_FALSE(sleeps_by_hand(line))
          << file.string() << ":" << line_no << ": sleeps by hand; wait with ocne::poll or ocne::sleep_for on a Clock";
      }
      ++checked;
    }
  }
  EXPECT_TRUE(saw_clock) << "the one allowed sleep moved: update this rule";
  EXPECT_GT(checked, 100);
}

} // namespace
} // namespace ocne::test
