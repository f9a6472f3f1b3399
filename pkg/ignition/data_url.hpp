#pragma once

// RFC 2397 data URLs, the way Ignition carries inline file contents:
// "data:,<percent-encoded>" or "data:;base64,<base64>".

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::ignition {

// The shorter of the percent-encoded and the base64 form (text usually
// percent-encodes shorter, binary data base64).
std::string make_data_url(std::string_view contents);

// The bytes a data URL stands for. Errors say what is wrong with it.
Result<std::string> decode_data_url(std::string_view url);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

} // namespace ocne::ignition
