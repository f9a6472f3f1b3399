#pragma once

// The Kubernetes versions ocne can install, with the component versions that
// go with each (ocne's version table).

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::config {

struct KubeVersion
{
  std::string minor;   // "1.33"
  std::string full;    // "1.33.5"
  std::string pause;   // "3.10"
  std::string etcd;    // "3.5.23"
  std::string coredns; // "current" or a tag
};

inline constexpr std::string_view k_default_kubernetes_version = "1.33";

const std::vector<KubeVersion>& kube_versions();
// Looks up "1.33", "v1.33", "1.33.5" or "v1.33.5".
Result<KubeVersion> find_kube_version(std::string_view version);
// Whether version names a supported minor ("1.33") or full ("1.33.5") version.
bool is_supported_kube_version(std::string_view version);

} // namespace ocne::config
