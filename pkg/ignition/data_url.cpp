#include "pkg/ignition/data_url.hpp"

#include "pkg/core/strings.hpp"

namespace ocne::ignition {

namespace {

constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 3986 unreserved characters plus a few sub-delimiters that are safe in
// the data part of a URL; everything else is %XX.
bool
is_plain(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '/' || c == ':' || c == '=' || c == '@' || c == '!' || c == '$' || c == '\'' ||
         c == '(' || c == ')' || c == '*' || c == '+' || c == ';';
}

std::string
percent_encode(std::string_view data)
{
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(data.size() * 3 / 2);
  for (const char ch : data) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_plain(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 0x0f]);
    }
  }
  return out;
}

int
hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

int
b64_value(char c)
{
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+' || c == '-') {
    return 62;
  }
  if (c == '/' || c == '_') {
    return 63;
  }
  return -1;
}

} // namespace

std::string
base64_encode(std::string_view data)
{
  std::string out;
  out.reserve(4 * ((data.size() + 2) / 3));
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                   static_cast<unsigned char>(data[i + 2]);
    out.push_back(k_b64[(n >> 18) & 63]);
    out.push_back(k_b64[(n >> 12) & 63]);
    out.push_back(k_b64[(n >> 6) & 63]);
    out.push_back(k_b64[n & 63]);
  }
  if (i + 1 == data.size()) {
    const auto n = static_cast<unsigned char>(data[i]) << 16;
    out.push_back(k_b64[(n >> 18) & 63]);
    out.push_back(k_b64[(n >> 12) & 63]);
    out += "==";
  } else if (i + 2 == data.size()) {
    const auto n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out.push_back(k_b64[(n >> 18) & 63]);
    out.push_back(k_b64[(n >> 12) & 63]);
    out.push_back(k_b64[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

Result<std::string>
base64_decode(std::string_view text)
{
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (c == '\n' || c == '\r') {
      continue;
    }
    const int v = b64_value(c);
    if (v < 0 || padding > 0) {
      return make_error(ErrorKind::invalid_input, "invalid base64 data");
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (padding > 2) {
    return make_error(ErrorKind::invalid_input, "invalid base64 data");
  }
  return out;
}

std::string
make_data_url(std::string_view contents)
{
  auto plain = percent_encode(contents);
  auto b64 = base64_encode(contents);
  if (b64.size() + 7 < plain.size()) {
    return "data:;base64," + b64;
  }
  return "data:," + plain;
}

Result<std::string>
decode_data_url(std::string_view url)
{
  if (!str::starts_with(url, "data:")) {
    return make_error(ErrorKind::invalid_input, "not a data URL");
  }
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) {
    return make_error(ErrorKind::invalid_input, "data URL has no ',' before its data");
  }
  const auto meta = url.substr(5, comma - 5);
  const auto data = url.substr(comma + 1);
  bool is_base64 = false;
  for (const auto& param : str::split(meta, ';')) {
    if (param == "base64") {
      is_base64 = true;
    }
  }
  // Percent-decode first (a base64 payload may itself be percent-encoded).
  std::string raw;
  raw.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '%') {
      if (i + 2 >= data.size() || hex_value(data[i + 1]) < 0 || hex_value(data[i + 2]) < 0) {
        return make_error(ErrorKind::invalid_input, "data URL has an invalid %-escape at offset {}", comma + 1 + i);
      }
      raw.push_back(static_cast<char>(hex_value(data[i + 1]) * 16 + hex_value(data[i + 2])));
      i += 2;
    } else {
      raw.push_back(data[i]);
    }
  }
  if (!is_base64) {
    return raw;
  }
  auto decoded = base64_decode(raw);
  if (!decoded) {
    return make_error(ErrorKind::invalid_input, "data URL has invalid base64 data");
  }
  return decoded;
}

} // namespace ocne::ignition
