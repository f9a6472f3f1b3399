#pragma once

// Merging an Ignition config into another the way Ignition merges a child
// config into its parent (spec 3.x "config merging"): a child's scalar wins,
// objects merge field by field, and lists of keyed entries (files,
// directories and links by path, units, drop-ins, users and groups by name,
// ...) merge entry by entry; lists of strings are joined without repeats.

#include "pkg/core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace ocne::cluster_templates {

// Parses an extra Ignition config (spec 3.0.0 to 3.4.0, what the Ignition in
// OCK reads). origin names it in messages ("extraIgnition /path/x.ign").
Result<nlohmann::ordered_json> parse_extra_ignition(std::string_view text, std::string_view origin);

// Merges child into parent (parent's ignition.version is kept).
void merge_ignition(nlohmann::ordered_json& parent, const nlohmann::ordered_json& child);

} // namespace ocne::cluster_templates
