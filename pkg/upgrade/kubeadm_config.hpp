#pragma once

// kubeadm's record of the cluster (kube-system/kubeadm-config, key
// ClusterConfiguration): the kubernetesVersion a staged update moves to.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <string>
#include <string_view>

namespace ocne::upgrade {

// The kubernetesVersion it holds ("v1.33.5"); not_found without the ConfigMap.
Result<std::string> kubeadm_kubernetes_version(k8s::Client& client);

// Sets kubernetesVersion (a GET and a PUT with its resourceVersion, again
// after a conflict). Returns whether it changed anything.
Result<bool> set_kubeadm_kubernetes_version(k8s::Client& client, std::string_view version);

} // namespace ocne::upgrade
