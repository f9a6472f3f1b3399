#pragma once

// kube-proxy's mode in Cluster API clusters. kubeadm, run by
// KubeadmControlPlane, installs kube-proxy with its default mode (the
// control plane objects have no place for a KubeProxyConfiguration); this
// sets `kubeProxyMode` in ConfigMap kube-system/kube-proxy and rolls the
// DaemonSet so the Pods read it.
//
// kubeadm writes the ConfigMap and DaemonSet in its addon phase, some
// seconds after the first Node registered: they are waited for (within
// wait.timeout) before being read. Nothing is written when the mode is in
// place, and kubeadm's empty mode is iptables. The ConfigMap carries an
// annotation with the mode ocne wrote into it, so a run killed between the
// ConfigMap and the DaemonSet still rolls the DaemonSet next time.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/wait.hpp"

#include <string_view>

namespace ocne::addons {

// kube-proxy's name for its default mode (its config's mode "").
inline constexpr std::string_view k_default_kube_proxy_mode = "iptables";

// Returns whether anything changed.
Result<bool> set_kube_proxy_mode(k8s::Client& client,
                                 std::string_view mode,
                                 const k8s::WaitOptions& wait,
                                 ProgressSink& progress);

} // namespace ocne::addons
