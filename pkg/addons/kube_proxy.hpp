#pragma once

// kube-proxy's mode in Cluster API clusters. kubeadm, run by
// KubeadmControlPlane, installs kube-proxy with its default mode (the
// control plane objects have no place for a KubeProxyConfiguration); this
// sets `kubeProxyMode` in ConfigMap kube-system/kube-proxy and rolls the
// DaemonSet so the Pods read it. Nothing is written when the mode is set.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <string_view>

namespace ocne::addons {

// Returns whether anything changed.
Result<bool> set_kube_proxy_mode(k8s::Client& client, std::string_view mode, ProgressSink& progress);

} // namespace ocne::addons
