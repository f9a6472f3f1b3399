#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace ocne::test {

std::optional<std::filesystem::path>
shared_dir()
{
  std::filesystem::path dir;
  if (const char* env = std::getenv("OCNE_SHARED_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = OCNE_TEST_SHARED_DIR;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(dir / "research", ec) || std::filesystem::is_directory(dir / "crds", ec)) {
    return std::filesystem::weakly_canonical(dir, ec);
  }
  return std::nullopt;
}

std::filesystem::path
shared_path(std::string_view relative)
{
  const auto dir = shared_dir();
  if (!dir) {
    throw std::logic_error(std::string(k_shared_absent) + ": " + std::string(relative) +
                           " was asked for by a test that did not call OCNE_REQUIRE_SHARED() first");
  }
  return *dir / relative;
}

void
check_shared_label()
{
  const char* label = std::getenv("OCNE_TEST_SHARED_LABEL");
  if (label != nullptr && std::string_view(label) == "0") {
    ADD_FAILURE() << "this test requires ../shared but is not labelled 'shared': add it to SHARED_TESTS of its "
                     "ocne_test() in CMake, so the run without ../shared in scripts/test.sh checks that it skips";
  }
}

std::filesystem::path
source_dir()
{
  if (const char* env = std::getenv("OCNE_SOURCE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return OCNE_TEST_SOURCE_DIR;
}

std::filesystem::path
binary_dir()
{
  return OCNE_TEST_BINARY_DIR;
}

} // namespace ocne::test
