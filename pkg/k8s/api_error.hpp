#pragma once

// Turns the API server's error answers (a Status object) into ocne Errors
// with the kind callers branch on.

#include "pkg/core/error.hpp"
#include "pkg/http/request.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace ocne::k8s {

// "<what>: <the server's message>", kind from the HTTP status and reason.
Error api_error(const http::Response& response, std::string_view what);
// The same from a Status object (a watch ERROR event).
Error api_error_from_status(const nlohmann::json& status, std::string_view what);

} // namespace ocne::k8s
