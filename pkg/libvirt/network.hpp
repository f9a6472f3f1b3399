#pragma once

// Virtual networks and their DHCP leases.

#include "pkg/core/error.hpp"
#include "pkg/libvirt/handles.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocne::libvirt {

struct DhcpLease
{
  std::string interface; // bridge
  std::string mac;
  std::string ip;
  unsigned prefix = 0;
  std::string hostname;
  std::int64_t expiry = 0; // seconds since the epoch
};

// The first <ip> of a network: the host's address on it (the gateway).
struct NetworkAddress
{
  std::string address;
  std::string netmask; // IPv4 dotted, or empty
  unsigned prefix = 0; // or the prefix
  std::string family;  // "ipv4" (default) or "ipv6"
};

class Network
{
public:
  explicit Network(detail::Owned<_virNetwork> handle);

  const std::string&
  name() const
  {
    return m_name;
  }
  Result<bool> is_active() const;
  Result<std::string> xml() const;
  // The network's <ip> elements in document order.
  Result<std::vector<NetworkAddress>> addresses() const;
  Status start();
  Status stop();
  Status undefine();
  Status set_autostart(bool autostart);
  // Current leases of the network's DHCP server (optionally for one MAC).
  Result<std::vector<DhcpLease>> dhcp_leases(std::string_view mac = {}) const;

private:
  detail::Owned<_virNetwork> m_handle;
  std::string m_name;
};

} // namespace ocne::libvirt
