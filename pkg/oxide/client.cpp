#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oxide/client_impl.hpp"

namespace ocne::oxide {

namespace {

http::TransportOptions
transport_options(const ClientOptions& o)
{
  http::TransportOptions t;
  t.tls = o.tls;
  t.retry = o.retry;
  t.timeout = o.timeout;
  t.log_name = "oxide";
  return t;
}

ErrorKind
kind_for(long status, const std::string& code)
{
  if (status == 401 || status == 403) {
    return ErrorKind::auth;
  }
  if (status == 404) {
    return ErrorKind::not_found;
  }
  if (code == "ObjectAlreadyExists") {
    return ErrorKind::already_exists;
  }
  if (status == 409) {
    return ErrorKind::conflict;
  }
  if (status == 408 || status == 429 || status >= 500) {
    return ErrorKind::transient;
  }
  return ErrorKind::invalid_input;
}

} // namespace

std::string
normalize_host(std::string_view host)
{
  std::string h(str::trim(host));
  while (!h.empty() && h.back() == '/') {
    h.pop_back();
  }
  if (!h.empty() && h.find("://") == std::string::npos) {
    h = "https://" + h;
  }
  return h;
}

bool
looks_like_uuid(std::string_view s)
{
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

bool
valid_name(std::string_view s)
{
  if (s.empty() || s.size() > 63 || s.front() < 'a' || s.front() > 'z' || s.back() == '-' || looks_like_uuid(s)) {
    return false;
  }
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') {
      return false;
    }
  }
  return true;
}

ErrorBody
parse_error_body(const std::string& body)
{
  ErrorBody e;
  try {
    const auto j = json::parse(body);
    if (j.is_object()) {
      e.message = j.value("message", "");
      e.error_code = j.contains("error_code") && j["error_code"].is_string() ? j["error_code"].get<std::string>() : "";
      e.request_id = j.value("request_id", "");
      return e;
    }
  } catch (const json::exception&) {
  }
  // Not Oxide's body (a proxy's page?): keep a short, printable start.
  std::string text(str::trim(body.substr(0, 200)));
  for (auto& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = ' ';
    }
  }
  e.message = text.empty() ? "no error details in the answer" : text;
  return e;
}

Result<json>
parse_answer(const std::string& body, const std::string& what)
{
  if (body.empty()) {
    return json();
  }
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::internal, "{}: the Oxide API answered with invalid JSON: {}", what, e.what());
  }
}

http::QueryParams
selector(const std::string& project, const std::string& name_or_id)
{
  if (looks_like_uuid(name_or_id) || project.empty()) {
    return {};
  }
  return { { "project", project } };
}

Client::Impl::Impl(ClientOptions opts)
  : options(std::move(opts)), host(normalize_host(options.host)), transport(transport_options(options))
{
  send_version = options.api_version.has_value() && !options.api_version->empty();
}

Result<Answer>
Client::Impl::send(const Call& call)
{
  if (host.empty()) {
    return make_error(ErrorKind::invalid_input, "{}: no Oxide API host is set", call.what);
  }
  if (options.token.empty()) {
    return make_error(ErrorKind::auth, "{}: no Oxide API token is set", call.what);
  }
  for (int round = 0; round < 2; ++round) {
    const bool with_version = send_version.load();
    http::Request r;
    r.method = call.method;
    r.url = http::join_url(host, call.path, call.query);
    r.idempotent = call.idempotent;
    r.headers.set("Accept", "application/json");
    if (with_version) {
      r.headers.set("api-version", *options.api_version);
    }
    if (call.body) {
      r.body = *call.body;
      r.headers.set("Content-Type", "application/json");
    }
    // The token is added per attempt and never stored in the request we log.
    const Secret& token = options.token;
    r.before_send = [&token](http::Request& req) -> Status {
      req.headers.set("Authorization", "Bearer " + token.reveal());
      return {};
    };
    auto response = transport.send(std::move(r));
    if (!response) {
      return make_error(response.error().with_context(call.what));
    }
    Answer a{ response->status, std::move(response->body), response->attempts };
    // A rack older than our api-version says so with a 400 ("server does not
    // support this API version: ..." or "bad value for header
    // \"api-version\""): try once more without it, and from then on never send it.
    const auto message = a.status == 400 && with_version ? parse_error_body(a.body).message : std::string();
    if (message.find("api-version") != std::string::npos || message.find("API version") != std::string::npos) {
      log::warn(
        "oxide: {} rejected api-version {}; retrying without the header ({})", host, *options.api_version, message);
      send_version = false;
      continue;
    }
    return a;
  }
  return make_error(ErrorKind::internal, "{}: api-version fallback loop", call.what);
}

Error
Client::Impl::api_error(const Call& call, const Answer& a) const
{
  const auto e = parse_error_body(a.body);
  std::string detail = fmt::format("HTTP {}", a.status);
  if (!e.error_code.empty()) {
    detail += ", " + e.error_code;
  }
  if (!e.request_id.empty()) {
    detail += ", request id " + e.request_id;
  }
  if (a.attempts > 1) {
    detail += fmt::format(", after {} attempts", a.attempts);
  }
  std::string message = fmt::format("{}: {} ({})", call.what, e.message, detail);
  if (a.status == 401) {
    message += fmt::format("; the Oxide API at {} refused the token", host);
  }
  return Error(kind_for(a.status, e.error_code), std::move(message));
}

Result<json>
Client::Impl::call(const Call& c)
{
  OCNE_TRY_ASSIGN(const auto a, send(c));
  if (!a.ok()) {
    return make_error(api_error(c, a));
  }
  return parse_answer(a.body, c.what);
}

Result<std::vector<json>>
Client::Impl::list(const std::string& path, http::QueryParams query, const std::string& what)
{
  std::vector<json> items;
  std::string token;
  query.emplace_back("limit", std::to_string(options.page_limit));
  for (int page = 0; page < 100000; ++page) {
    Call c;
    c.path = path;
    c.query = query;
    c.idempotent = true;
    c.what = what;
    if (!token.empty()) {
      c.query.emplace_back("page_token", token);
    }
    OCNE_TRY_ASSIGN(const auto j, call(c));
    try {
      for (const auto& item : j.at("items")) {
        items.push_back(item);
      }
      const auto next = j.contains("next_page") && j["next_page"].is_string() ? j["next_page"].get<std::string>() : "";
      // Stop at the end, and also if a server repeats a token.
      if (next.empty() || next == token) {
        return items;
      }
      token = next;
    } catch (const json::exception& e) {
      return make_error(ErrorKind::internal, "{}: unexpected answer from the Oxide API: {}", what, e.what());
    }
  }
  return make_error(ErrorKind::internal, "{}: too many pages", what);
}

Client::Client(ClientOptions options) : m_impl(std::make_unique<Impl>(std::move(options)))
{
}

Client::~Client() = default;

const std::string&
Client::host() const
{
  return m_impl->host;
}

Result<std::string>
Client::current_user()
{
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/me", .idempotent = true, .what = "check the Oxide token" }));
  return j.value("display_name", std::string());
}

} // namespace ocne::oxide
