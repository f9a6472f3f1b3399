#include "pkg/config/values.hpp"

#include "pkg/core/strings.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>

namespace ocne::config {

Result<std::uint64_t>
parse_quantity(std::string_view text)
{
  const auto t = str::trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) {
    return make_error(ErrorKind::invalid_input,
                      "{} is not a quantity (expected a whole number with an optional suffix such as Gi or Mi)",
                      str::quote(text));
  }
  std::uint64_t number = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + digits, number);
  if (ec != std::errc()) {
    return make_error(ErrorKind::invalid_input, "{} is too large", str::quote(text));
  }
  const auto suffix = t.substr(digits);
  struct Unit
  {
    std::string_view suffix;
    std::uint64_t factor;
  };
  static constexpr std::array<Unit, 13> k_units = { { { "", 1 },
                                                      { "Ki", 1ULL << 10 },
                                                      { "Mi", 1ULL << 20 },
                                                      { "Gi", 1ULL << 30 },
                                                      { "Ti", 1ULL << 40 },
                                                      { "Pi", 1ULL << 50 },
                                                      { "Ei", 1ULL << 60 },
                                                      { "k", 1000ULL },
                                                      { "M", 1000ULL * 1000 },
                                                      { "G", 1000ULL * 1000 * 1000 },
                                                      { "T", 1000ULL * 1000 * 1000 * 1000 },
                                                      { "P", 1000ULL * 1000 * 1000 * 1000 * 1000 },
                                                      { "E", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000 } } };
  for (const auto& unit : k_units) {
    if (suffix == unit.suffix) {
      if (unit.factor != 0 && number > UINT64_MAX / unit.factor) {
        return make_error(ErrorKind::invalid_input, "{} is too large", str::quote(text));
      }
      return number * unit.factor;
    }
  }
  return make_error(ErrorKind::invalid_input,
                    "{} has an unknown unit {} (use Ki, Mi, Gi, Ti or k, M, G, T)",
                    str::quote(text),
                    str::quote(suffix));
}

bool
is_ipv6_address(std::string_view text)
{
  in6_addr a6{};
  const std::string s(text);
  return ::inet_pton(AF_INET6, s.c_str(), &a6) == 1;
}

bool
is_ip_address(std::string_view text)
{
  in_addr a4{};
  const std::string s(text);
  return ::inet_pton(AF_INET, s.c_str(), &a4) == 1 || is_ipv6_address(text);
}

Status
check_cidr(std::string_view text)
{
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return make_error(
      ErrorKind::invalid_input, "{} is not a CIDR (expected address/prefix, e.g. 10.244.0.0/16)", str::quote(text));
  }
  const auto addr = text.substr(0, slash);
  const auto prefix_text = text.substr(slash + 1);
  const bool v6 = is_ipv6_address(addr);
  if (!v6 && !is_ip_address(addr)) {
    return make_error(
      ErrorKind::invalid_input, "{} is not a CIDR: {} is not an IP address", str::quote(text), str::quote(addr));
  }
  int prefix = -1;
  const auto [ptr, ec] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  const int max = v6 ? 128 : 32;
  if (ec != std::errc() || ptr != prefix_text.data() + prefix_text.size() || prefix < 0 || prefix > max) {
    return make_error(
      ErrorKind::invalid_input, "{} is not a CIDR: the prefix length must be 0 to {}", str::quote(text), max);
  }
  return {};
}

Status
check_cidr_list(std::string_view text)
{
  int v4 = 0;
  int v6 = 0;
  const auto parts = str::split(text, ',');
  for (const auto& raw : parts) {
    const auto part = str::trim(raw);
    if (part.empty()) {
      return make_error(ErrorKind::invalid_input, "{} has an empty entry", str::quote(text));
    }
    OCNE_TRY(check_cidr(part));
    (is_ipv6_address(part.substr(0, part.find('/'))) ? v6 : v4)++;
  }
  if (v4 > 1 || v6 > 1) {
    return make_error(ErrorKind::invalid_input,
                      "{} lists more than one IPv4 or IPv6 CIDR (at most one of each for dual stack)",
                      str::quote(text));
  }
  return {};
}

bool
is_dns_label(std::string_view text)
{
  if (text.empty() || text.size() > 63) {
    return false;
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(text.front()) || !alnum(text.back())) {
    return false;
  }
  for (const char c : text) {
    if (!alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool
is_uuid(std::string_view text)
{
  if (text.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

} // namespace ocne::config
