#pragma once

// Runs qemu-img and qemu-io for the qcow2 tests; tests skip when the tools
// are missing (scripts/packages/oxide.txt installs qemu-utils).

#include "pkg/core/process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ocne::qcow2::test {

inline bool
have_qemu_tools()
{
  return program_exists("qemu-img") && program_exists("qemu-io");
}

#define OCNE_REQUIRE_QEMU_TOOLS()                                                                                      \
  do {                                                                                                                 \
    if (!::ocne::qcow2::test::have_qemu_tools()) {                                                                     \
      GTEST_SKIP() << "qemu-img/qemu-io not installed (package qemu-utils)";                                           \
    }                                                                                                                  \
  } while (false)

// Runs a command and fails the test with its stderr when it fails.
inline void
run(const std::vector<std::string>& argv)
{
  auto r = run_process(ProcessOptions{ .argv = argv });
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->exit_code, 0) << argv[0] << " failed: " << r->err << r->out;
}

inline std::string
slurp(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace ocne::qcow2::test
