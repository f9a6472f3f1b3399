#pragma once

// Every environment variable ocne reads, with what it does: `ocne info`
// prints this table (names and whether set, never values) and
// docs/configuration.md shows the same rows; tests keep the two, and the
// variables the code reads, equal.

#include <string_view>
#include <vector>

namespace ocne::config {

struct EnvironmentVariable
{
  std::string_view name;
  std::string_view effect; // one line of Markdown, as in docs/configuration.md
};

const std::vector<EnvironmentVariable>& environment_variables();

} // namespace ocne::config
