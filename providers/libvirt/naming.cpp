#include "providers/libvirt/naming.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/core.h>

#include <cctype>

namespace ocne::providers::libvirt {

std::string
domain_name(std::string_view cluster, Role role, unsigned n)
{
  return fmt::format("{}-{}-{}", cluster, role == Role::control_plane ? "control-plane" : "worker", n);
}

std::string
disk_volume_name(std::string_view domain)
{
  return std::string(domain) + ".qcow2";
}

std::string
ignition_volume_name(std::string_view domain)
{
  return std::string(domain) + "-init.ign";
}

std::string
base_volume_name(std::string_view configured, std::string_view kubernetes_version)
{
  if (configured.empty() || configured == "boot.qcow2") {
    return fmt::format("boot.qcow2-{}", kubernetes_version);
  }
  return std::string(configured);
}

std::optional<std::string>
cluster_of_domain(std::string_view domain)
{
  const auto parts = str::split(domain, '-');
  if (parts.size() < 3) {
    return std::nullopt;
  }
  const auto& last = parts.back();
  if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  std::size_t keep = 0;
  if (parts[parts.size() - 2] == "worker") {
    keep = parts.size() - 2;
  } else if (parts.size() >= 4 && parts[parts.size() - 3] == "control" && parts[parts.size() - 2] == "plane") {
    keep = parts.size() - 3;
  } else {
    return std::nullopt;
  }
  if (keep == 0) {
    return std::nullopt;
  }
  return str::join(std::vector<std::string>(parts.begin(), parts.begin() + static_cast<long>(keep)), "-");
}

fs::Path
local_kubeconfig_path(const fs::Path& kube_dir, std::string_view cluster)
{
  return kube_dir / fmt::format("kubeconfig.{}.local", cluster);
}

fs::Path
vm_kubeconfig_path(const fs::Path& kube_dir, std::string_view cluster)
{
  return kube_dir / fmt::format("kubeconfig.{}.vm", cluster);
}

bool
is_valid_cluster_name(std::string_view name)
{
  if (name.empty() || name.size() > 63) {
    return false;
  }
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return name.front() != '-' && name.front() != '.';
}

} // namespace ocne::providers::libvirt
