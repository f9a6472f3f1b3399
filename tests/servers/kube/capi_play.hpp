#pragma once

// The Cluster API world that `cluster start -P oci|oxide` tests run in, as
// wiring of the fake controllers (controllers.hpp) on two servers: the
// management cluster, where the Cluster API controllers provision each
// Cluster and point its kubeconfig Secret at the workload server; and the
// workload server, which gets what kubeadm installs once a Cluster is
// provisioned (some time after its first Node), a Node per Machine that is Ready once flannel and the
// provider's cloud controller manager run, and the Cluster API controllers
// too (a self-managed cluster reconciles its own objects).
// tests/support/capi_world.hpp builds its loopback world with this; the
// fake libvirt node runs it in its VM (main.cpp --capi) so the ephemeral
// cluster can be a management cluster.

#include "tests/servers/kube/controllers.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::kube {

struct CapiPlayOptions
{
  // Which cloud controller manager the nodes wait for: "oci", "oxide", or
  // "any" (either one; a server that does not know its cloud).
  std::string provider = "oci";
  std::chrono::milliseconds delay{ 100 };
  std::chrono::milliseconds deletion_delay{ 300 };
  // The kubeconfig the "<name>-kubeconfig" Secrets hold (default: the
  // workload server's admin kubeconfig with its listening URL).
  std::string workload_kubeconfig;
  std::vector<std::string> workload_never_available;
  std::function<std::optional<InfrastructureFailure>()> infrastructure_failure;
  // Real timing (controllers.hpp, ClusterApiOptions): how long a Machine
  // boots, and how long after the first Node registers kubeadm's add-on phase
  // writes kube-proxy and CoreDNS (kubelet starts during kubeadm init, the
  // add-ons come at its end).
  std::chrono::milliseconds machine_boot{ 300 };
  std::chrono::milliseconds kubeadm_addons_after{ 1000 };
  std::function<std::optional<InfrastructureFailure>(const nlohmann::json& machine)> machine_failure;
};

// Deployments, DaemonSets, cert-manager and endpoints, as every cluster of
// the world plays them.
void play_workload_controllers(KubeTestServer& server,
                               std::chrono::milliseconds delay,
                               const std::vector<std::string>& never_available = {});

// The Cluster API controllers on management (its other controllers are the
// caller's: play_workload_controllers or main.cpp's --controllers), and
// everything the workload server plays.
void play_capi(KubeTestServer& management, KubeTestServer& workload, const CapiPlayOptions& options);

} // namespace ocne::test::kube
