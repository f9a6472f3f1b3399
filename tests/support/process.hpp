#pragma once

// Runs the built ocne binary the way a user would, with its own OCNE_HOME
// and HOME so no test touches the real home.

#include "pkg/core/process.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ocne::test {

std::filesystem::path ocne_binary();

struct OcneRun
{
  int exit_code;
  std::string out;
  std::string err;
  int signal = 0; // the signal that ended it (exit_code is then -1)
};

// The environment run_ocne gives ocne: PATH and the sanitizer settings of
// this process, HOME=home, OCNE_HOME=home/.ocne, then env.
std::map<std::string, std::string> ocne_environment(const std::filesystem::path& home,
                                                    const std::map<std::string, std::string>& env);

// Runs ocne with args. home is used for HOME and home/.ocne for OCNE_HOME
// unless env overrides them; PATH is inherited; nothing else is.
// The run is killed after timeout.
OcneRun run_ocne(const std::vector<std::string>& args,
                 const std::filesystem::path& home,
                 const std::map<std::string, std::string>& env = {},
                 const std::string& stdin_data = {},
                 const std::filesystem::path& cwd = {},
                 std::chrono::seconds timeout = std::chrono::seconds(120));

// The same, with ocne started through a wrapper command (e.g. setpriv
// dropping capabilities): wrapper..., ocne, args...
OcneRun run_ocne_wrapped(const std::vector<std::string>& wrapper,
                         const std::vector<std::string>& args,
                         const std::filesystem::path& home,
                         const std::map<std::string, std::string>& env = {});

} // namespace ocne::test
