#pragma once

// The Cluster API driver behind `cluster start` and `cluster delete` for oci
// and oxide (the provider's own part is a Flavor). A start runs seven steps
// and records each one in the cluster cache as it finishes, so a run that is
// killed continues where it stopped and never makes a second Cluster:
//
//   1 management  the configured kubeconfig, else the ephemeral libvirt cluster
//   2 components  the provider's Cluster API stack (pkg/components)
//   3 images      the boot images (Flavor::render)
//   4 apply       credentials, resources checked and created (never updated)
//   5 workload    kubeconfig Secret, ~/.kube/kubeconfig.<name>, API and nodes
//   6 addons      kube-proxy mode, flannel, the cloud controller manager
//   7 pivot       self-managed: the stack in the workload cluster, then move
//
// Delete finds the management cluster (moving a self-managed cluster's
// objects back into a bootstrap cluster first), deletes the Cluster, waits
// until Cluster API has removed its infrastructure, and removes the
// kubeconfig and the Secrets ocne wrote.

#include "pkg/cluster/driver.hpp"
#include "pkg/cluster/ephemeral.hpp"
#include "pkg/components/install.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"
#include "providers/capi/flavor.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::capi {

inline constexpr std::string_view k_steps[] = {"management", "components", "images", "apply",
                                               "workload",   "addons",     "pivot"};

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
  cluster::EphemeralStarter start_ephemeral;
  cluster::EphemeralDeleter delete_ephemeral;

  std::chrono::milliseconds components_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds workload_timeout{std::chrono::minutes(20)};
  std::chrono::milliseconds nodes_timeout{std::chrono::minutes(15)};
  std::chrono::milliseconds addons_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds move_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds delete_timeout{std::chrono::minutes(20)};
  std::chrono::milliseconds interval{std::chrono::seconds(2)};

  // Called when a step starts and ends ("apply", "apply done"): a seam for
  // tests that kill the process at a precise point.
  std::function<void(std::string_view point)> checkpoint;
};

// What a start or delete did, for `-o json` and the closing lines.
struct CapiReport
{
  std::string cluster;    // the Cluster object's name
  std::string namespace_; // and namespace
  std::string management_kubeconfig;
  bool ephemeral = false;         // the ephemeral cluster manages it (or did, before the pivot)
  bool ephemeral_created = false; // by this command
  bool ephemeral_removed = false; // by this command
  std::vector<std::string> resumed_after; // steps an earlier run had finished
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
  CapiDriver(CapiOptions options, std::unique_ptr<Flavor> flavor);
  ~CapiDriver() override;

  std::string_view provider() const override;
  cluster::KubeconfigPaths kubeconfigs() const override;
  Result<cluster::StartResult> start(cluster::StartContext& ctx) override;
  Result<cluster::PostStartResult> post_start(cluster::StartContext& ctx) override;
  Status destroy(cluster::DeleteContext& ctx) override;

  const CapiReport& report() const { return m_report; }

private:
  struct Run;

  CapiOptions m_options;
  std::unique_ptr<Flavor> m_flavor;
  CapiReport m_report;
};

} // namespace ocne::providers::capi
