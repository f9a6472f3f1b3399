#pragma once

// Ready-made fake controllers for tests, built on KubeTestServer::on():
// what a real cluster's controllers would do to objects that the code under
// test waits for.

#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::kube {

// Every Deployment (already there or created later) becomes fully rolled
// out: status.observedGeneration, replicas, updated/ready/availableReplicas
// and the Available and Progressing conditions, delay after each change.
// Returns the hook id (remove_hook stops it).
int play_deployment_controller(KubeTestServer& server, std::chrono::milliseconds delay = {});

struct DeploymentControllerOptions
{
  std::chrono::milliseconds delay{ 0 };
  // "namespace/name" of Deployments whose pods cannot pull their image: they
  // stay Available=False (MinimumReplicasUnavailable) and get one Pod whose
  // containers wait in ImagePullBackOff, as a real cluster shows it.
  std::vector<std::string> never_available;
  // "namespace/name" of Deployments whose pods fit no node: Available=False
  // and one Pending Pod with PodScheduled=False (Unschedulable) and the
  // scheduler's message.
  std::vector<std::string> unschedulable;
};
// Besides: a Deployment whose pod template mounts a Secret (volumes[].secret,
// not optional) that does not exist stays Available=False with one Pod in
// ContainerCreating, as the kubelet keeps it, until the Secret is created.
int play_deployment_controller(KubeTestServer& server, const DeploymentControllerOptions& options);

// Cluster API: every cluster.x-k8s.io Cluster gets provisioned delay after
// it is created (status.phase Provisioned, initialization flags, Available /
// InfrastructureReady / ControlPlaneInitialized conditions in the v1beta2
// shape) and its "<name>-kubeconfig" Secret (type cluster.x-k8s.io/secret,
// label cluster.x-k8s.io/cluster-name, data.value = kubeconfig, owned by the
// Cluster). It carries the cluster.cluster.x-k8s.io finalizer, removed
// delay after deletion starts, so deleting takes a moment as with CAPI.
int play_cluster_api(KubeTestServer& server, std::string kubeconfig, std::chrono::milliseconds delay = {});

// The infrastructure provider's answer when it cannot build the cluster.
struct InfrastructureFailure
{
  std::string reason;  // "VcnReconciliationFailed"
  std::string message; // what the cloud said
};

struct ClusterApiOptions
{
  // The kubeconfig the "<name>-kubeconfig" Secret holds (the workload API).
  std::string kubeconfig;
  // Before each reconcile, and from deletionTimestamp until the Cluster and
  // what it owns are gone.
  std::chrono::milliseconds delay{ 0 };
  std::chrono::milliseconds deletion_delay{ 0 };
  // Where the Node of each Machine is created (if absent) before the Machine
  // gets status.nodeRef: the workload cluster's server (may be this server
  // for a self-managed cluster). Null: this server.
  KubeTestServer* nodes = nullptr;
  // Asked at each reconcile: a failure makes the infrastructure cluster
  // Ready=False (reason, message), records a Warning Event on it, mirrors
  // it to the Cluster's InfrastructureReady condition, and the Cluster never
  // provisions. Empty function or nullopt: the infrastructure gets ready.
  std::function<std::optional<InfrastructureFailure>()> infrastructure_failure;
  // Called (from the hook thread) each time a reconcile finds a Cluster
  // provisioned; must be idempotent. For what kubeadm installs.
  std::function<void(const nlohmann::json& cluster)> on_provisioned;
  // How long a Machine boots before its Node registers. Control plane
  // machines boot as they are created, one at a time (the next is created
  // once every earlier one has its Node, as KubeadmControlPlane scales up);
  // worker machines are created at once but boot only once the control
  // plane is initialized (kubeadm join needs it). While booting a Machine is
  // Provisioning with the waiting conditions Cluster API sets.
  std::chrono::milliseconds machine_boot{ 0 };
  // Asked for each Machine before its Node would register: a failure keeps
  // it Provisioning with the failure in its InfrastructureReady (and Ready)
  // conditions and a Warning Event on it. Empty or nullopt: it boots.
  std::function<std::optional<InfrastructureFailure>(const nlohmann::json& machine)> machine_failure;
};

// The Cluster API controllers of a management cluster, in whichever core
// version the installed CRDs store (v1beta1 for Oracle's 1.10, v1beta2 for
// upstream 1.13), with the real status shapes of that version:
//  - the infrastructure cluster (OCICluster, OxideCluster) becomes ready: an
//    OCICluster gets a VCN id, an id for each subnet (CAPOCI's four default
//    subnets, two of them service-lb, when it names none) and a
//    controlPlaneEndpoint; status.ready / status.initialization.provisioned
//    and a Ready condition;
//  - the Cluster takes the endpoint, owns the infrastructure cluster, the
//    KubeadmControlPlane and its MachineDeployments, and is Provisioned
//    (finalizer cluster.cluster.x-k8s.io) with its "<name>-kubeconfig" Secret
//    once the first control plane machine has its Node;
//  - KubeadmControlPlane replicas become Machines owned by it, and each
//    MachineDeployment gets a MachineSet whose replicas become Machines,
//    all labelled cluster.x-k8s.io/cluster-name; each Machine's Node (same
//    name) is created in options.nodes and the Machine gets status.nodeRef;
//    KubeadmControlPlane, MachineSet and MachineDeployment report replicas;
//    each Machine gets its infrastructure machine (from the template) and
//    KubeadmConfig, both owned by it, and the Cluster owns the machine
//    templates and KubeadmConfigTemplates it uses, as Cluster API sets them;
//    the kubeconfig Secret is owned by the KubeadmControlPlane;
//  - paused Clusters (spec.paused, as during a move) are left alone;
//  - deleting the Cluster removes its Machines (and their Nodes), MachineSets,
//    MachineDeployments, control plane, infrastructure cluster and kubeconfig
//    Secret deletion_delay later, then the finalizer, so it is gone.
// Returns the id of the first hook.
int play_cluster_api(KubeTestServer& server, ClusterApiOptions options);

// cert-manager, once Deployment cert-manager/cert-manager is Available:
// every cert-manager.io Issuer and ClusterIssuer becomes Ready, and every
// Certificate becomes Ready with its spec.secretName Secret (kubernetes.io/tls,
// placeholder PEM). Before that, Certificates stay as they are.
int play_cert_manager(KubeTestServer& server, std::chrono::milliseconds delay = {});

// The endpoints controller: a Service with a selector gets an Endpoints
// object with one ready address once a Deployment in its namespace whose pod
// template labels match the selector is Available (and loses it otherwise).
int play_endpoints_controller(KubeTestServer& server, std::chrono::milliseconds delay = {});

// DaemonSets: each is scheduled on every Node (at least one) and becomes
// fully available, unless named in never_available ("namespace/name"), which
// stay at 0 available with one Pod in ImagePullBackOff.
int play_daemonset_controller(KubeTestServer& server, const DeploymentControllerOptions& options = {});

// Nodes: every Node becomes Ready once each DaemonSet named in cni
// ("namespace/name") is rolled out, and is NotReady (NetworkPluginNotReady)
// before, as the kubelet reports a node without a CNI.
int play_node_readiness(KubeTestServer& server, std::vector<std::string> cni);

// Nodes, as the kubelet reports them: NotReady (NetworkPluginNotReady) until
// every DaemonSet in daemonsets is rolled out and every Deployment in
// deployments is Available ("namespace/name"), and, when any_of is not
// empty, one of its workloads is ("daemonset:namespace/name" or
// "deployment:namespace/name"); then Ready.
struct NodeReadinessOptions
{
  std::vector<std::string> daemonsets;
  std::vector<std::string> deployments;
  std::vector<std::string> any_of;
};
int play_node_readiness(KubeTestServer& server, const NodeReadinessOptions& options);

// Requests recorded so far that could change something (every method but GET).
int write_requests(const KubeTestServer& server);

} // namespace ocne::test::kube
