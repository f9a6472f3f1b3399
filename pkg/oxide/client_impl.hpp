#pragma once

// Client internals shared by the client's source files: sending one call,
// turning Oxide error bodies into Errors, walking pages.

#include "pkg/http/url.hpp"
#include "pkg/oxide/client.hpp"

#include <nlohmann/json.hpp>

#include <atomic>

namespace ocne::oxide {

using json = nlohmann::json;

struct Call
{
  std::string method = "GET";
  std::string path; // "/v1/disks"
  http::QueryParams query;
  std::optional<std::string> body; // JSON text
  bool idempotent = false;
  std::string what; // "create disk "x" in project "k8s"", for messages
};

struct Answer
{
  long status = 0;
  std::string body;
  int attempts = 0;

  bool
  ok() const
  {
    return status >= 200 && status < 300;
  }
};

// The parts of Oxide's Error body.
struct ErrorBody
{
  std::string message;
  std::string error_code;
  std::string request_id;
};
ErrorBody parse_error_body(const std::string& body);
// A 2xx answer's body as JSON, or an error naming the call.
Result<json> parse_answer(const std::string& body, const std::string& what);

struct Client::Impl
{
  explicit Impl(ClientOptions opts);

  ClientOptions options;
  std::string host;
  http::Transport transport;
  std::atomic<bool> send_version{ true };

  // Any answer from the server, or a transport error.
  Result<Answer> send(const Call& call);
  // A 2xx answer's JSON (null for an empty body) or the error it carries.
  Result<json> call(const Call& call);
  Error api_error(const Call& call, const Answer& answer) const;
  // Every item of a paginated list.
  Result<std::vector<json>> list(const std::string& path, http::QueryParams query, const std::string& what);
};

// ?project= only when the object is named by name (an id must come alone).
http::QueryParams selector(const std::string& project, const std::string& name_or_id);

// JSON to objects (throwing nlohmann exceptions on a wrong shape; callers
// catch and report).
Project project_from(const json& j);
Vpc vpc_from(const json& j);
Subnet subnet_from(const json& j);
FirewallRule firewall_rule_from(const json& j);
json firewall_rule_to(const FirewallRule& rule);
Disk disk_from(const json& j);
Snapshot snapshot_from(const json& j);
Image image_from(const json& j);
Instance instance_from(const json& j);
FloatingIp floating_ip_from(const json& j);

// Converts a JSON answer to T, reporting a malformed answer as an error.
template<typename T, typename F>
Result<T>
decode(const json& j, F from, const std::string& what)
{
  try {
    return from(j);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::internal, "{}: unexpected answer from the Oxide API: {}", what, e.what());
  }
}

template<typename T, typename F>
Result<std::vector<T>>
decode_all(const std::vector<json>& items, F from, const std::string& what)
{
  std::vector<T> out;
  out.reserve(items.size());
  for (const auto& j : items) {
    OCNE_TRY_ASSIGN(auto item, decode<T>(j, from, what));
    out.push_back(std::move(item));
  }
  return out;
}

} // namespace ocne::oxide
