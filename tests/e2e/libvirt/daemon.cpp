#include "tests/e2e/libvirt/daemon.hpp"

#include "pkg/core/process.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/shared_dir.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace ocne::test {

namespace {

const fs::Path k_scripts = source_dir() / "tests/e2e/libvirt";
const fs::Path k_build = binary_dir() / "tests";

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

bool
LibvirtDaemon::record(const SetupOutcome& outcome)
{
  switch (outcome.verdict) {
    case SetupVerdict::ok:
      return true;
    case SetupVerdict::skip:
      m_skip = outcome.reason;
      break;
    case SetupVerdict::fail:
      m_failure = outcome.reason;
      break;
  }
  std::cerr << "libvirt test daemon: " << (outcome.verdict == SetupVerdict::fail ? "FAILED: " : "skipped: ")
            << outcome.reason << "\n";
  return false;
}

void
LibvirtDaemon::start()
{
  const bool ci = running_in_ci();
  const fs::Path tools = OCNE_LIBVIRT_TOOLS_DIR;
  const fs::Path server = tools / "tests/servers/kube/ocne-kube-test-server";
  const fs::Path helper = tools / "tests/e2e/libvirt/ocne-fake-ignition";
  auto image = run_process({ .argv = { (k_scripts / "build-test-image.sh").string(),
                                       (k_build / "libvirt-test-image").string(),
                                       server.string(),
                                       helper.string() },
                             .timeout = std::chrono::minutes(5) });
  if (!record(judge_setup_step("build-test-image.sh", image, ci))) {
    return;
  }
  m_image = last_line(image->out);

  m_state = k_build / fmt::format("libvirt-daemon-{}", getpid());
  auto up = run_process(
    { .argv = { (k_scripts / "libvirtd-up.sh").string(), m_state.string(), (k_build / "libvirt-cache").string() },
      .timeout = std::chrono::minutes(2) });
  // A failed start may have left daemons or a namespace behind: stop() runs
  // libvirtd-down.sh unless the script refused to start at all.
  m_started = up && up->exit_code != 77;
  if (!record(judge_setup_step("libvirtd-up.sh", up, ci))) {
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
  if (m_uri.empty() || m_netns.empty()) {
    record(setup_broken("libvirtd-up.sh printed no URI= or NETNS= line; stdout:\n" + up->out, ci));
    return;
  }
  // Join the daemon's network namespace: QEMU's port forwards and the
  // guests' addresses live there. The script made it as root, so failing
  // here is a broken setup, not a missing capability.
  m_host_netns = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const auto ns_path = "/run/netns/" + m_netns;
  const int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int joined = fd >= 0 ? setns(fd, CLONE_NEWNET) : -1;
  const int error = errno;
  if (fd >= 0) {
    ::close(fd);
  }
  if (joined != 0) {
    record(setup_broken(fmt::format("cannot join the network namespace {}: {}", ns_path, std::strerror(error)), ci));
    return;
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
  (void)run_process(
    { .argv = { (k_scripts / "libvirtd-down.sh").string(), m_state.string() }, .timeout = std::chrono::minutes(1) });
  std::error_code ec;
  if (std::getenv("OCNE_KEEP_LIBVIRT_STATE") == nullptr) {
    std::filesystem::remove_all(m_state, ec);
  }
}

} // namespace ocne::test
