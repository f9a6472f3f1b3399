#pragma once

// Everything the libvirt driver needs, resolved: from the cluster config
// (options_from_config) or set directly by tests and benchmarks.

#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/ignition/extra.hpp"
#include "pkg/ignition/node.hpp"
#include "pkg/pki/cluster_pki.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ocne::providers::libvirt {

struct NodeSize
{
  unsigned cpus = 2;
  std::uint64_t memory_kib = 4194304;
  std::uint64_t storage_bytes = 20ULL << 30;
};

// Finds the boot disk (a local qcow2) for an architecture ("amd64"/"arm64"):
// pulls bootVolumeContainerImage with pkg/image, or names a local file.
using BootImageResolver = std::function<Result<fs::Path>(std::string_view arch, ProgressSink& progress)>;

struct Options
{
  std::string cluster_name = "ocne";
  std::string uri = "qemu:///session";
  std::string storage_pool = "images";
  std::string network = "default";
  std::string slirp_subnet = "192.18.255.0/24";
  std::string boot_volume_name = "boot.qcow2";
  BootImageResolver boot_image;
  bool secure_boot = false;
  bool smm = false;

  unsigned control_plane_nodes = 1;
  unsigned worker_nodes = 0;
  NodeSize control_plane;
  NodeSize worker;
  std::string virtual_ip;
  std::string load_balancer;
  unsigned api_port = 6443;
  unsigned api_port_alt = 6444;

  // Kubernetes
  std::string kubernetes_version = "1.33"; // as configured (names the base volume)
  std::string kubernetes_full_version = "1.33.5";
  std::string etcd_tag = "3.5.23";
  std::string coredns_tag = "current";
  std::string pod_subnet = "10.244.0.0/16";
  std::string service_subnet = "10.96.0.0/12";
  std::string kube_proxy_mode = "iptables";
  // The CNI to install: "" or flannel, or none (docs/addons.md).
  std::string cni;
  std::string cipher_suites;
  std::string image_repository = "container-registry.oracle.com/olcne";
  std::string os_registry = "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree";
  std::string os_tag = "1.33";
  std::string container_registry = "container-registry.oracle.com";
  pki::CertificateInformation certificate_information;
  ignition::ProxyOptions proxy;
  std::string ssh_public_key;
  std::string password_hash;
  std::vector<ignition::ExtraIgnition> extra_ignition;

  // Not in ocne's configuration (advanced, tests): "kvm" or "qemu" instead of
  // detecting what the host can run; the guest architecture ("x86_64",
  // "aarch64") instead of the host's.
  std::string domain_type;
  std::string arch;

  // Where kubeconfigs are written (~/.kube), the user's home and ocne's
  // state (~/.ocne).
  fs::Path kube_dir;
  fs::Path home;
  StateDir state{ "" };
  // How long to wait for the first node's API, and whether to wait for
  // every node to register before start returns (ocne joins them in the
  // background).
  std::chrono::milliseconds ready_timeout{ std::chrono::minutes(15) };
  bool wait_for_all_nodes = false;
};

// Maps the resolved cluster config to options. Reads sshPublicKeyPath and
// extraIgnition; the boot image resolver pulls bootVolumeContainerImage with
// pkg/image, or uses a file:// URL as a local qcow2 boot disk.
Result<Options> options_from_config(const config::ClusterConfig& config, const Environment& env, const StateDir& state);

// The same without reading any file (SSH key, extra Ignition) or setting up
// the boot image: all `cluster delete` needs.
Result<Options> delete_options_from_config(const config::ClusterConfig& config,
                                           const Environment& env,
                                           const StateDir& state);

} // namespace ocne::providers::libvirt
