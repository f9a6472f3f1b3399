#pragma once

// Reading a cluster's Cluster API objects in its management cluster, in the
// version the management cluster serves: core 1.10 (Oracle's) serves
// v1beta1 only, upstream 1.13 serves both and stores v1beta2. Nothing here
// relies on a conversion webhook answering.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ocne::clusterctl {

// The Cluster API core version to read and write in ("v1beta2" when served,
// else "v1beta1"); not_found when the cluster serves no cluster.x-k8s.io
// Cluster, another error when it does not answer.
Result<std::string> core_version(k8s::Client& client);

// The object a reference names: {apiGroup, kind, name} (v1beta2) or
// {apiVersion, kind, name} (v1beta1); nullopt when it cannot be read.
std::optional<nlohmann::json> referenced(k8s::Client& client, const nlohmann::json& ref, const std::string& ns);

// "Kind ns/name: Type=False (Reason): message" for each condition of the
// object that is not True and says why (v1beta1 ones of severity Info, work
// still in progress, are left out).
void failing_conditions(const nlohmann::json& object, std::vector<std::string>& out);

// Everything the controllers say about a cluster: the failing conditions of
// the Cluster, its infrastructure cluster and its Machines, and the Warning
// Events about them.
std::vector<std::string> what_controllers_say(k8s::Client& client, const std::string& ns, const std::string& cluster);

// The cluster's Machines (label cluster.x-k8s.io/cluster-name).
Result<std::vector<nlohmann::json>> cluster_machines(k8s::Client& client,
                                                     const std::string& version,
                                                     const std::string& ns,
                                                     const std::string& cluster);

} // namespace ocne::clusterctl
