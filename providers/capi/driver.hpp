#pragma once

// The Cluster API driver behind `cluster start` and `cluster delete` for oci
// and oxide (the provider's own part is a CloudSession). A start runs the steps of
// steps.hpp (management cluster, components, images, apply, workload,
// add-ons, nodes, pivot) and records each one in the cluster cache as it
// finishes (journal.hpp), so a run that is killed anywhere continues where
// it stopped and never makes a second Cluster.
//
// Delete finds the management cluster (moving a self-managed cluster's
// objects back into a bootstrap cluster first), deletes the Cluster, waits
// until Cluster API has removed its infrastructure, and removes the
// kubeconfig and the Secrets ocne wrote.

#include "pkg/cluster/driver.hpp"
#include "pkg/cluster/ephemeral.hpp"
#include "pkg/clusterctl/installer.hpp"
#include "pkg/clusterctl/proxy_env.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/clock.hpp"
#include "pkg/core/env.hpp"
#include "providers/capi/cloud_session.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::capi {

struct CapiOptions
{
  config::ClusterConfig config;
  Environment env = Environment::process();
  // providers.<p>.kubeconfig or kubeconfig (--kubeconfig); empty: KUBECONFIG,
  // else the ephemeral cluster.
  std::string configured_kubeconfig;
  std::string configured_key = "kubeconfig";
  // ~/.kube/kubeconfig.<name>
  fs::Path kubeconfig_path;
  // ~/.ocne/providers (the components cache)
  fs::Path components_cache;
  bool self_managed = false;
  // providers.<p>.proxy, for the Cluster API controllers this start installs.
  clusterctl::ControllerProxy controller_proxy;
  // The cloud's Cluster API components (CloudProvider::stack()).
  const clusterctl::Stack* stack = nullptr;
  cluster::EphemeralStarter start_ephemeral;
  cluster::EphemeralDeleter delete_ephemeral;

  std::chrono::milliseconds components_timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds workload_timeout{ std::chrono::minutes(20) };
  std::chrono::milliseconds nodes_timeout{ std::chrono::minutes(15) };
  std::chrono::milliseconds addons_timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds move_timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds delete_timeout{ std::chrono::minutes(20) };
  std::chrono::milliseconds interval{ std::chrono::seconds(2) };
  // Time for every wait; null: real_clock() (tests set a fake one).
  Clock* clock = nullptr;

  // Called when a step starts ("apply") and just before it is recorded
  // ("apply finished"), and at a few points inside ("pivot moved",
  // "release"): a seam for tests that kill the process at a precise point.
  std::function<void(std::string_view point)> checkpoint;
};

// What a start or delete did, for `-o json` and the closing lines.
struct CapiReport
{
  std::string cluster;    // the Cluster object's name
  std::string namespace_; // and namespace
  std::string management_kubeconfig;
  bool ephemeral = false;                 // the ephemeral cluster manages it (or did, before the pivot)
  bool ephemeral_created = false;         // by this command
  bool ephemeral_removed = false;         // by this command
  std::vector<std::string> resumed_after; // steps an earlier run had finished (steps.hpp names)
  std::vector<std::string> components_installed;
  std::vector<std::string> components_present;
  std::vector<BootImageUse> images;
  std::vector<std::string> objects_created;
  std::vector<std::string> objects_existing;
  std::vector<std::string> secrets;
  bool self_managed = false;
  bool pivoted = false;
  bool moved_back = false; // delete: objects moved out of the self-managed cluster first
  bool cluster_deleted = false;
};

class CapiDriver final : public cluster::Driver
{
public:
  CapiDriver(CapiOptions options, std::unique_ptr<CloudSession> flavor);
  ~CapiDriver() override;

  std::string_view provider() const override;
  cluster::KubeconfigPaths kubeconfigs() const override;
  // The provider's credentials load (OCI: the profile and its key; Oxide:
  // host and token), and a management cluster that is configured answers as
  // a Kubernetes API; for a cluster recorded as running, nothing.
  Status preflight(const ClusterRecord* existing) override;
  Result<cluster::StartResult> start(cluster::StartContext& ctx) override;
  Status destroy(cluster::DeleteContext& ctx) override;

  const CapiReport&
  report() const
  {
    return m_report;
  }

private:
  CapiOptions m_options;
  std::unique_ptr<CloudSession> m_flavor;
  CapiReport m_report;
};

} // namespace ocne::providers::capi
