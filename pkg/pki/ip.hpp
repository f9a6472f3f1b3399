#pragma once

// IPv4/IPv6 addresses and CIDR blocks, for certificate SANs (the first
// service IP), virtual IP allocation and kubeconfig URLs.

#include "pkg/core/error.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocne::pki {

class IpAddress
{
public:
  static std::optional<IpAddress> parse(std::string_view text);

  bool
  is_v6() const
  {
    return m_v6;
  }
  std::string to_string() const;
  // "[::1]" for IPv6, the plain address for IPv4 (for URLs).
  std::string url_host() const;

  // The address n further on; nullopt on overflow.
  std::optional<IpAddress> plus(std::uint64_t n) const;
  // This address with every bit after prefix cleared.
  IpAddress masked(unsigned prefix) const;
  unsigned
  bits() const
  {
    return m_v6 ? 128 : 32;
  }

  bool operator==(const IpAddress&) const = default;
  auto operator<=>(const IpAddress&) const = default;

private:
  bool m_v6 = false;
  std::array<std::uint8_t, 16> m_bytes{}; // IPv4 uses the first 4
};

struct Cidr
{
  IpAddress network;
  unsigned prefix = 0;

  // "10.96.0.0/12"; the host part may be set ("192.168.122.1/24").
  static Result<Cidr> parse(std::string_view text);
  // From an address and a dotted netmask ("255.255.255.0").
  static Result<Cidr> from_netmask(const IpAddress& address, std::string_view netmask);

  bool contains(const IpAddress& address) const;
  // network + 1 (the kubernetes service IP of a service subnet).
  IpAddress first_host() const;
  std::string to_string() const;
};

} // namespace ocne::pki
