#pragma once

// Sizes for people, in log lines and tables.

#include <cstdint>
#include <string>

namespace ocne::str {

// "512 B", "1.5 KiB", "3.2 GiB".
std::string human_bytes(std::uint64_t bytes);

} // namespace ocne::str
