#pragma once

// ../shared holds the contracts and fixtures (signing vectors, CRDs, the
// Oxide OpenAPI spec). CI always has it; a user's plain clone may not, and
// then tests that need it skip with the reason.

#include <filesystem>
#include <optional>

namespace ocne::test {

std::optional<std::filesystem::path> shared_dir();
std::filesystem::path source_dir();

} // namespace ocne::test

#define OCNE_REQUIRE_SHARED()                                                                      \
  do {                                                                                             \
    if (!::ocne::test::shared_dir()) {                                                             \
      GTEST_SKIP() << "../shared is absent (set OCNE_SHARED_DIR): this test needs its contracts"; \
    }                                                                                              \
  } while (false)
