#pragma once

// Small string helpers that the standard library lacks.

#include <string>
#include <string_view>
#include <vector>

namespace ocne::str {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
// Splits on every occurrence of sep; "a,,b" gives {"a", "", "b"}; "" gives {""}.
std::vector<std::string> split(std::string_view s, char sep);
// Splits on sep, trims each part and drops empty ones: " a, ,b " gives {"a", "b"}.
std::vector<std::string> split_trimmed(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);
// Quotes a value for an error message: 'abc', with control characters escaped.
std::string quote(std::string_view s);

} // namespace ocne::str
