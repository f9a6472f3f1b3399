#pragma once

// Installing add-ons into a cluster: each applied with server-side apply
// (field manager "ocne"), one log line each ("Installing flannel into
// kube-flannel: ok"); an object already as the add-on wants it is not sent
// again, so a second run writes nothing. Then, all together: DaemonSets
// rolled out, Deployments Available, and every node Ready. A timeout names
// what the cluster says: a Pod's waiting reason and image, a node's Ready
// condition message.

#include "pkg/addons/addon.hpp"
#include "pkg/core/clock.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <vector>

namespace ocne::addons {

struct InstallOptions
{
  std::chrono::milliseconds timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds interval{ std::chrono::seconds(1) };
  // Also wait until every node is Ready (a cluster without nodes yet is
  // waited for until one appears).
  bool wait_for_nodes = true;
  Clock* clock = nullptr; // null: real_clock()
};

struct InstallResult
{
  int applied = 0;   // objects sent
  int unchanged = 0; // objects already as wanted
};

Result<InstallResult> install_addons(k8s::Client& client,
                                     const std::vector<Addon>& addons,
                                     const InstallOptions& options,
                                     ProgressSink& progress);

// Whether every field of want is in have with the same value (objects
// recursively; lists item by item).
bool contains(const nlohmann::json& have, const nlohmann::json& want);

} // namespace ocne::addons
