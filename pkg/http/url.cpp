#include "pkg/http/url.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace ocne::http {

namespace {

bool
unreserved(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
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

bool
sensitive_param(std::string_view name)
{
  const auto lower = str::to_lower(name);
  constexpr std::array k_words = { "token",  "signature", "sig",        "password", "passwd",
                                   "secret", "key",       "credential", "auth" };
  for (const auto* w : k_words) {
    if (lower.find(w) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

std::string
url_encode(std::string_view s)
{
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (unreserved(c)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string
url_decode(std::string_view s, bool form)
{
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (form && s[i] == '+') ? ' ' : s[i];
  }
  return out;
}

std::string
build_query(const QueryParams& params)
{
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += url_encode(k);
    out += '=';
    out += url_encode(v);
  }
  return out;
}

std::string
join_url(std::string_view base, std::string_view path, const QueryParams& params)
{
  std::string out(base);
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  if (!path.empty() && path.front() != '/') {
    out += '/';
  }
  out += path;
  const auto query = build_query(params);
  if (!query.empty()) {
    out += (out.find('?') == std::string::npos) ? '?' : '&';
    out += query;
  }
  return out;
}

int
Url::effective_port() const
{
  if (port != 0) {
    return port;
  }
  return scheme == "https" ? 443 : 80;
}

std::string
Url::host_header() const
{
  const bool v6 = host.find(':') != std::string::npos;
  const auto h = v6 ? "[" + host + "]" : host;
  return port != 0 ? fmt::format("{}:{}", h, port) : h;
}

std::string
Url::request_target() const
{
  return query.empty() ? path : path + "?" + query;
}

Result<Url>
parse_url(std::string_view url)
{
  Url out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return make_error(ErrorKind::invalid_input, "{}: not a URL (expected scheme://host/path)", str::quote(url));
  }
  out.scheme = str::to_lower(url.substr(0, scheme_end));
  auto rest = url.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?#");
  auto authority = rest.substr(0, path_start);
  rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) {
    return make_error(ErrorKind::invalid_input, "{}: URL has no host", str::quote(url));
  }
  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::invalid_input, "{}: unterminated IPv6 address", str::quote(url));
    }
    out.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return make_error(ErrorKind::invalid_input, "{}: bad host", str::quote(url));
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (!port_text.empty()) {
    int port = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
      return make_error(ErrorKind::invalid_input, "{}: bad port {}", str::quote(url), str::quote(port_text));
    }
    out.port = port;
  }
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const auto q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) {
    out.query = std::string(rest.substr(q + 1));
  }
  if (out.path.empty()) {
    out.path = "/";
  }
  return out;
}

std::string
redact_url(std::string_view url)
{
  std::string out(url);
  // Drop user info: scheme://user:pass@host -> scheme://host
  if (const auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const auto authority_start = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?#", authority_start);
    const auto at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
    if (at != std::string::npos && at >= authority_start) {
      out.erase(authority_start, at + 1 - authority_start);
    }
  }
  const auto q = out.find('?');
  if (q == std::string::npos) {
    return out;
  }
  std::string result = out.substr(0, q + 1);
  bool first = true;
  for (const auto& pair : str::split(std::string_view(out).substr(q + 1), '&')) {
    if (!first) {
      result += '&';
    }
    first = false;
    const auto eq = pair.find('=');
    const auto name = std::string_view(pair).substr(0, eq);
    if (eq != std::string::npos && sensitive_param(url_decode(name))) {
      result += std::string(name) + "=[redacted]";
    } else {
      result += pair;
    }
  }
  return result;
}

} // namespace ocne::http
