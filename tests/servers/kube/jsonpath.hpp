#pragma once

// The JSONPath subset CRD printer columns use: .a.b, escaped dots
// (.metadata.labels.cluster\.x-k8s\.io/name), ['key'], [0], [*] and
// [?(@.type=="Ready")] filters.

#include "tests/servers/kube/json_util.hpp"

#include <optional>
#include <string>

namespace ocne::test::kube {

// The value at path: one match as it is, several as an array, none as nullopt.
std::optional<Json> jsonpath_find(const Json& root, const std::string& path);

} // namespace ocne::test::kube
