#pragma once

// One hop of `cluster upgrade` (upgrade.hpp): what its steps share, and the
// pieces they are made of (upgrade_steps.cpp, upgrade_templates.cpp,
// upgrade_wait.cpp).

#include "pkg/config/versions.hpp"
#include "pkg/k8s/client.hpp"
#include "providers/capi/upgrade.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace ocne::providers::capi {

// A cluster's machine pools as the management cluster has them now.
struct Pools
{
  std::string core; // "v1beta1" or "v1beta2"
  nlohmann::json control_plane;
  std::vector<nlohmann::json> deployments; // by name
};

Result<Pools> read_pools(k8s::Client& management, const std::string& ns, const std::string& cluster);

// Where a pool's references are (JSON pointers), in the shape the object has.
std::string infra_ref_pointer(const nlohmann::json& pool);
inline constexpr const char* k_bootstrap_ref_pointer = "/spec/template/spec/bootstrap/configRef";

// "demo-md-0" -> "demo-md-0-v1-34"; a copy made by an earlier hop
// ("demo-md-0-v1-33") keeps its base.
std::string copy_name(const std::string& name, const std::string& minor);
std::string base_name(const std::string& name);
inline constexpr const char* k_upgrade_label = "ocne.oracle.com/upgrade-target";

struct UpgradeRun
{
  const UpgradeOptions& options;
  cluster::ResourceTracker& tracker;
  ProgressSink& progress;
  UpgradeHopReport& report;
  std::string from; // minors
  std::string hop;
  config::KubeVersion version; // of hop
  k8s::Client& management;
  k8s::Client& workload;
  std::string namespace_;
  std::string cluster;
  // Image ids cluster start recorded, by architecture (to tell a template's).
  KnownImages start_images;

  UpgradeJournal journal() const;
  void checkpoint(std::string_view point) const;
  Status finish(UpgradeStep step);
  // The hop's resources rendered (images settled) by the flavor.
  Result<const RenderedResources*> rendered();

  // Settled by rendered(), once a run.
  std::unique_ptr<CloudSession> flavor = nullptr;
  std::optional<RenderedResources> rendered_resources = std::nullopt;
};

Status run_upgrade_images(UpgradeRun& run);
Status run_upgrade_templates(UpgradeRun& run);
Status run_upgrade_control_plane(UpgradeRun& run);
Status run_upgrade_addons(UpgradeRun& run);
Status run_upgrade_workers(UpgradeRun& run);
Status run_upgrade_verify(UpgradeRun& run);

// The template copies of a hop: each pool's infrastructure template with
// the image of its architecture, and each MachineDeployment's
// KubeadmConfigTemplate with the version-bound parts of rendered.
struct TemplateCopy
{
  std::string what;      // "OCIMachineTemplate ocne/demo-md-0-v1-34"
  std::string old_name;  // "OCIMachineTemplate/demo-md-0"
  nlohmann::json object; // the copy to create
};
// images: the hop's image id by architecture (a dry run passes placeholders).
Result<std::vector<TemplateCopy>> template_copies(k8s::Client& management,
                                                  const Pools& pools,
                                                  const std::string& ns,
                                                  const std::string& minor,
                                                  const KnownImages& images,
                                                  const KnownImages& start_images,
                                                  const std::vector<nlohmann::json>& rendered);
// Creates the copy, or finds it equal; an error when it differs. Returns
// whether it was created.
Result<bool> ensure_copy(k8s::Client& management, const TemplateCopy& copy);

// The JSON patch that takes a pool to the hop (empty when it is there):
// control plane: version, template reference, kubeadm config parts;
// deployment: version and both references. The first op tests the version.
nlohmann::json control_plane_patch(const nlohmann::json& kcp,
                                   const std::string& version,
                                   const std::string& minor,
                                   const std::vector<nlohmann::json>& rendered);
nlohmann::json deployment_patch(const nlohmann::json& md, const std::string& version, const std::string& minor);

// Waits until every machine of the pool runs the version on the new
// template with a Ready Node at that kubelet version, logging "control
// plane: 2 of 3 machines replaced" and what the controllers say; returns
// how many machines it saw replaced.
struct PoolWait
{
  std::string label;    // "control plane", "workers demo-md-0"
  k8s::ObjectRef owner; // the KubeadmControlPlane or MachineDeployment
  std::string machine_selector;
  std::string template_name; // the infrastructure template the machines must come from
};
Result<int> wait_pool(UpgradeRun& run, const PoolWait& wait);

} // namespace ocne::providers::capi
