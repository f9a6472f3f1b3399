#pragma once

// The libvirt cluster driver: `ocne cluster start` / `delete` for clusters of
// VMs on a libvirt host, and the ephemeral management cluster.

#include "pkg/cluster/driver.hpp"
#include "pkg/cluster/probe.hpp"
#include "providers/libvirt/options.hpp"
#include "providers/libvirt/storage_ops.hpp"

#include <memory>

namespace ocne::providers::libvirt {

inline constexpr std::string_view k_provider = "libvirt";

struct DriverDeps
{
  // Looks at the cluster's API (default: pkg/k8s).
  std::unique_ptr<cluster::ClusterProbe> probe;
  // Fills volumes (default: a libvirt stream upload).
  VolumeWriter writer;
};

class LibvirtDriver final : public cluster::Driver
{
public:
  explicit LibvirtDriver(Options options, DriverDeps deps = {});

  std::string_view
  provider() const override
  {
    return k_provider;
  }
  cluster::KubeconfigPaths kubeconfigs() const override;
  Result<cluster::StartResult> start(cluster::StartContext& ctx) override;
  Status destroy(cluster::DeleteContext& ctx) override;

  const Options&
  options() const
  {
    return m_options;
  }

private:
  Options m_options;
  DriverDeps m_deps;
};

} // namespace ocne::providers::libvirt
