#pragma once

// Standard base64 with padding (RFC 4648 section 4), as Oxide's bulk writes
// expect it.

#include <span>
#include <string>

namespace ocne::oxide {

// Appends the encoding of data to out.
void base64_append(std::span<const char> data, std::string& out);
std::size_t base64_length(std::size_t raw_length);

} // namespace ocne::oxide
