#pragma once

// Regular expressions as the OpenAPI spec writes them (ECMA-262 flavour with
// look-ahead and look-behind). std::regex has no look-behind and recurses on
// long inputs, so patterns are compiled with PCRE2 once and cached.

#include <string>
#include <string_view>

namespace ocne::test::openapi {

// Whether `pattern` matches somewhere in `value` (JSON Schema semantics: the
// pattern is not implicitly anchored). A pattern that does not compile is
// reported as not matching, with the reason in *error when given.
bool pattern_matches(const std::string& pattern, std::string_view value, std::string* error = nullptr);

} // namespace ocne::test::openapi
