#include "tests/e2e/libvirt/console.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/libvirt/xml.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ocne::test {

namespace {

std::optional<std::map<std::string, std::string>>
parse_report(const std::string& seen)
{
  const auto at = seen.find("OCNE-FAKE-NODE ");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const auto end = seen.find('\n', at);
  if (end == std::string::npos) {
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  for (const auto& item : str::split_trimmed(seen.substr(at + 15, end - at - 15), ' ')) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) {
      fields[item.substr(0, eq)] = std::string(str::trim(item.substr(eq + 1)));
    }
  }
  return fields;
}

} // namespace

// The serial console is read from its pty (the daemon shares /dev/pts with
// us) rather than through virDomainOpenConsole: a non-blocking libvirt stream
// only receives data while a libvirt event loop runs, which the tests do not
// have.
Result<std::map<std::string, std::string>>
read_node_report(const ocne::libvirt::Domain& domain, std::chrono::milliseconds timeout)
{
  OCNE_TRY_ASSIGN(auto xml, domain.xml());
  OCNE_TRY_ASSIGN(auto doc, ocne::libvirt::XmlDoc::parse(xml, "the XML of domain " + domain.name()));
  const auto pty = doc.text("/domain/devices/serial/source/@path");
  if (!pty || pty->empty()) {
    return make_error(ErrorKind::not_found, "domain {} has no serial pty", domain.name());
  }
  const int fd = ::open(pty->c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorKind::io, "cannot open the console {} of {}: {}", *pty, domain.name(), std::strerror(errno));
  }
  // Raw: no echo of the guest's output back into its serial input.
  termios tio{};
  if (tcgetattr(fd, &tio) == 0) {
    cfmakeraw(&tio);
    tcsetattr(fd, TCSANOW, &tio);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{ fd, POLLIN, 0 };
    if (::poll(&p, 1, 500) > 0) {
      char buffer[4096];
      const auto n = ::read(fd, buffer, sizeof(buffer));
      if (n > 0) {
        seen.append(buffer, static_cast<std::size_t>(n));
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        // EIO while QEMU has no reader yet; try again shortly.
        usleep(100000);
      }
    }
    if (auto report = parse_report(seen)) {
      ::close(fd);
      return *report;
    }
  }
  ::close(fd);
  return make_error(ErrorKind::timeout,
                    "no fake-node report from {} within the timeout; console tail: {}",
                    domain.name(),
                    seen.size() > 400 ? seen.substr(seen.size() - 400) : seen);
}

} // namespace ocne::test
