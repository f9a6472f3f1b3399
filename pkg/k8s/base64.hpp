#pragma once

// Standard base64 (RFC 4648 with padding), as Kubernetes uses for Secret
// data and kubeconfig *-data fields.

#include <optional>
#include <string>
#include <string_view>

namespace ocne::k8s {

std::string base64_encode(std::string_view data);
// nullopt when the input is not valid base64. Whitespace is ignored.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace ocne::k8s
