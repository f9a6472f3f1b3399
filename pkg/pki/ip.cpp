#include "pkg/pki/ip.hpp"

#include "pkg/core/strings.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ocne::pki {

std::optional<IpAddress>
IpAddress::parse(std::string_view text)
{
  const std::string s(str::trim(text));
  IpAddress out;
  if (inet_pton(AF_INET, s.c_str(), out.m_bytes.data()) == 1) {
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.m_bytes.data()) == 1) {
    out.m_v6 = true;
    return out;
  }
  return std::nullopt;
}

std::string
IpAddress::to_string() const
{
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(m_v6 ? AF_INET6 : AF_INET, m_bytes.data(), buffer, sizeof(buffer));
  return buffer;
}

std::string
IpAddress::url_host() const
{
  return m_v6 ? "[" + to_string() + "]" : to_string();
}

std::optional<IpAddress>
IpAddress::plus(std::uint64_t n) const
{
  IpAddress out = *this;
  const int last = m_v6 ? 15 : 3;
  std::uint64_t carry = n;
  for (int i = last; i >= 0 && carry != 0; --i) {
    const std::uint64_t sum = out.m_bytes[static_cast<std::size_t>(i)] + (carry & 0xff);
    out.m_bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum & 0xff);
    carry = (carry >> 8) + (sum >> 8);
  }
  if (carry != 0) {
    return std::nullopt;
  }
  return out;
}

IpAddress
IpAddress::masked(unsigned prefix) const
{
  IpAddress out = *this;
  const unsigned total = bits();
  for (unsigned bit = prefix; bit < total; ++bit) {
    out.m_bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return out;
}

Result<Cidr>
Cidr::parse(std::string_view text)
{
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return make_error(ErrorKind::invalid_input, "{} is not a CIDR block (expected address/prefix)", str::quote(text));
  }
  const auto address = IpAddress::parse(text.substr(0, slash));
  const auto prefix_text = text.substr(slash + 1);
  unsigned prefix = 0;
  const auto [end, ec] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (!address || ec != std::errc() || end != prefix_text.data() + prefix_text.size() || prefix > address->bits()) {
    return make_error(ErrorKind::invalid_input, "{} is not a CIDR block (expected address/prefix)", str::quote(text));
  }
  return Cidr{ address->masked(prefix), prefix };
}

Result<Cidr>
Cidr::from_netmask(const IpAddress& address, std::string_view netmask)
{
  const auto mask = IpAddress::parse(netmask);
  if (!mask || mask->is_v6() || address.is_v6()) {
    return make_error(ErrorKind::invalid_input, "{} is not an IPv4 netmask", str::quote(netmask));
  }
  const std::string m = mask->to_string();
  in_addr raw{};
  inet_pton(AF_INET, m.c_str(), &raw);
  const std::uint32_t value = ntohl(raw.s_addr);
  unsigned prefix = 0;
  while (prefix < 32 && (value & (0x80000000u >> prefix)) != 0) {
    ++prefix;
  }
  // Every bit after the first zero must be zero.
  if (prefix < 32 && (value & (0xffffffffu >> prefix)) != 0) {
    return make_error(ErrorKind::invalid_input, "{} is not a contiguous netmask", str::quote(netmask));
  }
  return Cidr{ address.masked(prefix), prefix };
}

bool
Cidr::contains(const IpAddress& address) const
{
  return address.is_v6() == network.is_v6() && address.masked(prefix) == network;
}

IpAddress
Cidr::first_host() const
{
  return network.plus(1).value_or(network);
}

std::string
Cidr::to_string() const
{
  return fmt::format("{}/{}", network.to_string(), prefix);
}

} // namespace ocne::pki
