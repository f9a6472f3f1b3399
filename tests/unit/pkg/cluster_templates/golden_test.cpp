#include "pkg/core/fs.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/cluster_templates/reference_check.hpp"
#include "tests/unit/pkg/cluster_templates/support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace ocne::test {
namespace {

namespace stdfs = std::filesystem;

stdfs::path
testdata()
{
  return fixture_path("templates");
}

// Every *.cluster.yaml in the fixtures, plus the examples the README runs.
std::vector<std::pair<std::string, stdfs::path>>
cases()
{
  std::vector<std::pair<std::string, stdfs::path>> out;
  for (const auto& e : stdfs::directory_iterator(testdata())) {
    const auto name = e.path().filename().string();
    const std::string suffix = ".cluster.yaml";
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      out.emplace_back(name.substr(0, name.size() - suffix.size()), e.path());
    }
  }
  out.emplace_back("example-oci", source_dir() / "examples" / "oci.yaml");
  out.emplace_back("example-oxide", source_dir() / "examples" / "oxide.yaml");
  std::sort(out.begin(), out.end());
  return out;
}

void
compare_or_update(const stdfs::path& expected_path, const std::string& actual)
{
  if (const char* update = std::getenv("OCNE_UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    ASSERT_TRUE(fs::write_file_atomic(expected_path, actual));
    return;
  }
  auto expected = fs::read_file(expected_path);
  ASSERT_TRUE(expected) << expected.error().message() << " (run with OCNE_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(actual, *expected) << "rendering differs from " << expected_path
                               << " (run with OCNE_UPDATE_GOLDEN=1 to update it, then review the diff)";
}

class Golden : public TempDirTest
{};

TEST_F(Golden, EveryCaseRendersAsItsGoldenFile)
{
  const auto all = cases();
  ASSERT_GE(all.size(), 12U);
  for (const auto& [name, path] : all) {
    SCOPED_TRACE(name);
    auto result = render_file(path, dir());
    ASSERT_TRUE(result) << result.error().message();
    compare_or_update(testdata() / (name + ".expected.yaml"), result->yaml);
    compare_or_update(testdata() / (name + ".expected.notes"), notes_text(*result));
    EXPECT_EQ(check_references(result->yaml), std::vector<std::string>{});
  }
}

TEST_F(Golden, EveryGoldenFileHasACase)
{
  std::set<std::string> names;
  for (const auto& [name, path] : cases()) {
    names.insert(name);
  }
  for (const auto& e : stdfs::directory_iterator(testdata())) {
    const auto file = e.path().filename().string();
    const auto dot = file.find(".expected.");
    if (dot != std::string::npos) {
      EXPECT_EQ(names.count(file.substr(0, dot)), 1U) << file << " belongs to no case; delete it";
    }
  }
}

} // namespace
} // namespace ocne::test
