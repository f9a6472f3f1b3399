#include "pkg/oci/client.hpp"

#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

namespace ocne::oci {

namespace {

ErrorKind
kind_for(long status, const std::string& code)
{
  if (status == 400 || status == 411 || status == 413) {
    return ErrorKind::invalid_input;
  }
  if (status == 401 || status == 403) {
    return ErrorKind::auth;
  }
  if (status == 404) {
    return ErrorKind::not_found;
  }
  if (status == 409 || status == 412) {
    return code.find("AlreadyExists") != std::string::npos ? ErrorKind::already_exists : ErrorKind::conflict;
  }
  if (status == 408 || status == 429 || status >= 500) {
    return ErrorKind::transient;
  }
  return ErrorKind::internal;
}

} // namespace

http::TransportOptions
default_transport_options()
{
  http::TransportOptions o;
  o.retry.max_attempts = 6;
  o.retry.initial_backoff = std::chrono::milliseconds(500);
  o.retry.max_backoff = std::chrono::milliseconds(30000);
  o.retry.max_retry_after = std::chrono::milliseconds(60000);
  o.idle_timeout = std::chrono::milliseconds(120000);
  o.log_name = "oci";
  o.log_headers = { "opc-request-id", "opc-work-request-id" };
  return o;
}

Client::Client(Signer signer, Endpoints endpoints, http::TransportOptions transport)
  : m_signer(std::move(signer)),
    m_endpoints(std::move(endpoints)),
    m_transport(std::make_shared<http::Transport>(std::move(transport)))
{
}

Result<http::Response>
Client::send(http::Request request, BodySigning mode) const
{
  OCNE_TRY(m_signer.prepare(request, mode));
  auto user_hook = std::move(request.before_send);
  const Signer signer = m_signer;
  request.before_send = [signer, mode, user_hook](http::Request& r) -> Status {
    if (user_hook) {
      OCNE_TRY(user_hook(r));
    }
    return signer.sign(r, mode, std::chrono::system_clock::now());
  };
  if (!request.headers.has("accept")) {
    request.headers.set("accept", "application/json");
  }
  return m_transport->send(std::move(request));
}

Result<http::Response>
Client::call(std::string_view what, http::Request request, BodySigning mode) const
{
  OCNE_TRY_ASSIGN(auto response, send(std::move(request), mode));
  if (!response.ok()) {
    return make_error(api_error(what, response));
  }
  return response;
}

Error
Client::api_error(std::string_view what, const http::Response& response) const
{
  std::string code;
  std::string message;
  try {
    const auto body = nlohmann::json::parse(response.body);
    if (body.is_object()) {
      code = body.value("code", std::string());
      message = body.value("message", std::string());
    }
  } catch (const nlohmann::json::exception&) {
    message = std::string(str::trim(response.body.substr(0, 200)));
  }
  std::string text = fmt::format("{}: HTTP {}", what, response.status);
  if (!code.empty()) {
    text += " " + code;
  }
  if (!message.empty()) {
    // OCI messages can span lines; an error stays one line.
    text += ": " + str::replace_all(str::trim(message), "\n", " ");
  }
  if (auto id = response.header("opc-request-id")) {
    text += fmt::format(" (opc-request-id {})", *id);
  }
  if (response.status == 401) {
    text += "; " + m_signer.auth_hint();
  }
  return Error(kind_for(response.status, code), std::move(text));
}

} // namespace ocne::oci
