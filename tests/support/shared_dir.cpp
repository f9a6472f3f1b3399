#include "tests/support/shared_dir.hpp"

#include <cstdlib>

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
source_dir()
{
  if (const char* env = std::getenv("OCNE_SOURCE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return OCNE_TEST_SOURCE_DIR;
}

} // namespace ocne::test
