#pragma once

// clusterctl's inventory: one Provider object (clusterctl.cluster.x-k8s.io)
// per installed provider, written after the provider's own objects, and the
// CRD they need, compiled in. cert-manager has no entry: clusterctl marks it
// by an annotation on its Certificate CRD (installer.cpp).

#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::clusterctl {

inline constexpr std::string_view k_inventory_api_version = "clusterctl.cluster.x-k8s.io/v1alpha3";

// The inventory Provider object clusterctl writes for a component.
nlohmann::json inventory_object(const Component& component, const std::string& ns);

// The inventory's Provider objects, read without writing anything: no
// inventory CRD yet means no inventory.
Result<std::vector<nlohmann::json>> read_inventory(k8s::Client& client);

// Applies the inventory CRD unless the cluster has it already; crd_timeout
// bounds the wait for it to be Established.
Status ensure_inventory_crd(k8s::Client& client, std::chrono::milliseconds crd_timeout);

} // namespace ocne::clusterctl
