#pragma once

// `ocne node update` for clusters whose OCK nodes swap their OS in place:
// for one node (or every node, control planes first, one at a time), check
// that an update is staged, cordon it (with a journal on the Node), drain
// it through the eviction API, deploy the staged ostree commit, reboot it
// through a named systemd timer, wait for a new boot id, Ready and the
// target kubelet version, and only then uncordon it. A run killed at any
// moment is continued by the next one (docs/upgrade.md, "node update").

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/drain.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::upgrade {

struct NodeUpdateOptions
{
  std::string node; // a node's name, or "all"
  k8s::DrainOptions drain;
  // Update even when no update is announced (the staged commit is still required).
  bool force = false;
  // How long a node may take from the reboot to Ready at the new version.
  std::chrono::seconds ready_timeout{ 1200 };
  std::chrono::milliseconds interval{ 2000 };
  std::chrono::seconds pod_start_timeout{ 120 };
  // Who runs this ("<host>/<pid>"), kept in the journal.
  std::string owner;
  // Called after each step ("cordoned", "drained", "rebooting", "deployed",
  // "reboot scheduled", "rebooted", "uncordoned"): the tests' kill seam.
  std::function<void(std::string_view)> checkpoint;
};

struct NodeUpdateResult
{
  std::string node;
  std::string outcome; // "updated", "up to date", "not downloaded yet" (--node all)
  std::string from_version, to_version;
  std::string from_commit, to_commit;
  k8s::DrainReport drain;
};

struct NodeUpdateReport
{
  std::vector<NodeUpdateResult> nodes;
};

Result<NodeUpdateReport> update_nodes(k8s::Client& client, const NodeUpdateOptions& options, ProgressSink& progress);

} // namespace ocne::upgrade
