#pragma once

// ../shared holds the contracts and fixtures (signing vectors, CRDs, the
// Oxide OpenAPI spec). CI always has it; a user's plain clone may not, and
// then tests that need it skip with the reason.
//
// A test that needs it says so where a skip ends the test: in its fixture's
// SetUp() or at the top of its body, with OCNE_REQUIRE_SHARED(); never in a
// helper whose return the body ignores (GTEST_SKIP() there returns from the
// helper only). It is also labelled `shared` in CMake (SHARED_TESTS of
// ocne_test), so scripts/test.sh can run exactly those tests once more
// without ../shared and check that each one skips; a test that requires
// ../shared without the label fails.

#include <filesystem>
#include <optional>
#include <string_view>

namespace ocne::test {

// The shared folder, or nothing when it is absent (for optional use).
std::optional<std::filesystem::path> shared_dir();
// A path below the shared folder, for tests that passed OCNE_REQUIRE_SHARED():
// throws std::logic_error (a test failure, not a crash) when it is absent.
std::filesystem::path shared_path(std::string_view relative);
// The source tree ($OCNE_SOURCE_DIR moves it) and the build tree. Only
// tests/support knows their paths at compile time, so a checkout in another
// folder shares ccache hits for every other test file.
std::filesystem::path source_dir();
std::filesystem::path binary_dir();

// Why a test skips without ../shared; scripts/skip-summary.sh counts it.
inline constexpr std::string_view k_shared_absent = "../shared is absent (set OCNE_SHARED_DIR)";

// Fails the running test when ctest says it is not labelled `shared`
// (OCNE_TEST_SHARED_LABEL=0) though it requires ../shared.
void check_shared_label();

} // namespace ocne::test

#define OCNE_REQUIRE_SHARED()                                                                                          \
  do {                                                                                                                 \
    ::ocne::test::check_shared_label();                                                                                \
    if (!::ocne::test::shared_dir()) {                                                                                 \
      GTEST_SKIP() << ::ocne::test::k_shared_absent << ": this test reads its contracts or manifests";                 \
    }                                                                                                                  \
  } while (false)
