#pragma once

// Checks an Ignition config against the 3.x spec rules that Ignition itself
// enforces when a node boots, so a bad config fails on the host with a clear
// message instead of on a node that never comes up: known keys and types,
// the spec version, unique paths across files, directories and links, unique
// unit / drop-in / user / group names, unit suffixes, modes, source URL
// schemes, decodable data URLs, compression and verification hashes.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::ignition {

struct ValidateOptions
{
  // Require exactly 3.4.0 (what we emit). Otherwise any 3.0.0 .. 3.4.0.
  bool exact_version = true;
};

// Every problem found, each as "<json path>: <what is wrong>".
std::vector<std::string> validation_issues(std::string_view json_text, const ValidateOptions& options = {});

// OK, or an invalid_input error naming origin and the first problems.
Status validate(std::string_view json_text, std::string_view origin, const ValidateOptions& options = {});

} // namespace ocne::ignition
