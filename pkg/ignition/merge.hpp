#pragma once

// Ignition's config merging (docs "Config Merging"): child values override
// parent values; lists of objects are deduplicated on their key (files,
// directories and links on path, across each other; units, drop-ins, users,
// groups on name; ...) and matching entries are merged field by field; lists
// of strings are unioned; argument lists (mkfs/mdadm/cryptsetup options) are
// appended.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::ignition {

// Both configs are Ignition JSON; the result keeps the parent's version.
// child_origin names the child in errors.
Result<std::string> merge_configs(std::string_view parent_json,
                                  std::string_view child_json,
                                  std::string_view child_origin);

} // namespace ocne::ignition
