#pragma once

// Ready-made fake controllers for tests, built on KubeTestServer::on():
// what a real cluster's controllers would do to objects that the code under
// test waits for.

#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
#include <string>

namespace ocne::test::kube {

// Every Deployment (already there or created later) becomes fully rolled
// out: status.observedGeneration, replicas, updated/ready/availableReplicas
// and the Available and Progressing conditions, delay after each change.
// Returns the hook id (remove_hook stops it).
int play_deployment_controller(KubeTestServer& server, std::chrono::milliseconds delay = {});

// Cluster API: every cluster.x-k8s.io Cluster gets provisioned delay after
// it is created (status.phase Provisioned, initialization flags, Available /
// InfrastructureReady / ControlPlaneInitialized conditions in the v1beta2
// shape) and its "<name>-kubeconfig" Secret (type cluster.x-k8s.io/secret,
// label cluster.x-k8s.io/cluster-name, data.value = kubeconfig, owned by the
// Cluster). It carries the cluster.cluster.x-k8s.io finalizer, removed
// delay after deletion starts, so deleting takes a moment as with CAPI.
int play_cluster_api(KubeTestServer& server, std::string kubeconfig, std::chrono::milliseconds delay = {});

} // namespace ocne::test::kube
