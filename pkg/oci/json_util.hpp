#pragma once

// Internal to pkg/oci: JSON calls and paging over opc-next-page.

#include "pkg/http/url.hpp"
#include "pkg/oci/client.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ocne::oci::detail {

using json = nlohmann::json;

// Parses a response body, naming `what` on failure.
Result<json> parse_json(std::string_view what, const std::string& body);

// A signed call with an optional JSON body; returns the parsed answer (null
// for an empty body).
Result<json> json_call(const Client& client,
                       std::string_view what,
                       std::string method,
                       std::string url,
                       const json* body = nullptr,
                       http::Headers extra_headers = {});

// GETs base + query, then every further page, and concatenates the arrays.
Result<std::vector<json>> list_all(const Client& client,
                                   std::string_view what,
                                   const std::string& base_url,
                                   http::QueryParams params);

// A string field, or "" when absent or null.
std::string str_field(const json& j, const char* name);

} // namespace ocne::oci::detail
