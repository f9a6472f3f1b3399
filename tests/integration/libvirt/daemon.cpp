#include "tests/integration/libvirt/daemon.hpp"

#include "pkg/core/process.hpp"
#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace ocne::test {

namespace {

const fs::Path k_scripts = fs::Path(OCNE_TEST_SOURCE_DIR) / "tests/integration/libvirt";
const fs::Path k_build = fs::Path(OCNE_TEST_BINARY_DIR) / "tests";

std::string
last_line(const std::string& text)
{
  auto lines = str::split_trimmed(text, '\n');
  return lines.empty() ? "" : lines.back();
}

} // namespace

LibvirtDaemon&
LibvirtDaemon::get()
{
  static LibvirtDaemon* daemon = [] {
    auto* d = new LibvirtDaemon();
    d->start();
    std::atexit([] { LibvirtDaemon::get().stop(); });
    return d;
  }();
  return *daemon;
}

void
LibvirtDaemon::start()
{
  const fs::Path tools = OCNE_LIBVIRT_TOOLS_DIR;
  const fs::Path server = tools / "tests/servers/kube/ocne-kube-test-server";
  const fs::Path helper = tools / "tests/integration/libvirt/ocne-fake-ignition";
  auto image = run_process({.argv = {(k_scripts / "build-test-image.sh").string(),
                                     (k_build / "libvirt-test-image").string(), server.string(), helper.string()},
                            .timeout = std::chrono::minutes(5)});
  if (!image) {
    m_skip = "cannot run build-test-image.sh: " + image.error().message();
    return;
  }
  if (image->exit_code == 77) {
    m_skip = "no test image: " + last_line(image->err);
    return;
  }
  if (!image->ok()) {
    m_skip = "build-test-image.sh failed: " + image->err;
    return;
  }
  m_image = last_line(image->out);

  m_state = k_build / fmt::format("libvirt-daemon-{}", getpid());
  auto up = run_process({.argv = {(k_scripts / "libvirtd-up.sh").string(), m_state.string(),
                                  (k_build / "libvirt-cache").string()},
                         .timeout = std::chrono::minutes(2)});
  if (!up) {
    m_skip = "cannot run libvirtd-up.sh: " + up.error().message();
    return;
  }
  if (up->exit_code == 77) {
    m_skip = "no libvirt daemon: " + last_line(up->err);
    return;
  }
  m_started = true;
  if (!up->ok()) {
    m_skip = "libvirtd-up.sh failed: " + up->err;
    return;
  }
  for (const auto& line : str::split_trimmed(up->out, '\n')) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    if (key == "URI") {
      m_uri = value;
    } else if (key == "NETNS") {
      m_netns = value;
    }
  }
  // Join the daemon's network namespace: QEMU's port forwards and the
  // guests' addresses live there.
  m_host_netns = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const auto ns_path = "/run/netns/" + m_netns;
  const int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    m_skip = "cannot join the network namespace " + m_netns;
  }
  if (fd >= 0) {
    ::close(fd);
  }
  std::cerr << "libvirt test daemon: " << m_uri << " (netns " << m_netns << "), image " << m_image.string() << "\n";
}

void
LibvirtDaemon::stop()
{
  if (!m_started) {
    return;
  }
  m_started = false;
  if (m_host_netns >= 0) {
    (void)setns(m_host_netns, CLONE_NEWNET);
    ::close(m_host_netns);
    m_host_netns = -1;
  }
  (void)run_process({.argv = {(k_scripts / "libvirtd-down.sh").string(), m_state.string()},
                     .timeout = std::chrono::minutes(1)});
  std::error_code ec;
  if (std::getenv("OCNE_KEEP_LIBVIRT_STATE") == nullptr) {
    std::filesystem::remove_all(m_state, ec);
  }
}

} // namespace ocne::test
