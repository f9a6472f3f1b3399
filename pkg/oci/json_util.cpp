#include "pkg/oci/json_util.hpp"

namespace ocne::oci::detail {

Result<json>
parse_json(std::string_view what, const std::string& body)
{
  if (body.empty()) {
    return json();
  }
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::internal, "{}: the answer is not JSON: {}", what, e.what());
  }
}

Result<json>
json_call(const Client& client,
          std::string_view what,
          std::string method,
          std::string url,
          const json* body,
          http::Headers extra_headers)
{
  http::Request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.headers = std::move(extra_headers);
  if (body != nullptr) {
    req.body = body->dump();
    req.headers.set("content-type", "application/json");
  }
  OCNE_TRY_ASSIGN(const auto response, client.call(what, std::move(req)));
  return parse_json(what, response.body);
}

Result<std::vector<json>>
list_all(const Client& client, std::string_view what, const std::string& base_url, http::QueryParams params)
{
  std::vector<json> out;
  std::string page;
  for (int n = 0;; ++n) {
    auto query = params;
    if (!page.empty()) {
      query.emplace_back("page", page);
    }
    http::Request req{ .method = "GET", .url = http::join_url(base_url, "", query) };
    OCNE_TRY_ASSIGN(const auto response, client.call(what, std::move(req)));
    OCNE_TRY_ASSIGN(const auto items, parse_json(what, response.body));
    if (!items.is_array()) {
      return make_error(ErrorKind::internal, "{}: expected a JSON list", what);
    }
    out.insert(out.end(), items.begin(), items.end());
    const auto next = response.header("opc-next-page");
    if (!next || next->empty()) {
      return out;
    }
    if (*next == page || n > 100000) {
      return make_error(ErrorKind::internal, "{}: the service keeps returning the same page", what);
    }
    page = *next;
  }
}

std::string
str_field(const json& j, const char* name)
{
  if (!j.is_object()) {
    return "";
  }
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return "";
  }
  return it->get<std::string>();
}

} // namespace ocne::oci::detail
