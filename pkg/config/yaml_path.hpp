#pragma once

// Picks a value out of a YAML document by a dotted path, as
// `ocne cluster show -f config.providers.oci.compartment` does: key names
// match case-insensitively, numeric segments index lists, scalars come back
// as their text and mappings or lists as YAML.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::config {

Result<std::string> yaml_select(std::string_view yaml_text, std::string_view path);

} // namespace ocne::config
