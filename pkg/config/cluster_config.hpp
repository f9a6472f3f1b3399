#pragma once

// The configuration of one cluster: every key of Oracle ocne's defaults.yaml
// and cluster file (same names, types and defaults; see docs/configuration.md),
// plus providers.oxide. Member names are the YAML keys in snake_case. The key
// table in schema.cpp maps YAML keys to these members and holds the built-in
// defaults, so the three places that would otherwise repeat every key
// (parsing, merging, writing) are one loop over the table.

#include "pkg/config/setting.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ocne::config {

using Str = Setting<std::string>;
using Int = Setting<std::int64_t>;
using Bool = Setting<bool>;
using StrList = Setting<std::vector<std::string>>;

struct ProxyConfig
{
  Str https_proxy;
  Str http_proxy;
  Str no_proxy;
  bool operator==(const ProxyConfig&) const = default;
};

struct CertificateInformation
{
  Str country;
  Str org;
  Str org_unit;
  Str state;
  bool operator==(const CertificateInformation&) const = default;
};

// Size of a libvirt VM (ephemeral cluster and libvirt nodes).
struct NodeSize
{
  Int cpu;
  Str memory;  // Kubernetes quantity, e.g. 4194304Ki
  Str storage; // Kubernetes quantity, e.g. 20Gi
  bool operator==(const NodeSize&) const = default;
};

struct EphemeralCluster
{
  Str name;
  Bool preserve;
  NodeSize node;
  bool operator==(const EphemeralCluster&) const = default;
};

struct LibvirtProvider
{
  Str uri;
  Str ssh_key;
  Str storage_pool;
  Str network;
  Str slirp_subnet;
  Str boot_volume_name;
  Str boot_volume_container_image_path;
  Bool secure_boot;
  Bool smm;
  NodeSize control_plane_node;
  NodeSize worker_node;
  bool operator==(const LibvirtProvider&) const = default;
};

struct OciShape
{
  Str shape;
  Int ocpus;
  Str boot_volume_size_in_gbs;
  bool operator==(const OciShape&) const = default;
};

struct OciImages
{
  Str amd64;
  Str arm64;
  bool operator==(const OciImages&) const = default;
};

struct OciLoadBalancer
{
  Str subnet1;
  Str subnet2;
  bool operator==(const OciLoadBalancer&) const = default;
};

struct OciProvider
{
  Str kubeconfig;
  Str compartment;
  Str profile;
  Str namespace_;
  OciImages images;
  Str image_bucket;
  OciShape control_plane_shape;
  OciShape worker_shape;
  Bool self_managed;
  OciLoadBalancer load_balancer;
  Str vcn;
  ProxyConfig proxy;
  Str template_; // a Cluster API template file to use instead of the built-in one
  bool operator==(const OciProvider&) const = default;
};

struct OxideMachine
{
  Int cpus;
  Str memory;    // whole GiB, e.g. 8Gi
  Str disk_size; // whole GiB, e.g. 50Gi
  bool operator==(const OxideMachine&) const = default;
};

struct OxideImages
{
  Str amd64; // image name or UUID
  bool operator==(const OxideImages&) const = default;
};

struct OxideProvider
{
  Str kubeconfig;
  Str profile;
  Str host;
  Str project;
  Str vpc;
  Str subnet;
  Str namespace_;
  OxideImages images;
  Str image_name;
  OxideMachine control_plane_machine;
  OxideMachine worker_machine;
  Str ip_pool;
  Str control_plane_endpoint;
  StrList ssh_keys;
  Bool self_managed;
  ProxyConfig proxy;
  Str template_; // a Cluster API template file to use instead of the built-in one
  bool operator==(const OxideProvider&) const = default;
};

struct Providers
{
  LibvirtProvider libvirt;
  OciProvider oci;
  OxideProvider oxide;
  // ocne's olvm and byo sections are accepted (so ocne files load unchanged)
  // and kept as YAML text, but those providers are not supported.
  Str olvm;
  Str byo;
  bool operator==(const Providers&) const = default;
};

struct Catalog
{
  std::string name;
  std::string uri;
  std::string protocol;
  std::string namespace_;
  bool operator==(const Catalog&) const = default;
};

struct Application
{
  std::string name;
  std::string release;
  std::string version;
  std::string catalog;
  std::string namespace_;
  std::string config;      // any YAML, kept as text
  std::string config_from; // path
  bool operator==(const Application&) const = default;
};

struct ClusterConfig
{
  Str name;
  Str provider;
  Str directory;
  Int worker_nodes;
  Int control_plane_nodes;
  Str virtual_ip;
  Str load_balancer;

  Str kubeconfig;
  Str auto_start_ui;
  Bool quiet;
  EphemeralCluster ephemeral_cluster;

  ProxyConfig proxy;
  Int kube_api_server_bind_port;
  Int kube_api_server_bind_port_alt;
  Str pod_subnet;
  Str service_subnet;
  Str registry;
  CertificateInformation certificate_information;
  Str os_registry;
  Str os_tag;
  Str kube_proxy_mode;
  Str boot_volume_container_image;
  Str cni;
  Bool headless;
  Bool catalog;
  Bool community_catalog;
  Str kubernetes_version;
  Str ssh_public_key_path;
  Str ssh_public_key;
  Str password;
  Str extra_ignition;
  Str extra_ignition_inline;
  Str cipher_suites;
  Str cluster_definition;
  Str cluster_definition_inline;
  Str provider_components;
  std::vector<Catalog> catalogs;
  std::vector<Application> applications;

  Providers providers;

  bool operator==(const ClusterConfig&) const = default;
};

} // namespace ocne::config
