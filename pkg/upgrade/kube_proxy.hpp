#pragma once

// kube-proxy follows Kubernetes: kubeadm installed it as a DaemonSet whose
// image tag is the control plane's version (docs/addons.md), and nothing in
// an in-place OCK update moves it, so node update does once every control
// plane runs the new minor.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <string>

namespace ocne::upgrade {

struct KubeProxyOptions
{
  std::chrono::milliseconds timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds interval{ 2000 };
};

// Sets kube-system/kube-proxy's image tag to v<full_version> (guarded by a
// JSON patch test of the image it replaces) and waits for the rollout.
// true: the image was changed; false: its tag is at that minor already,
// kube-proxy is not in the cluster, or its image is pinned by digest.
Result<bool> follow_kube_proxy_version(k8s::Client& client,
                                       const std::string& full_version,
                                       const KubeProxyOptions& options);

} // namespace ocne::upgrade
