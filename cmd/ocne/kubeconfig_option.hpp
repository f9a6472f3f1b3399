#pragma once

// -k/--kubeconfig on every command, as Oracle's ocne accepts it: scripts
// written for it pass -k to any command.

#include <CLI/CLI.hpp>

namespace ocne::cli {

// Walks the finished command tree. A command that declares its own
// --kubeconfig keeps it; every other command gets one that it accepts and
// ignores, saying so in --help and its man page. On a command with
// subcommands (ocne, ocne cluster, ...) -k is handed to the subcommand that
// follows, unless that one is given its own -k: `ocne cluster -k F start`
// is `ocne cluster start -k F`.
void add_kubeconfig_everywhere(CLI::App& root);

} // namespace ocne::cli
