#pragma once

// URL helpers: percent-encoding, query strings, parsing and redaction.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocne::http {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);
// Decodes %XX escapes (and '+' as space when form is true).
std::string url_decode(std::string_view s, bool form = false);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// "a=1&b=x%20y" from the pairs, in order; empty pairs list gives "".
std::string build_query(const QueryParams& params);
// base (with or without trailing '/') + path (with or without leading '/') + "?" + query.
std::string join_url(std::string_view base, std::string_view path, const QueryParams& params = {});

struct Url
{
  std::string scheme;
  std::string host; // without brackets for IPv6
  int port = 0;     // the explicit port, or 0
  std::string path; // "/" when empty
  std::string query;

  int effective_port() const;
  // host, plus ":port" when the port is explicit (the Host header value).
  std::string host_header() const;
  // path plus "?query" when there is one (the HTTP request target).
  std::string request_target() const;
};

Result<Url> parse_url(std::string_view url);

// A URL safe to log: user info dropped and the values of query parameters
// that may carry credentials replaced by "[redacted]".
std::string redact_url(std::string_view url);

} // namespace ocne::http
