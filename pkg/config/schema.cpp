#include "pkg/config/schema.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace ocne::config {

namespace {

// Builds one row. The lambda gives the member the key maps to.
#define OCNE_KEY(key_, member_, kind_, scope_, default_, help_)                                                        \
  Field                                                                                                                \
  {                                                                                                                    \
    key_, kind_, scope_, default_, [](ClusterConfig& c) -> FieldRef { return &c.member_; },                            \
      std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), k_plain, help_               \
  }

Field
with_range(Field f, std::int64_t min, std::int64_t max)
{
  f.min = min;
  f.max = max;
  return f;
}

Field
with(Field f, unsigned treatment)
{
  f.treatment |= treatment;
  return f;
}

constexpr auto S = Kind::string;
constexpr auto I = Kind::integer;
constexpr auto B = Kind::boolean;
constexpr auto L = Kind::string_list;
constexpr auto Y = Kind::yaml;
constexpr unsigned D = k_defaults_file;
constexpr unsigned C = k_cluster_file;
constexpr unsigned A = k_anywhere;
constexpr std::int64_t k_max_nodes = 65535;
constexpr std::int64_t k_max_port = 65535;

std::vector<Field>
build_table()
{
  std::vector<Field> t;
  const auto add = [&t](Field f) { t.push_back(f); };

  // --- the cluster itself (cluster file only, as in ocne) ---
  add(OCNE_KEY("name", name, S, C, "", "cluster name; ocne's default is 'ocne'"));
  add(OCNE_KEY("provider", provider, S, C, "", "libvirt, oci or oxide; default libvirt (oci for 'cluster template')"));
  add(with(OCNE_KEY("directory",
                    directory,
                    S,
                    C,
                    "",
                    "folder relative paths are resolved against; default: the cluster file's folder"),
           k_path));
  add(with_range(
    OCNE_KEY("workerNodes", worker_nodes, I, C, "", "number of worker nodes (oci and oxide start: 1 when unset)"),
    0,
    k_max_nodes));
  add(with_range(OCNE_KEY("controlPlaneNodes",
                          control_plane_nodes,
                          I,
                          C,
                          "",
                          "number of control plane nodes; 1 when unset; odd for oci and oxide"),
                 0,
                 k_max_nodes));
  add(OCNE_KEY("virtualIp", virtual_ip, S, C, "", "virtual IP of the Kubernetes API (libvirt)"));
  add(OCNE_KEY(
    "loadBalancer", load_balancer, S, C, "", "external load balancer address of the Kubernetes API (libvirt)"));

  // --- defaults.yaml only (as in ocne) ---
  add(with(OCNE_KEY("kubeconfig", kubeconfig, S, D, "", "kubeconfig of the management cluster"), k_path));
  add(OCNE_KEY("autoStartUI", auto_start_ui, S, D, "true", "kept for compatibility; this ocne never opens a browser"));
  add(OCNE_KEY("quiet", quiet, B, D, "false", "fewer log lines"));
  add(OCNE_KEY(
    "ephemeralCluster.name", ephemeral_cluster.name, S, D, "ocne-ephemeral", "name of the local bootstrap cluster"));
  add(OCNE_KEY(
    "ephemeralCluster.preserve", ephemeral_cluster.preserve, B, D, "false", "keep the ephemeral cluster after use"));
  add(with_range(
    OCNE_KEY("ephemeralCluster.node.cpu", ephemeral_cluster.node.cpu, I, D, "2", "vCPUs of the ephemeral cluster node"),
    1,
    1024));
  add(with(OCNE_KEY("ephemeralCluster.node.memory",
                    ephemeral_cluster.node.memory,
                    S,
                    D,
                    "4194304Ki",
                    "memory of the ephemeral cluster node"),
           k_quantity));
  add(with(OCNE_KEY("ephemeralCluster.node.storage",
                    ephemeral_cluster.node.storage,
                    S,
                    D,
                    "30Gi",
                    "disk of the ephemeral cluster node"),
           k_quantity));

  // --- common keys (defaults.yaml and cluster file) ---
  add(OCNE_KEY("proxy.httpsProxy", proxy.https_proxy, S, A, "", "HTTPS proxy for the nodes"));
  add(OCNE_KEY("proxy.httpProxy", proxy.http_proxy, S, A, "", "HTTP proxy for the nodes"));
  add(OCNE_KEY("proxy.noProxy", proxy.no_proxy, S, A, "", "comma-separated hosts that bypass the proxy"));
  add(with_range(
    OCNE_KEY("kubeApiServerBindPort", kube_api_server_bind_port, I, A, "6443", "Kubernetes API port"), 1, k_max_port));
  add(with_range(OCNE_KEY("kubeApiServerBindPortAlt",
                          kube_api_server_bind_port_alt,
                          I,
                          A,
                          "6444",
                          "API server port behind the internal load balancer"),
                 1,
                 k_max_port));
  add(with(OCNE_KEY("podSubnet", pod_subnet, S, A, "10.244.0.0/16", "pod CIDR(s), comma-separated for dual stack"),
           k_cidrs));
  add(with(
    OCNE_KEY("serviceSubnet", service_subnet, S, A, "10.96.0.0/12", "service CIDR(s), comma-separated for dual stack"),
    k_cidrs));
  add(
    OCNE_KEY("registry", registry, S, A, "container-registry.oracle.com", "container registry for Kubernetes images"));
  add(OCNE_KEY("certificateInformation.country", certificate_information.country, S, A, "US", "CA subject country"));
  add(OCNE_KEY("certificateInformation.org", certificate_information.org, S, A, "OCNE", "CA subject organization"));
  add(OCNE_KEY("certificateInformation.orgUnit",
               certificate_information.org_unit,
               S,
               A,
               "OCNE",
               "CA subject organizational unit"));
  add(OCNE_KEY("certificateInformation.state", certificate_information.state, S, A, "TX", "CA subject state"));
  add(OCNE_KEY("osRegistry",
               os_registry,
               S,
               A,
               "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree",
               "ostree registry for node OS updates"));
  add(OCNE_KEY("osTag", os_tag, S, A, "1.33", "tag of the node OS image; follows kubernetesVersion unless set"));
  add(OCNE_KEY("kubeProxyMode", kube_proxy_mode, S, A, "iptables", "kube-proxy mode: iptables, ipvs or nftables"));
  add(OCNE_KEY("bootVolumeContainerImage",
               boot_volume_container_image,
               S,
               A,
               "docker://container-registry.oracle.com/olcne/ock",
               "container image holding the node boot disk"));
  add(OCNE_KEY("cni", cni, S, A, "", "CNI to install: empty or flannel; none for no CNI"));
  add(OCNE_KEY("headless", headless, B, A, "false", "do not install the UI"));
  add(OCNE_KEY("catalog", catalog, B, A, "true", "install the Oracle application catalog"));
  add(OCNE_KEY("communityCatalog", community_catalog, B, A, "false", "install the community (ArtifactHub) catalog"));
  add(OCNE_KEY("kubernetesVersion", kubernetes_version, S, A, "1.33", "Kubernetes minor version"));
  add(with(OCNE_KEY("sshPublicKeyPath",
                    ssh_public_key_path,
                    S,
                    A,
                    "",
                    "SSH public key file for user ocne; default ~/.ssh/id_rsa.pub when it exists"),
           k_path));
  add(OCNE_KEY("sshPublicKey", ssh_public_key, S, A, "", "SSH public key for user ocne (wins over sshPublicKeyPath)"));
  add(OCNE_KEY("password", password, S, A, "", "SHA512 crypt hash of the password of user ocne"));
  add(with(
    OCNE_KEY("extraIgnition", extra_ignition, S, A, "", "Ignition (or Butane) file or folder merged into node configs"),
    k_path));
  add(OCNE_KEY("extraIgnitionInline", extra_ignition_inline, S, A, "", "Ignition merged into node configs"));
  add(OCNE_KEY("cipherSuites", cipher_suites, S, C, "", "TLS cipher suites for Kubernetes components"));
  add(with(OCNE_KEY("clusterDefinition",
                    cluster_definition,
                    S,
                    A,
                    "",
                    "file of Cluster API resources to apply instead of the template"),
           k_path));
  add(OCNE_KEY("clusterDefinitionInline",
               cluster_definition_inline,
               S,
               A,
               "",
               "Cluster API resources to apply instead of the template"));
  add(OCNE_KEY("providerComponents",
               provider_components,
               S,
               A,
               "",
               "Cluster API components source: a folder laid out like clusterctl's overrides folder, or a base URL"));
  add(Field{ "catalogs",
             Kind::catalogs,
             C,
             "",
             [](ClusterConfig& c) -> FieldRef { return &c.catalogs; },
             0,
             0,
             k_plain,
             "extra application catalogs: name, uri, protocol, namespace" });
  add(Field{ "applications",
             Kind::applications,
             C,
             "",
             [](ClusterConfig& c) -> FieldRef { return &c.applications; },
             0,
             0,
             k_plain,
             "applications to install: name, release, version, catalog, namespace, config, configFrom" });

  // --- providers.libvirt ---
  add(OCNE_KEY("providers.libvirt.uri",
               providers.libvirt.uri,
               S,
               A,
               "qemu:///session",
               "libvirt connection URI (user@host means qemu+ssh://user@host/system)"));
  add(OCNE_KEY(
    "providers.libvirt.sshKey", providers.libvirt.ssh_key, S, A, "", "kept for compatibility (unused by ocne)"));
  add(
    OCNE_KEY("providers.libvirt.storagePool", providers.libvirt.storage_pool, S, A, "images", "libvirt storage pool"));
  add(OCNE_KEY("providers.libvirt.network", providers.libvirt.network, S, A, "default", "libvirt network"));
  add(with(OCNE_KEY("providers.libvirt.slirpSubnet",
                    providers.libvirt.slirp_subnet,
                    S,
                    A,
                    "192.18.255.0/24",
                    "subnet of user-mode networking"),
           k_cidrs));
  add(OCNE_KEY("providers.libvirt.bootVolumeName",
               providers.libvirt.boot_volume_name,
               S,
               A,
               "boot.qcow2",
               "name of the base boot volume"));
  add(OCNE_KEY("providers.libvirt.bootVolumeContainerImagePath",
               providers.libvirt.boot_volume_container_image_path,
               S,
               A,
               "disk/boot.qcow2",
               "path of the boot disk inside the container image"));
  add(OCNE_KEY("providers.libvirt.secureBoot", providers.libvirt.secure_boot, B, A, "false", "UEFI secure boot"));
  add(OCNE_KEY("providers.libvirt.smm", providers.libvirt.smm, B, A, "false", "system management mode (x86_64)"));
  add(with_range(OCNE_KEY("providers.libvirt.controlPlaneNode.cpu",
                          providers.libvirt.control_plane_node.cpu,
                          I,
                          A,
                          "2",
                          "vCPUs of control plane nodes"),
                 1,
                 1024));
  add(with(OCNE_KEY("providers.libvirt.controlPlaneNode.memory",
                    providers.libvirt.control_plane_node.memory,
                    S,
                    A,
                    "4194304Ki",
                    "memory of control plane nodes"),
           k_quantity));
  add(with(OCNE_KEY("providers.libvirt.controlPlaneNode.storage",
                    providers.libvirt.control_plane_node.storage,
                    S,
                    A,
                    "20Gi",
                    "disk of control plane nodes"),
           k_quantity));
  add(with_range(
    OCNE_KEY("providers.libvirt.workerNode.cpu", providers.libvirt.worker_node.cpu, I, A, "2", "vCPUs of worker nodes"),
    1,
    1024));
  add(with(OCNE_KEY("providers.libvirt.workerNode.memory",
                    providers.libvirt.worker_node.memory,
                    S,
                    A,
                    "4194304Ki",
                    "memory of worker nodes"),
           k_quantity));
  add(with(OCNE_KEY("providers.libvirt.workerNode.storage",
                    providers.libvirt.worker_node.storage,
                    S,
                    A,
                    "20Gi",
                    "disk of worker nodes"),
           k_quantity));

  // --- providers.oci ---
  add(with(
    OCNE_KEY("providers.oci.kubeconfig", providers.oci.kubeconfig, S, A, "", "kubeconfig of the management cluster"),
    k_path));
  add(OCNE_KEY("providers.oci.compartment",
               providers.oci.compartment,
               S,
               A,
               "",
               "compartment OCID or path (a/b/c); required by start"));
  add(OCNE_KEY("providers.oci.profile", providers.oci.profile, S, A, "DEFAULT", "profile in ~/.oci/config"));
  add(OCNE_KEY(
    "providers.oci.namespace", providers.oci.namespace_, S, A, "ocne", "namespace of the Cluster API resources"));
  add(OCNE_KEY(
    "providers.oci.images.amd64", providers.oci.images.amd64, S, A, "", "amd64 image OCID (found by tags when empty)"));
  add(OCNE_KEY(
    "providers.oci.images.arm64", providers.oci.images.arm64, S, A, "", "arm64 image OCID (found by tags when empty)"));
  add(OCNE_KEY("providers.oci.imageBucket",
               providers.oci.image_bucket,
               S,
               A,
               "ocne-images",
               "Object Storage bucket for image uploads"));
  add(OCNE_KEY("providers.oci.controlPlaneShape.shape",
               providers.oci.control_plane_shape.shape,
               S,
               A,
               "VM.Standard.A1.Flex",
               "control plane shape"));
  add(with_range(OCNE_KEY("providers.oci.controlPlaneShape.ocpus",
                          providers.oci.control_plane_shape.ocpus,
                          I,
                          A,
                          "2",
                          "control plane OCPUs"),
                 1,
                 1024));
  add(OCNE_KEY("providers.oci.controlPlaneShape.bootVolumeSizeInGBs",
               providers.oci.control_plane_shape.boot_volume_size_in_gbs,
               S,
               A,
               "50",
               "control plane boot volume size in GB"));
  add(OCNE_KEY(
    "providers.oci.workerShape.shape", providers.oci.worker_shape.shape, S, A, "VM.Standard.E4.Flex", "worker shape"));
  add(with_range(
    OCNE_KEY("providers.oci.workerShape.ocpus", providers.oci.worker_shape.ocpus, I, A, "4", "worker OCPUs"), 1, 1024));
  add(OCNE_KEY("providers.oci.workerShape.bootVolumeSizeInGBs",
               providers.oci.worker_shape.boot_volume_size_in_gbs,
               S,
               A,
               "50",
               "worker boot volume size in GB"));
  add(OCNE_KEY("providers.oci.selfManaged",
               providers.oci.self_managed,
               B,
               A,
               "false",
               "move the Cluster API resources into the new cluster"));
  add(OCNE_KEY("providers.oci.loadBalancer.subnet1",
               providers.oci.load_balancer.subnet1,
               S,
               A,
               "",
               "first load balancer subnet (found when empty)"));
  add(OCNE_KEY("providers.oci.loadBalancer.subnet2",
               providers.oci.load_balancer.subnet2,
               S,
               A,
               "",
               "second load balancer subnet (found when empty)"));
  add(OCNE_KEY("providers.oci.vcn", providers.oci.vcn, S, A, "", "VCN OCID (found when empty)"));
  add(OCNE_KEY("providers.oci.proxy.httpsProxy",
               providers.oci.proxy.https_proxy,
               S,
               A,
               "",
               "HTTPS proxy for the Cluster API controllers this start installs (HTTPS_PROXY; see components.md)"));
  add(OCNE_KEY("providers.oci.proxy.httpProxy",
               providers.oci.proxy.http_proxy,
               S,
               A,
               "",
               "HTTP proxy for the Cluster API controllers this start installs (HTTP_PROXY; see components.md)"));
  add(OCNE_KEY("providers.oci.proxy.noProxy",
               providers.oci.proxy.no_proxy,
               S,
               A,
               "",
               "no-proxy list for the Cluster API controllers this start installs (NO_PROXY; see components.md)"));
  add(with(OCNE_KEY("providers.oci.template",
                    providers.oci.template_,
                    S,
                    A,
                    "",
                    "Cluster API template file used instead of the built-in capi-oci.yaml"),
           k_path));

  // --- providers.oxide (not in Oracle's ocne) ---
  add(
    with(OCNE_KEY(
           "providers.oxide.kubeconfig", providers.oxide.kubeconfig, S, A, "", "kubeconfig of the management cluster"),
         k_path));
  add(OCNE_KEY(
    "providers.oxide.profile", providers.oxide.profile, S, A, "", "profile in ~/.config/oxide/credentials.toml"));
  add(OCNE_KEY(
    "providers.oxide.host", providers.oxide.host, S, A, "", "Oxide silo API URL; else OXIDE_HOST or the profile"));
  add(OCNE_KEY("providers.oxide.project",
               providers.oxide.project,
               S,
               A,
               "",
               "Oxide project name; required by start and template"));
  add(OCNE_KEY("providers.oxide.vpc", providers.oxide.vpc, S, A, "default", "VPC name"));
  add(OCNE_KEY("providers.oxide.subnet", providers.oxide.subnet, S, A, "default", "VPC subnet name"));
  add(OCNE_KEY(
    "providers.oxide.namespace", providers.oxide.namespace_, S, A, "ocne", "namespace of the Cluster API resources"));
  add(OCNE_KEY("providers.oxide.images.amd64", providers.oxide.images.amd64, S, A, "", "amd64 image name or UUID"));
  add(OCNE_KEY("providers.oxide.imageName",
               providers.oxide.image_name,
               S,
               A,
               "",
               "name of the uploaded image; default ocne-<kubernetesVersion> with dots as dashes"));
  add(with_range(OCNE_KEY("providers.oxide.controlPlaneMachine.cpus",
                          providers.oxide.control_plane_machine.cpus,
                          I,
                          A,
                          "2",
                          "control plane vCPUs"),
                 1,
                 64));
  add(with(OCNE_KEY("providers.oxide.controlPlaneMachine.memory",
                    providers.oxide.control_plane_machine.memory,
                    S,
                    A,
                    "8Gi",
                    "control plane memory (whole GiB)"),
           k_quantity | k_whole_gib));
  add(with(OCNE_KEY("providers.oxide.controlPlaneMachine.diskSize",
                    providers.oxide.control_plane_machine.disk_size,
                    S,
                    A,
                    "50Gi",
                    "control plane boot disk (whole GiB, at most 1023Gi)"),
           k_quantity | k_whole_gib));
  add(with_range(
    OCNE_KEY("providers.oxide.workerMachine.cpus", providers.oxide.worker_machine.cpus, I, A, "4", "worker vCPUs"),
    1,
    64));
  add(with(OCNE_KEY("providers.oxide.workerMachine.memory",
                    providers.oxide.worker_machine.memory,
                    S,
                    A,
                    "16Gi",
                    "worker memory (whole GiB)"),
           k_quantity | k_whole_gib));
  add(with(OCNE_KEY("providers.oxide.workerMachine.diskSize",
                    providers.oxide.worker_machine.disk_size,
                    S,
                    A,
                    "50Gi",
                    "worker boot disk (whole GiB, at most 1023Gi)"),
           k_quantity | k_whole_gib));
  add(
    OCNE_KEY("providers.oxide.ipPool", providers.oxide.ip_pool, S, A, "", "IP pool of the control plane floating IP"));
  add(OCNE_KEY("providers.oxide.controlPlaneEndpoint",
               providers.oxide.control_plane_endpoint,
               S,
               A,
               "",
               "fixed control plane IP (else one is allocated)"));
  add(OCNE_KEY(
    "providers.oxide.sshKeys", providers.oxide.ssh_keys, L, A, "", "names of the user's Oxide SSH keys to inject"));
  add(OCNE_KEY("providers.oxide.selfManaged",
               providers.oxide.self_managed,
               B,
               A,
               "false",
               "move the Cluster API resources into the new cluster"));
  add(OCNE_KEY("providers.oxide.proxy.httpsProxy",
               providers.oxide.proxy.https_proxy,
               S,
               A,
               "",
               "HTTPS proxy for the Cluster API controllers this start installs (HTTPS_PROXY; see components.md)"));
  add(OCNE_KEY("providers.oxide.proxy.httpProxy",
               providers.oxide.proxy.http_proxy,
               S,
               A,
               "",
               "HTTP proxy for the Cluster API controllers this start installs (HTTP_PROXY; see components.md)"));
  add(OCNE_KEY("providers.oxide.proxy.noProxy",
               providers.oxide.proxy.no_proxy,
               S,
               A,
               "",
               "no-proxy list for the Cluster API controllers this start installs (NO_PROXY; see components.md)"));
  add(with(OCNE_KEY("providers.oxide.template",
                    providers.oxide.template_,
                    S,
                    A,
                    "",
                    "Cluster API template file used instead of the built-in capi-oxide.yaml"),
           k_path));

  // --- ocne providers we accept but do not support ---
  add(OCNE_KEY("providers.olvm",
               providers.olvm,
               Y,
               A,
               "",
               "Oracle Linux Virtualization Manager settings (accepted, not supported)"));
  add(OCNE_KEY("providers.byo", providers.byo, Y, A, "", "bring-your-own settings (accepted, not supported)"));
  return t;
}

#undef OCNE_KEY

const std::map<std::string_view, std::string_view>&
aliases()
{
  // ocne's manual pages spell this key "cpus"; its code reads "cpu". Accept both.
  static const std::map<std::string_view, std::string_view> k_aliases = {
    { "ephemeralCluster.node.cpus", "ephemeralCluster.node.cpu" },
  };
  return k_aliases;
}

} // namespace

std::string_view
to_string(Kind kind)
{
  switch (kind) {
    case Kind::string:
      return "string";
    case Kind::integer:
      return "integer";
    case Kind::boolean:
      return "boolean";
    case Kind::string_list:
      return "list of strings";
    case Kind::catalogs:
    case Kind::applications:
      return "list of mappings";
    case Kind::yaml:
      return "mapping";
  }
  return "value";
}

const std::vector<Field>&
fields()
{
  static const std::vector<Field> k_fields = build_table();
  return k_fields;
}

std::string_view
canonical_key(std::string_view key)
{
  const auto& a = aliases();
  const auto it = a.find(key);
  return it == a.end() ? key : it->second;
}

const Field*
find_field(std::string_view key)
{
  static const auto k_index = [] {
    std::map<std::string_view, const Field*> index;
    for (const auto& f : fields()) {
      index.emplace(f.key, &f);
    }
    return index;
  }();
  const auto it = k_index.find(canonical_key(key));
  return it == k_index.end() ? nullptr : it->second;
}

bool
is_group(std::string_view key)
{
  static const auto k_groups = [] {
    std::set<std::string, std::less<>> groups;
    for (const auto& f : fields()) {
      std::string_view k = f.key;
      for (auto pos = k.rfind('.'); pos != std::string_view::npos; pos = k.rfind('.')) {
        k = k.substr(0, pos);
        groups.emplace(k);
      }
    }
    return groups;
  }();
  return k_groups.count(key) != 0;
}

} // namespace ocne::config
