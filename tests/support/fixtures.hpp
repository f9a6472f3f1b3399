#pragma once

// The test data checked in under tests/fixtures/<area>/ (golden files,
// example inputs, release files): data only, no code. Goldens are compared
// byte for byte, so read them as they are.

#include "tests/support/shared_dir.hpp"

#include <filesystem>
#include <string_view>

namespace ocne::test {

// tests/fixtures/<relative> in the source tree, e.g. fixture_path("templates")
// or fixture_path("diag/web.txt").
inline std::filesystem::path
fixture_path(std::string_view relative)
{
  return source_dir() / "tests" / "fixtures" / relative;
}

} // namespace ocne::test
