#pragma once

// Data files compiled into the binary (templates/, providers/*/data/,
// pkg/*/data/). Link ocne_embedded to use these. Names are paths relative to
// the source root, e.g. "templates/capi-oci.yaml".

#include <optional>
#include <string_view>
#include <vector>

namespace ocne::embedded {

std::optional<std::string_view> find(std::string_view name);
std::vector<std::string_view> names();

} // namespace ocne::embedded
