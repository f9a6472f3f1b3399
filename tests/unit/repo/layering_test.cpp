// Rules the build cannot enforce by itself: pkg/ never includes CLI11 and
// never writes to stdout (results are printed by cmd/ only).

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

} // namespace
} // namespace ocne::test
