#pragma once

// A real libvirt daemon with QEMU for the tests of this folder and the
// benchmarks: started once per test binary (libvirtd-up.sh: private network
// and mount namespaces), stopped at exit; plus the tiny test boot image
// (build-test-image.sh), built once and kept in the build tree.
//
// After start() the process has joined the daemon's network namespace, so
// the forwarded API ports and the guests' addresses are reachable from here
// and from child processes (the ocne binary).

#include "pkg/core/fs.hpp"
#include "tests/e2e/libvirt/setup_verdict.hpp"

#include <string>

namespace ocne::test {

class LibvirtDaemon
{
public:
  // Starts the daemon and builds the image once; later calls return the same.
  static LibvirtDaemon& get();

  // Empty when usable; else why not (for GTEST_SKIP): a capability that is
  // absent here, or (outside CI) a broken setup.
  const std::string&
  skip_reason() const
  {
    return m_skip;
  }
  // Empty unless the setup is broken under CI=true: its output (for FAIL).
  const std::string&
  failure() const
  {
    return m_failure;
  }
  const std::string&
  uri() const
  {
    return m_uri;
  }
  const std::string&
  netns() const
  {
    return m_netns;
  }
  const fs::Path&
  state_dir() const
  {
    return m_state;
  }
  // The test boot disk (UEFI, fake node initramfs).
  const fs::Path&
  boot_image() const
  {
    return m_image;
  }

  void stop();

private:
  LibvirtDaemon() = default;
  void start();
  // Keeps a skip or failure; true when the step went well.
  bool record(const SetupOutcome& outcome);

  std::string m_skip;
  std::string m_failure;
  std::string m_uri;
  std::string m_netns;
  fs::Path m_state;
  fs::Path m_image;
  bool m_started = false;
  // This process's own network namespace, to return to before stopping (the
  // stop script kills whatever is left in the daemon's namespace).
  int m_host_netns = -1;
};

} // namespace ocne::test

#define OCNE_REQUIRE_LIBVIRTD()                                                                                        \
  do {                                                                                                                 \
    if (!::ocne::test::LibvirtDaemon::get().failure().empty()) {                                                       \
      GTEST_FAIL() << "libvirt test daemon setup: " << ::ocne::test::LibvirtDaemon::get().failure();                   \
    }                                                                                                                  \
    if (!::ocne::test::LibvirtDaemon::get().skip_reason().empty()) {                                                   \
      GTEST_SKIP() << ::ocne::test::LibvirtDaemon::get().skip_reason();                                                \
    }                                                                                                                  \
  } while (false)
