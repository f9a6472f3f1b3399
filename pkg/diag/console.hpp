#pragma once

// `ocne cluster console`: a shell (or a command) on a node, through a
// privileged pod ocne starts there (host namespaces, the host's / at
// /hostroot) and an exec into it. The pod is labelled as ocne's, has a
// deadline, and is deleted when the session ends, however it ends; pods
// of runs that were killed are swept by the next run.

#include "pkg/core/error.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/exec.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ocne::diag {

struct ConsoleOptions
{
  std::string node;
  bool toolbox = false;             // the OCK toolbox image instead of Oracle Linux
  std::string image;                // any other image (--image); empty: by toolbox
  bool direct = false;              // chroot into the node's / first
  std::vector<std::string> command; // empty: a shell
  bool tty = false;
  std::string owner; // "<host>/<pid>" of this run
  int deadline_seconds = 4 * 3600;
  std::chrono::seconds start_timeout{ 300 };
};

// The pod that carries a console.
NodePodSpec console_pod(const ConsoleOptions& options);
// The command exec'd in it.
std::vector<std::string> console_command(const ConsoleOptions& options);

// Runs the session; returns the remote exit code.
Result<int> run_console(k8s::Client& client, const ConsoleOptions& options, const k8s::ExecSession::PumpIo& io);

} // namespace ocne::diag
