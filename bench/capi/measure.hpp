#pragma once

// The ocne binary run in a child process, its CPU time (user + system, from
// wait4) against the wall time: the test servers run in the benchmark's own
// process, so what the child spends is ocne's own work and the rest of the
// wall time is waiting for the (fake) controllers and the servers.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ocne::bench {

struct Measured
{
  int status = -1;
  double wall = 0;
  double cpu = 0;
};

// Runs ocne with args and exactly this environment (plus PATH); stderr goes
// to log, stdout to /dev/null.
Measured run_ocne(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env,
                  const std::filesystem::path& log);

// One line: wall = ocne CPU (share) + waiting.
void report(const char* what, const Measured& m);

} // namespace ocne::bench
