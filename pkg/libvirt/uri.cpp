#include "pkg/libvirt/uri.hpp"

#include "pkg/core/strings.hpp"

#include <charconv>

namespace ocne::libvirt {

bool
Uri::is_local() const
{
  return host.empty() || host == "localhost" || host == "127.0.0.1" || host == "::1";
}

std::string
Uri::query_param(std::string_view name) const
{
  for (const auto& pair : str::split(query, '&')) {
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string::npos ? "" : pair.substr(eq + 1);
    }
  }
  return {};
}

Result<Uri>
parse_uri(std::string_view input)
{
  std::string text(str::trim(input));
  if (text.empty()) {
    text = std::string(k_default_uri);
  }
  if (text.find("://") == std::string::npos) {
    // ocne's shorthand: a bare [user@]host means the system daemon over SSH.
    if (text.find_first_of("/ ") != std::string::npos) {
      return make_error(ErrorKind::invalid_input,
                        "libvirt URI {} is neither a URI (qemu:///system, qemu+ssh://user@host/system) nor user@host",
                        str::quote(input));
    }
    text = "qemu+ssh://" + text + "/system";
  }
  Uri uri;
  uri.text = text;
  const auto scheme_end = text.find("://");
  const std::string scheme = text.substr(0, scheme_end);
  const auto plus = scheme.find('+');
  uri.driver = scheme.substr(0, plus);
  uri.transport = plus == std::string::npos ? "" : scheme.substr(plus + 1);
  std::string rest = text.substr(scheme_end + 3);
  if (const auto q = rest.find('?'); q != std::string::npos) {
    uri.query = rest.substr(q + 1);
    rest.resize(q);
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  uri.path = slash == std::string::npos ? "" : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    uri.user = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  // [v6]:port or host:port
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      return make_error(ErrorKind::invalid_input, "libvirt URI {} has an unterminated [IPv6] host", str::quote(input));
    }
    uri.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port_text = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.find(':'); colon != std::string::npos) {
    uri.host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  } else {
    uri.host = authority;
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return make_error(ErrorKind::invalid_input, "libvirt URI {} has an invalid port", str::quote(input));
    }
    uri.port = port;
  }
  if (uri.driver.empty()) {
    return make_error(ErrorKind::invalid_input, "libvirt URI {} has no driver (qemu://, test://)", str::quote(input));
  }
  return uri;
}

std::string
start_hint(const Uri& uri)
{
  if (uri.driver == "test") {
    return {};
  }
  const std::string socket = uri.query_param("socket");
  if (!socket.empty()) {
    return fmt::format("no libvirt daemon answers on the socket {}; start the daemon that owns it", socket);
  }
  if (!uri.is_local()) {
    const std::string login = (uri.user.empty() ? "" : uri.user + "@") + uri.host;
    const std::string port = uri.port != 0 ? fmt::format(" -p {}", uri.port) : "";
    return fmt::format("check that 'ssh{} {}' logs in without a prompt and that libvirtd runs there "
                       "('sudo systemctl start libvirtd' on {})",
                       port,
                       login,
                       uri.host);
  }
  if (uri.path == "/session") {
    return "the session daemon is started on demand: check that libvirt's daemon (Debian/Ubuntu: libvirt-daemon, "
           "Oracle Linux: libvirt) is installed, or use --session qemu:///system";
  }
  return "start it with 'sudo systemctl start libvirtd' (or 'sudo systemctl start virtqemud.socket "
         "virtnetworkd.socket virtstoraged.socket' on hosts with modular daemons) and check that your user may use "
         "it (group libvirt)";
}

} // namespace ocne::libvirt
