#pragma once

// clusterctl's variable processing of components YAML: ${VAR},
// ${VAR:=default}, ${VAR:-default}, ${VAR=default}, "$$" for "$". A variable
// is missing when it is unset and the default text is empty (so ${X:-}
// needs a value while ${X:=""} gives the two characters ""). Every missing
// variable is reported at once; values never appear in errors.
//
// One deliberate difference: lines that start with '#' in the first column
// are comments outside any block scalar and are dropped before
// substitution, so a comment that mentions ${VAR} asks for nothing.

#include "pkg/core/error.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::clusterctl {

// A variable's value, or nullopt when it is unset.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

struct VariableUse
{
  std::string name;
  bool required = false; // some use has no default
  std::string default_text;
};

// The variables a components file uses, sorted by name.
Result<std::vector<VariableUse>> list_component_variables(std::string_view text, std::string_view source);

// Substitutes every reference. Errors name the source and, for syntax
// errors, the line; missing variables are listed together:
//   "core-components.yaml: missing variables: A, B"
Result<std::string> substitute_variables(std::string_view text, const Lookup& lookup, std::string_view source);

} // namespace ocne::clusterctl
