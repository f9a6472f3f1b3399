#pragma once

// Man pages in roff, one per command, from the command tree and the prose in
// docs/man/<page>.md. The tree gives NAME, the commands of a group and every
// option with its --help text, so a page cannot disagree with --help; the
// Markdown gives SYNOPSIS, DESCRIPTION, EXAMPLES, FILES and the other prose.
// The option bullets of the Markdown are for readers of the repository and
// are not used (only the paragraphs of its OPTIONS section are).

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ocne::cli {

struct ManPage
{
  std::string name; // "ocne-cluster-start", the file is <name>.1
  std::string roff;
};

// markdown(name) returns the Markdown source of a page, or "" when it has none.
std::vector<ManPage> man_pages(const CLI::App& root,
                               const std::function<std::string(const std::string&)>& markdown,
                               std::string_view version);

// Markdown inline text to roff: `code` and **bold** in bold, [text](link) as
// text, and the characters roff treats specially escaped.
std::string roff_inline(std::string_view markdown);

} // namespace ocne::cli
