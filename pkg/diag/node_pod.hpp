#pragma once

// The privileged pod ocne runs on a node to reach it (cluster console and
// the node files of dump, info and analyze): host PID and network, the
// host's / at /hostroot, tolerating every taint, in ocne-system. It is
// labelled as ocne's (pod_hygiene.hpp), names its run in an owner
// annotation ("<host>/<pid>"), and has a deadline, so a pod whose run was
// killed stops by itself and the next run sweeps it.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ocne::diag {

inline constexpr const char* k_ocne_namespace = "ocne-system";
inline constexpr const char* k_owner_annotation = "ocne.oracle.com/owner"; // "<host>/<pid>"
// Oracle Linux 8 is preloaded on OCK nodes; the toolbox has more tools.
inline constexpr const char* k_node_pod_image = "container-registry.oracle.com/os/oraclelinux:8";
inline constexpr const char* k_toolbox_image = "container-registry.oracle.com/olcne/ock:toolbox";

struct NodePodSpec
{
  std::string node;
  std::string purpose;   // the ocne.oracle.com/purpose label and the name's prefix
  std::string container; // the container's name
  std::string image = k_node_pod_image;
  std::string owner; // "<host>/<pid>"; empty: this process
  int deadline_seconds = 3600;
  bool stdin = false;
  bool tty = false;
};

// "<host>/<pid>" of this process.
std::string this_run_owner();

// The pod (exposed for tests).
nlohmann::json node_pod(const NodePodSpec& spec, const std::string& name);

// Deletes ocne's pods in ocne-system that ended, and those of runs on this
// host (owner "<host>/<pid>") whose process is gone. Returns how many.
Result<int> sweep_pods(k8s::Client& client, const std::string& host);

// Creates ocne-system when missing and sweeps leftovers of killed runs on
// this host; once per run, before any NodePod::create.
Status prepare_node_pods(k8s::Client& client);

// One pod, deleted when this goes away, however the run ends (after
// Ctrl-C too).
class NodePod
{
public:
  static Result<std::unique_ptr<NodePod>> create(k8s::Client& client, NodePodSpec spec);
  ~NodePod();
  NodePod(const NodePod&) = delete;
  NodePod& operator=(const NodePod&) = delete;

  // Waits until the container runs.
  Status wait_running(std::chrono::seconds timeout);
  const std::string&
  name() const
  {
    return m_name;
  }
  const NodePodSpec&
  spec() const
  {
    return m_spec;
  }

private:
  NodePod(k8s::Client& client, NodePodSpec spec, std::string name);
  k8s::Client& m_client;
  NodePodSpec m_spec;
  std::string m_name;
};

} // namespace ocne::diag
