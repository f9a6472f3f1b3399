#include "providers/libvirt/host.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/libvirt/xml.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace ocne::providers::libvirt {

using ocne::libvirt::XmlDoc;

DomainTypeChoice
choose_domain_type(std::string_view capabilities_xml, std::string_view arch)
{
  auto doc = XmlDoc::parse(capabilities_xml, "the host capabilities");
  if (!doc) {
    return { "qemu", "the host capabilities are unreadable" };
  }
  const auto kvm = doc->count(fmt::format("/capabilities/guest[arch/@name='{}']/arch/domain[@type='kvm']", arch));
  if (kvm == 0) {
    return { "qemu", "the hypervisor offers no kvm domains for " + std::string(arch) };
  }
  const auto host_arch = doc->text("/capabilities/host/cpu/arch").value_or("");
  if (host_arch == "x86_64" && arch == "x86_64") {
    // /dev/kvm can exist without VT-x/AMD-V (software KVM on cloud VMs);
    // such a KVM cannot run ordinary guests.
    const auto features = doc->texts("/capabilities/host/cpu/feature/@name");
    const bool vmx = std::find(features.begin(), features.end(), "vmx") != features.end();
    const bool svm = std::find(features.begin(), features.end(), "svm") != features.end();
    if (!vmx && !svm) {
      return { "qemu", "the host CPU has no hardware virtualisation (vmx/svm)" };
    }
  }
  return { "kvm", "" };
}

Result<HostFacts>
detect_host(const ocne::libvirt::Connection& connection, std::string_view forced_type, std::string_view forced_arch)
{
  OCNE_TRY_ASSIGN(auto caps, connection.capabilities());
  OCNE_TRY_ASSIGN(auto doc, XmlDoc::parse(caps, "the capabilities of " + connection.uri().text));
  HostFacts facts;
  facts.arch = forced_arch.empty() ? doc.text("/capabilities/host/cpu/arch").value_or("") : std::string(forced_arch);
  if (facts.arch != "x86_64" && facts.arch != "aarch64") {
    return make_error(ErrorKind::unavailable,
                      "the libvirt host {} has architecture {}; ocne runs x86_64 and aarch64 nodes",
                      connection.uri().text,
                      facts.arch.empty() ? "unknown" : facts.arch);
  }
  if (!forced_type.empty()) {
    if (forced_type != "kvm" && forced_type != "qemu") {
      return make_error(ErrorKind::invalid_input, "domain type {} is not kvm or qemu", str::quote(forced_type));
    }
    facts.domain_type = std::string(forced_type);
  } else {
    const auto choice = choose_domain_type(caps, facts.arch);
    facts.domain_type = choice.type;
    facts.why_not_kvm = choice.reason;
  }
  OCNE_TRY_ASSIGN(facts.memory, connection.host_memory());
  return facts;
}

Result<std::string>
host_address(const ocne::libvirt::Uri& uri)
{
  if (uri.is_local()) {
    return std::string("127.0.0.1");
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(uri.host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return make_error(
      ErrorKind::unavailable, "cannot resolve the libvirt host {} of {}: {}", uri.host, uri.text, gai_strerror(rc));
  }
  std::string v4;
  std::string v6;
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET && v4.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, buffer, sizeof(buffer));
      v4 = buffer;
    } else if (a->ai_family == AF_INET6 && v6.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, buffer, sizeof(buffer));
      v6 = buffer;
    }
  }
  freeaddrinfo(found);
  return v4.empty() ? v6 : v4;
}

bool
port_is_free(const std::string& address, unsigned port)
{
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return true; // not checkable here
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return true;
  }
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

} // namespace ocne::providers::libvirt
