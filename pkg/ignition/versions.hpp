#pragma once

// The Kubernetes versions ocne knows (ocne's pkg/catalog/versions): the full
// release a minor maps to and the matching pause, etcd and CoreDNS image tags.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::ignition {

struct KubernetesVersion
{
  std::string minor; // "1.33"
  std::string full;  // "1.33.5"
  std::string pause;
  std::string etcd;
  std::string coredns;
};

inline constexpr std::string_view k_default_kubernetes_version = "1.33";

// Accepts the minor ("1.33") or the exact full version ("1.33.5"), with or
// without a leading "v". Unknown: "no Kubernetes version available for X".
Result<KubernetesVersion> find_kubernetes_version(std::string_view version);

} // namespace ocne::ignition
