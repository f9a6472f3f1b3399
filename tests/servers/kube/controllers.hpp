#pragma once

// Ready-made fake controllers for tests, built on KubeTestServer::on():
// what a real cluster's controllers would do to objects that the code under
// test waits for.

#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
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
};
int play_deployment_controller(KubeTestServer& server, const DeploymentControllerOptions& options);

// Cluster API: every cluster.x-k8s.io Cluster gets provisioned delay after
// it is created (status.phase Provisioned, initialization flags, Available /
// InfrastructureReady / ControlPlaneInitialized conditions in the v1beta2
// shape) and its "<name>-kubeconfig" Secret (type cluster.x-k8s.io/secret,
// label cluster.x-k8s.io/cluster-name, data.value = kubeconfig, owned by the
// Cluster). It carries the cluster.cluster.x-k8s.io finalizer, removed
// delay after deletion starts, so deleting takes a moment as with CAPI.
int play_cluster_api(KubeTestServer& server, std::string kubeconfig, std::chrono::milliseconds delay = {});

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

// Requests recorded so far that could change something (every method but GET).
int write_requests(const KubeTestServer& server);

} // namespace ocne::test::kube
