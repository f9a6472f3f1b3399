#include "tests/servers/openapi/formats.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <string>

namespace ocne::test::openapi {

namespace {

bool
is_hex(char c)
{
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool
digits(std::string_view s, std::size_t pos, std::size_t count)
{
  if (pos + count > s.size()) {
    return false;
  }
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

int
number_at(std::string_view s, std::size_t pos, std::size_t count)
{
  int n = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    n = n * 10 + (s[i] - '0');
  }
  return n;
}

bool
is_ip(std::string_view value, int family)
{
  const std::string text(value);
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(family, text.c_str(), buffer) == 1;
}

} // namespace

bool
is_uuid(std::string_view value)
{
  if (value.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? value[i] != '-' : !is_hex(value[i])) {
      return false;
    }
  }
  return true;
}

// RFC 3339 date-time: 2026-11-21T10:00:00(.123)?(Z|+01:00).
bool
is_rfc3339(std::string_view v)
{
  if (!digits(v, 0, 4) || v.size() < 20 || v[4] != '-' || !digits(v, 5, 2) || v[7] != '-' || !digits(v, 8, 2) ||
      (v[10] != 'T' && v[10] != 't') || !digits(v, 11, 2) || v[13] != ':' || !digits(v, 14, 2) || v[16] != ':' ||
      !digits(v, 17, 2)) {
    return false;
  }
  const int month = number_at(v, 5, 2);
  const int day = number_at(v, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || number_at(v, 11, 2) > 23 || number_at(v, 14, 2) > 59 ||
      number_at(v, 17, 2) > 60) {
    return false;
  }
  std::size_t pos = 19;
  if (pos < v.size() && v[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < v.size() && std::isdigit(static_cast<unsigned char>(v[pos])) != 0) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  if (pos < v.size() && (v[pos] == 'Z' || v[pos] == 'z')) {
    return pos + 1 == v.size();
  }
  if (pos < v.size() && (v[pos] == '+' || v[pos] == '-')) {
    return pos + 6 == v.size() && digits(v, pos + 1, 2) && v[pos + 3] == ':' && digits(v, pos + 4, 2);
  }
  return false;
}

bool
string_format_ok(std::string_view format, std::string_view value)
{
  if (format == "uuid") {
    return is_uuid(value);
  }
  if (format == "date-time") {
    return is_rfc3339(value);
  }
  if (format == "ipv4") {
    return is_ip(value, AF_INET);
  }
  if (format == "ipv6") {
    return is_ip(value, AF_INET6);
  }
  if (format == "ip") {
    return is_ip(value, AF_INET) || is_ip(value, AF_INET6);
  }
  return true;
}

std::optional<IntRange>
integer_format_range(std::string_view format)
{
  if (format == "uint8") {
    return IntRange{ 0, 255 };
  }
  if (format == "uint16") {
    return IntRange{ 0, 65535 };
  }
  if (format == "uint32") {
    return IntRange{ 0, 4294967295.0L };
  }
  if (format == "uint64" || format == "uint") {
    return IntRange{ 0, 18446744073709551615.0L };
  }
  if (format == "int8") {
    return IntRange{ -128, 127 };
  }
  if (format == "int16") {
    return IntRange{ -32768, 32767 };
  }
  if (format == "int32") {
    return IntRange{ -2147483648.0L, 2147483647.0L };
  }
  if (format == "int64") {
    return IntRange{ -9223372036854775808.0L, 9223372036854775807.0L };
  }
  return std::nullopt;
}

} // namespace ocne::test::openapi
