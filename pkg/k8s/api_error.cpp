#include "pkg/k8s/api_error.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

namespace ocne::k8s {

using nlohmann::json;

namespace {

ErrorKind
kind_for(long code, std::string_view reason)
{
  switch (code) {
    case 400:
    case 422:
      return ErrorKind::invalid_input;
    case 401:
    case 403:
      return ErrorKind::auth;
    case 404:
      return ErrorKind::not_found;
    case 409:
      return reason == "AlreadyExists" ? ErrorKind::already_exists : ErrorKind::conflict;
    case 410:
      return ErrorKind::conflict;
    case 408:
    case 429:
      return ErrorKind::transient;
    default:
      break;
  }
  if (code >= 500) {
    return ErrorKind::transient;
  }
  return code >= 400 ? ErrorKind::invalid_input : ErrorKind::internal;
}

Error
from_parts(long code, const std::string& reason, const std::string& message, std::string_view what)
{
  std::string text = message;
  if (text.empty()) {
    text = reason.empty() ? fmt::format("HTTP {}", code) : fmt::format("HTTP {} {}", code, reason);
  }
  return Error(kind_for(code, reason), fmt::format("{}: {}", what, text));
}

} // namespace

Error
api_error_from_status(const json& status, std::string_view what)
{
  const long code = status.is_object() ? status.value("code", 0L) : 0L;
  return from_parts(code, string_at(status, "/reason"), string_at(status, "/message"), what);
}

Error
api_error(const http::Response& response, std::string_view what)
{
  json status;
  try {
    status = json::parse(response.body);
  } catch (const json::exception&) {
    // Not a Status (a proxy or load balancer answered): show the start of it.
    auto snippet = std::string(str::trim(response.body.substr(0, 200)));
    for (auto& c : snippet) {
      if (c == '\n' || c == '\r') {
        c = ' ';
      }
    }
    return from_parts(
      response.status, "", snippet.empty() ? "" : fmt::format("HTTP {}: {}", response.status, snippet), what);
  }
  return from_parts(response.status, string_at(status, "/reason"), string_at(status, "/message"), what);
}

} // namespace ocne::k8s
