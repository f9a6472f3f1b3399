#pragma once

// `ocne cluster console`: a shell (or a command) on a node, through a
// privileged pod ocne starts there (host namespaces, the host's / at
// /hostroot) and an exec into it. The pod is labelled as ocne's, has a
// deadline, and is deleted when the session ends, however it ends; pods
// of runs that were killed are swept by the next run.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/exec.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace ocne::diag {

inline constexpr const char* k_ocne_namespace = "ocne-system";
inline constexpr const char* k_owner_annotation = "ocne.oracle.com/owner"; // "<host>/<pid>"

struct ConsoleOptions
{
  std::string node;
  bool toolbox = false; // the OCK toolbox image instead of Oracle Linux
  bool direct = false;  // chroot into the node's / first
  std::vector<std::string> command; // empty: a shell
  bool tty = false;
  std::string owner; // "<host>/<pid>" of this run
  int deadline_seconds = 4 * 3600;
  std::chrono::seconds start_timeout{ 300 };
};

// The pod that carries a console (exposed for tests).
nlohmann::json console_pod(const ConsoleOptions& options, const std::string& name);
// The command exec'd in it.
std::vector<std::string> console_command(const ConsoleOptions& options);

// Deletes ocne's pods in ocne-system that ended, and those of runs on this
// host (owner "<host>/<pid>") whose process is gone. Returns how many.
Result<int> sweep_pods(k8s::Client& client, const std::string& host);

// Runs the session; returns the remote exit code.
Result<int> run_console(k8s::Client& client, const ConsoleOptions& options, const k8s::ExecSession::PumpIo& io);

} // namespace ocne::diag
