#pragma once

#include "cmd/ocne/context.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace ocne::cli {

// The whole program: parses argv, runs the command, prints one
// "ocne: error: ..." line per problem on failure. Returns the exit code.
int run(int argc, char** argv);

// Flags that every command shares, bound by build_command_tree.
struct GlobalOptions
{
  std::string level = "info";
  std::string format = "text";
};

// Adds every command and flag to app. run() parses with it; the man page and
// completion generator (docgen_main.cpp) reads it, so both follow --help.
void build_command_tree(CLI::App& app, Context& ctx, GlobalOptions& globals);

// What --version prints: "ocne version <version> (commit <sha>)".
std::string version_text();

// A shell completion script (shell is "bash", "zsh" or "fish") for the tree under root.
std::string completion_script(const CLI::App& root, const std::string& shell);

} // namespace ocne::cli
