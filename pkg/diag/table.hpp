#pragma once

// Left-aligned text columns separated by three spaces, as kubectl prints.

#include <string>
#include <vector>

namespace ocne::diag {

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::string& indent = "");

} // namespace ocne::diag
