#pragma once

// The string formats the Oxide spec uses ("uuid", "date-time", "ip", ...)
// and the integer ranges behind its integer formats ("uint32", "int64", ...).

#include <cstdint>
#include <optional>
#include <string_view>

namespace ocne::test::openapi {

// Whether value is a valid string of the format. Formats we do not know
// (and free-text ones like "uri") are accepted.
bool string_format_ok(std::string_view format, std::string_view value);

struct IntRange
{
  // Stored as long double so both int64 and uint64 bounds are exact.
  long double min;
  long double max;
};

// The range an integer format allows, or nullopt for unknown formats.
std::optional<IntRange> integer_format_range(std::string_view format);

bool is_uuid(std::string_view value);
bool is_rfc3339(std::string_view value);

} // namespace ocne::test::openapi
