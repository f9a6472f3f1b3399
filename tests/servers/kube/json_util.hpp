#pragma once

// JSON helpers shared by the Kubernetes test server: YAML or JSON bodies to
// nlohmann::json, base64, timestamps and uids. Internal to the server.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::test::kube {

using Json = nlohmann::json;

// Parses one JSON or YAML document (a body that starts with '{' is JSON).
// Throws std::invalid_argument naming the problem.
Json parse_json_or_yaml(std::string_view text);

// Every non-empty document of a multi-document YAML (or one JSON) text.
std::vector<Json> parse_documents(std::string_view text);

std::string base64_encode(std::string_view data);
// Standard alphabet with padding, the way Kubernetes encodes []byte.
std::optional<std::string> base64_decode(std::string_view text);

// "2024-05-01T10:20:30Z", the way metav1.Time is written.
std::string rfc3339_now();
// A random RFC 4122 version-4 uid.
std::string new_uid();

// obj[key] when obj is an object that has key, else nullptr.
const Json* child(const Json& obj, std::string_view key);
Json* child(Json& obj, std::string_view key);
// obj[key] as a string, or "" when absent or not a string.
std::string string_at(const Json& obj, std::string_view key);

// Go's %v of a JSON number or value, for messages ("1", "0.5", "true").
std::string go_value(const Json& value);
// Go's %q of a string.
std::string go_quote(std::string_view text);

} // namespace ocne::test::kube
