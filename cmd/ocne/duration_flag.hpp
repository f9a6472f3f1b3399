#pragma once

// Go-style durations for flags that take them as Oracle's ocne does
// ("30m", "90s", "1h30m", "500ms"): one or more <number><unit> with units
// h, m, s, ms. Anything else is an error naming the flag and the value.

#include "pkg/core/error.hpp"

#include <chrono>
#include <string_view>

namespace ocne::cli {

Result<std::chrono::milliseconds> parse_duration(std::string_view flag, std::string_view text);

} // namespace ocne::cli
