#pragma once

// How the libvirt driver names what it creates (ocne's names, so clusters of
// both tools look alike on a host).

#include "pkg/core/fs.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::providers::libvirt {

enum class Role { control_plane, worker };

// <cluster>-control-plane-<n>, <cluster>-worker-<n> (n from 1).
std::string domain_name(std::string_view cluster, Role role, unsigned n);
// <domain>.qcow2: the node's copy-on-write disk.
std::string disk_volume_name(std::string_view domain);
// <domain>-init.ign: the node's Ignition config.
std::string ignition_volume_name(std::string_view domain);
// boot.qcow2-<version> for the default name, else the configured name.
std::string base_volume_name(std::string_view configured, std::string_view kubernetes_version);
// The cluster a domain named by ocne's rules belongs to.
std::optional<std::string> cluster_of_domain(std::string_view domain);
// ~/.kube/kubeconfig.<cluster>.local and .vm
fs::Path local_kubeconfig_path(const fs::Path& kube_dir, std::string_view cluster);
fs::Path vm_kubeconfig_path(const fs::Path& kube_dir, std::string_view cluster);

// A name a domain or volume can carry: letters, digits, '-', '_' and '.'.
bool is_valid_cluster_name(std::string_view name);

} // namespace ocne::providers::libvirt
