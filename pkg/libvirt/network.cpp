#include "pkg/libvirt/network.hpp"

#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"
#include "pkg/libvirt/xml.hpp"

#include <libvirt/libvirt.h>

#include <charconv>
#include <cstdlib>

namespace ocne::libvirt {

Network::Network(detail::Owned<_virNetwork> handle) : m_handle(std::move(handle))
{
  const char* name = virNetworkGetName(m_handle.get());
  m_name = name != nullptr ? name : "";
}

Result<bool>
Network::is_active() const
{
  CallTimer timer;
  const int active = virNetworkIsActive(m_handle.get());
  if (active < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read network {}", m_name)));
  }
  return active == 1;
}

Result<std::string>
Network::xml() const
{
  CallTimer timer;
  char* xml = virNetworkGetXMLDesc(m_handle.get(), 0);
  if (xml == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot describe network {}", m_name)));
  }
  std::string out = xml;
  std::free(xml);
  return out;
}

Result<std::vector<NetworkAddress>>
Network::addresses() const
{
  CallTimer timer;
  OCNE_TRY_ASSIGN(auto text, xml());
  OCNE_TRY_ASSIGN(auto doc, XmlDoc::parse(text, fmt::format("the description of network {}", m_name)));
  std::vector<NetworkAddress> out;
  const auto count = doc.count("/network/ip");
  for (std::size_t i = 1; i <= count; ++i) {
    const auto at = [&](const char* attr) {
      return doc.text(fmt::format("/network/ip[{}]/@{}", i, attr)).value_or("");
    };
    NetworkAddress a;
    a.address = at("address");
    a.netmask = at("netmask");
    a.family = at("family");
    const auto prefix = at("prefix");
    std::from_chars(prefix.data(), prefix.data() + prefix.size(), a.prefix);
    if (a.family.empty()) {
      a.family = a.address.find(':') != std::string::npos ? "ipv6" : "ipv4";
    }
    out.push_back(std::move(a));
  }
  return out;
}

Status
Network::start()
{
  CallTimer timer;
  if (virNetworkCreate(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot start network {}", m_name)));
  }
  return {};
}

Status
Network::stop()
{
  CallTimer timer;
  if (virNetworkDestroy(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot stop network {}", m_name)));
  }
  return {};
}

Status
Network::undefine()
{
  CallTimer timer;
  if (virNetworkUndefine(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot undefine network {}", m_name)));
  }
  return {};
}

Status
Network::set_autostart(bool autostart)
{
  CallTimer timer;
  if (virNetworkSetAutostart(m_handle.get(), autostart ? 1 : 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot set autostart on network {}", m_name)));
  }
  return {};
}

Result<std::vector<DhcpLease>>
Network::dhcp_leases(std::string_view mac) const
{
  CallTimer timer;
  virNetworkDHCPLeasePtr* leases = nullptr;
  const std::string m(mac);
  const int n = virNetworkGetDHCPLeases(m_handle.get(), m.empty() ? nullptr : m.c_str(), &leases, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read the DHCP leases of network {}", m_name)));
  }
  std::vector<DhcpLease> out;
  for (int i = 0; i < n; ++i) {
    const auto* l = leases[i];
    DhcpLease lease;
    lease.interface = l->iface != nullptr ? l->iface : "";
    lease.mac = l->mac != nullptr ? l->mac : "";
    lease.ip = l->ipaddr != nullptr ? l->ipaddr : "";
    lease.prefix = l->prefix;
    lease.hostname = l->hostname != nullptr ? l->hostname : "";
    lease.expiry = l->expirytime;
    out.push_back(std::move(lease));
    virNetworkDHCPLeaseFree(leases[i]);
  }
  std::free(leases);
  return out;
}

} // namespace ocne::libvirt
