#pragma once

// Unambiguous prefixes of command names work, as in ocne: "ocne clu sta"
// is "ocne cluster start". Rewrites argv in place before CLI11 sees it.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ocne::cli {

void expand_prefixes(const CLI::App& app, std::vector<std::string>& args);

} // namespace ocne::cli
