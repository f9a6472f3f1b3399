#pragma once

// Reading Cluster API objects (v1beta1 and v1beta2) for the health of a
// Cluster, KubeadmControlPlane, MachineDeployment or Machine: the version it
// runs, replica counts, and what is wrong with it. Used by `cluster info`
// and `cluster analyze`.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ocne::diag {

struct CapiHealth
{
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string version;          // Kubernetes version it targets ("" when none)
  std::string phase;            // status.phase where the kind has one
  std::optional<long> replicas; // desired, for control planes and deployments
  long ready = 0;
  long up_to_date = 0;
  std::vector<std::string> problems; // empty: healthy
};

CapiHealth capi_health(const nlohmann::json& object);

// "True"/"False"/"Unknown" of a status condition, or "" when absent.
std::string condition_status(const nlohmann::json& object, const std::string& type);
std::string condition_message(const nlohmann::json& object, const std::string& type);

} // namespace ocne::diag
