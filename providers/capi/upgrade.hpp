#pragma once

// `ocne cluster upgrade` for clusters started through Cluster API (oci,
// oxide): one minor per hop (upgrade_plan.hpp), each hop the steps of
// upgrade_journal.hpp, recorded in the cluster cache as they finish:
//  - images: the boot images of the hop's version for every architecture,
//    found in the cloud or built and uploaded (render_resources with the hop's
//    session, as
//    `cluster start` does, keyed by version and architecture);
//  - templates: a copy of each infrastructure machine template with only the
//    image changed, and of each KubeadmConfigTemplate with the Ignition
//    rendered for the version; named "<base>-v1-34", labelled
//    ocne.oracle.com/upgrade-target; an existing copy is reused when equal
//    and an error when it differs; a template is never edited;
//  - control-plane: one JSON patch of the KubeadmControlPlane (a test of the
//    old version, then version, template reference and the version-bound
//    parts of its kubeadm config), then the rollout waited for;
//  - addons: kube-proxy's image follows the version (docs/addons.md);
//  - workers: each MachineDeployment the same way, one at a time;
//  - verify: every Machine and Node at the version.
// Every write is a GET first and changes nothing when already done, so a run
// killed anywhere continues where the journal says.

#include "pkg/core/state_dir.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/upgrade_journal.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::capi {

struct UpgradeOptions
{
  CapiOptions capi; // where the clusters are, timeouts, the kill seam
  std::string cluster_name;
  std::string target; // "1.34"; empty: report where an unfinished upgrade stands
  bool dry_run = false;
  // The flavor for a hop: the cluster's configuration at that version (its
  // boot image tag, osTag and Oxide image name follow it).
  std::function<Result<std::unique_ptr<CloudSession>>(const std::string& minor)> flavor_for;
  // The last hop is done: record the version in the cluster's configuration.
  std::function<Status(const std::string& minor)> on_upgraded;
  std::chrono::milliseconds lock_timeout{ std::chrono::seconds(10) };
};

struct UpgradeHopReport
{
  std::string from;
  std::string to;
  std::vector<BootImageUse> images;
  std::vector<std::string> templates_created;  // "OCIMachineTemplate ocne/demo-md-0-v1-34"
  std::vector<std::string> templates_existing; // found, equal, from an earlier run
  std::vector<std::string> patches;            // dry run: what would be sent ("Kind ns/name: <json patch>")
  int machines_replaced = 0;
  std::vector<std::pair<std::string, double>> durations; // step -> seconds
};

struct UpgradeReport
{
  std::string cluster;    // the Cluster object
  std::string namespace_; // and its namespace
  std::string from;       // the control plane's minor before
  std::string target;
  // "upgraded", "up to date", "dry run", "unfinished" or "none" (status).
  std::string outcome;
  bool resumed = false;
  std::vector<UpgradeHopReport> hops;
  // Status: the unfinished hop and its steps.
  std::string hop;
  std::vector<std::string> finished_steps;
  std::string next_step;
};

Result<UpgradeReport> upgrade_cluster(const StateDir& state, const UpgradeOptions& options, ProgressSink& progress);

} // namespace ocne::providers::capi
