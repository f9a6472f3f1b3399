#pragma once

// User-supplied Ignition merged into every node's config: extraIgnition (a
// file, or a folder whose *.ign, *.json, *.bu, *.yaml and *.yml files are
// merged in name order) and extraIgnitionInline. Each piece is Ignition JSON
// of spec 3.0.0 to 3.4.0, or Butane YAML (variant/version keys, snake_case
// fields, contents.inline), which is translated and then checked like JSON.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::ignition {

struct ExtraIgnition
{
  std::string origin; // file path or "extraIgnitionInline"
  std::string json;   // validated Ignition JSON
};

// Parses one piece (JSON or Butane) and validates it.
Result<std::string> parse_extra_ignition(std::string_view text, std::string_view origin);

// Translates Butane YAML into Ignition JSON (not yet validated).
Result<std::string> butane_to_ignition(std::string_view yaml_text, std::string_view origin);

// Loads extraIgnition (path; file or folder, already resolved) and then the
// inline text, in that order. Empty inputs give an empty list.
Result<std::vector<ExtraIgnition>> load_extra_ignition(const fs::Path& path, std::string_view inline_text);

// Merges every piece into base (Ignition JSON) and validates the result.
Result<std::string> merge_extra(std::string base_json, const std::vector<ExtraIgnition>& extras);

} // namespace ocne::ignition
