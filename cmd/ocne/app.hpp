#pragma once

namespace ocne::cli {

// The whole program: parses argv, runs the command, prints one
// "ocne: error: ..." line per problem on failure. Returns the exit code.
int run(int argc, char** argv);

} // namespace ocne::cli
