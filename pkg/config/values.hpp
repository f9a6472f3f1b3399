#pragma once

// Parsing and checking of value formats used in the configuration:
// Kubernetes quantities, CIDRs, IP addresses and names.

#include "pkg/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ocne::config {

// Bytes in a Kubernetes quantity: "20Gi", "4194304Ki", "8G", "512Mi",
// "1073741824". Fractions and exponents are not accepted (not needed here).
// The error says what is wrong with the text, without a key or file prefix.
Result<std::uint64_t> parse_quantity(std::string_view text);

inline constexpr std::uint64_t k_gib = 1ULL << 30;

// An IPv4 or IPv6 address.
bool is_ip_address(std::string_view text);
bool is_ipv6_address(std::string_view text);
// "10.244.0.0/16" or "fd00::/64": address and prefix length in range.
Status check_cidr(std::string_view text);
// A comma-separated list of CIDRs, at most one IPv4 and one IPv6.
Status check_cidr_list(std::string_view text);

// A DNS-1123 label: lowercase letters, digits and '-', starting and ending
// with a letter or digit, at most 63 characters.
bool is_dns_label(std::string_view text);
bool is_uuid(std::string_view text);

} // namespace ocne::config
