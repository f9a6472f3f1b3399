#include "pkg/cluster_templates/variables.hpp"

#include "pkg/cluster_templates/oci_network.hpp"
#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace ocne::cluster_templates {
namespace {

using Json = nlohmann::ordered_json;
using tmpl::Value;
using Ctx = TemplateContext;
using Args = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view k_volume_plugin_dir = "/var/lib/kubelet/volumeplugins";
constexpr std::string_view k_cri_socket = "/var/run/crio/crio.sock";
constexpr std::string_view k_patches_dir = "/etc/ocne/ock/patches";

Value
str(std::string_view s)
{
  return Value::string(std::string(s));
}

// A string, or no value (the key is left out) when empty.
Value
optional(std::string_view s)
{
  return s.empty() ? Value::omit() : str(s);
}

Value
cidrs(std::string_view list)
{
  return Value::node(Json(str::split_trimmed(list, ',')));
}

// Extra arguments as KubeadmControlPlane and KubeadmConfigTemplate v1beta1
// take them, a mapping: both stacks run Oracle's 1.10.8 kubeadm providers,
// which serve v1beta1 only (docs/components.md). None at all leaves the key out.
Value
args(const Ctx&, const Args& a)
{
  if (a.empty()) {
    return Value::omit();
  }
  Json out = Json::object();
  for (const auto& [name, value] : a) {
    out[name] = value;
  }
  return Value::node(out);
}

// TLS settings every control plane component gets (as ocne does for its
// own kubeadm configs).
Args
tls_args(const Ctx& c, std::string_view cipher_flag = "tls-cipher-suites", bool min_version = true)
{
  Args a;
  if (min_version) {
    a.emplace_back("tls-min-version", "VersionTLS12");
  }
  if (!c.config.cipher_suites.get().empty()) {
    a.emplace_back(std::string(cipher_flag), c.config.cipher_suites.get());
  }
  return a;
}

Value
kubelet_args(const Ctx& c)
{
  Args a{ { "cloud-provider", "external" } };
  if (c.provider == Provider::oci) {
    // Filled in on the node before kubeadm runs (see node_ignition.cpp).
    a.emplace_back("provider-id", "oci://{{ ds[\"id\"] }}");
  }
  a.emplace_back("volume-plugin-dir", std::string(k_volume_plugin_dir));
  if (!c.config.cipher_suites.get().empty()) {
    a.emplace_back("tls-cipher-suites", c.config.cipher_suites.get());
  }
  return args(c, a);
}

const config::OciShape&
cp_shape(const Ctx& c)
{
  return c.config.providers.oci.control_plane_shape;
}

const config::OciShape&
worker_shape(const Ctx& c)
{
  return c.config.providers.oci.worker_shape;
}

std::string
namespace_of(const Ctx& c)
{
  return c.provider == Provider::oci ? c.config.providers.oci.namespace_.get()
                                     : c.config.providers.oxide.namespace_.get();
}

// clang-format off
const std::vector<VariableSpec> k_specs = {
  // --- both providers ---
  {"CLUSTER_NAME", k_both, [](const Ctx& c) { return str(c.config.name.get()); }, "`name`"},
  {"NAMESPACE", k_both, [](const Ctx& c) { return str(namespace_of(c)); }, "`providers.<provider>.namespace`: namespace of every object"},
  {"KUBERNETES_VERSION", k_both, [](const Ctx& c) { return str("v" + c.kube.full); }, "full version for `kubernetesVersion` from ocne's version table, e.g. v1.33.5"},
  {"CONTROL_PLANE_MACHINE_COUNT", k_both, [](const Ctx& c) { return Value::integer(c.config.control_plane_nodes.get()); }, "`controlPlaneNodes`"},
  {"WORKER_MACHINE_COUNT", k_both, [](const Ctx& c) { return Value::integer(c.config.worker_nodes.get()); }, "`workerNodes` (0 when unset, as ocne's template)"},
  {"POD_CIDRS", k_both, [](const Ctx& c) { return cidrs(c.config.pod_subnet.get()); }, "`podSubnet` as a list"},
  {"SERVICE_CIDRS", k_both, [](const Ctx& c) { return cidrs(c.config.service_subnet.get()); }, "`serviceSubnet` as a list"},
  {"IMAGE_REPOSITORY", k_both, [](const Ctx& c) { return str(c.config.registry.get() + "/olcne"); }, "`registry` + `/olcne`: where kubeadm pulls control plane images"},
  {"ETCD_IMAGE_TAG", k_both, [](const Ctx& c) { return str(c.kube.etcd); }, "etcd tag from ocne's version table"},
  {"COREDNS_IMAGE_TAG", k_both, [](const Ctx& c) { return str(c.kube.coredns); }, "CoreDNS tag from ocne's version table"},
  {"CRI_SOCKET", k_both, [](const Ctx&) { return str(k_cri_socket); }, "CRI-O's socket"},
  {"KUBEADM_PATCHES_DIR", k_both, [](const Ctx&) { return str(k_patches_dir); }, "kubeadm patches folder on OCK nodes"},
  {"API_SERVER_EXTRA_ARGS", k_both, [](const Ctx& c) { return args(c, tls_args(c)); }, "`tls-min-version` and `cipherSuites`"},
  {"CONTROLLER_MANAGER_EXTRA_ARGS", k_both, [](const Ctx& c) { return args(c, tls_args(c)); }, "as API_SERVER_EXTRA_ARGS"},
  {"SCHEDULER_EXTRA_ARGS", k_both, [](const Ctx& c) { return args(c, tls_args(c)); }, "as API_SERVER_EXTRA_ARGS"},
  {"ETCD_EXTRA_ARGS", k_both, [](const Ctx& c) { return args(c, tls_args(c, "cipher-suites", false)); }, "`cipherSuites` for etcd; left out when unset"},
  {"KUBELET_EXTRA_ARGS", k_both, kubelet_args, "external cloud provider, OCI provider ID, volume plugin folder, `cipherSuites`"},
  {"IGNITION_CONFIG", k_both, [](const Ctx& c) { return str(c.ignition + "\n"); }, "Ignition merged into every node's bootstrap config (see below)"},
  // --- OCI ---
  {"OCI_COMPARTMENT_ID", k_oci, [](const Ctx& c) { return str(c.compartment_id); }, "`providers.oci.compartment`, a path resolved to its OCID"},
  {"OCI_VCN_CIDR", k_oci, [](const Ctx&) { return str(k_oci_vcn_cidr); }, "the cluster's VCN"},
  {"OCI_SUBNETS", k_oci, [](const Ctx&) { return Value::node(oci_subnets()); }, "the VCN's four subnets"},
  {"OCI_NETWORK_SECURITY_GROUPS", k_oci, [](const Ctx&) { return Value::node(oci_network_security_groups()); }, "one network security group per subnet role"},
  {"OCI_CONTROL_PLANE_IMAGE_ID", k_oci, [](const Ctx& c) { return str(c.control_plane_image); }, "`providers.oci.images.<arch>` for the control plane shape's architecture, else found by tags"},
  {"OCI_CONTROL_PLANE_MACHINE_TYPE", k_oci, [](const Ctx& c) { return str(cp_shape(c).shape.get()); }, "`providers.oci.controlPlaneShape.shape`"},
  {"OCI_CONTROL_PLANE_MACHINE_TYPE_OCPUS", k_oci, [](const Ctx& c) { return str(std::to_string(cp_shape(c).ocpus.get())); }, "`providers.oci.controlPlaneShape.ocpus`"},
  {"OCI_CONTROL_PLANE_BOOT_VOLUME_SIZE", k_oci, [](const Ctx& c) { return str(cp_shape(c).boot_volume_size_in_gbs.get()); }, "`providers.oci.controlPlaneShape.bootVolumeSizeInGBs`"},
  {"OCI_NODE_IMAGE_ID", k_oci, [](const Ctx& c) { return str(c.worker_image); }, "as OCI_CONTROL_PLANE_IMAGE_ID for the worker shape"},
  {"OCI_NODE_MACHINE_TYPE", k_oci, [](const Ctx& c) { return str(worker_shape(c).shape.get()); }, "`providers.oci.workerShape.shape`"},
  {"OCI_NODE_MACHINE_TYPE_OCPUS", k_oci, [](const Ctx& c) { return str(std::to_string(worker_shape(c).ocpus.get())); }, "`providers.oci.workerShape.ocpus`"},
  {"OCI_NODE_BOOT_VOLUME_SIZE", k_oci, [](const Ctx& c) { return str(worker_shape(c).boot_volume_size_in_gbs.get()); }, "`providers.oci.workerShape.bootVolumeSizeInGBs`"},
  {"OCI_INSTANCE_METADATA", k_oci, [](const Ctx& c) { return c.ssh_keys.empty() ? Value::omit() : Value::node(Json{{"ssh_authorized_keys", str::join(c.ssh_keys, "\n")}}); }, "instance metadata: the SSH key; left out without one"},
  // --- Oxide ---
  {"API_SERVER_PORT", k_oxide, [](const Ctx& c) { return Value::integer(c.config.kube_api_server_bind_port.get()); }, "`kubeApiServerBindPort`"},
  {"OXIDE_CREDENTIALS_SECRET", k_oxide, [](const Ctx& c) { return str(oxide_credentials_secret(c.config.name.get())); }, "Secret with the Oxide credentials, created by `cluster start`"},
  {"OXIDE_PROJECT", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.project.get()); }, "`providers.oxide.project`"},
  {"OXIDE_VPC", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.vpc.get()); }, "`providers.oxide.vpc`"},
  {"OXIDE_SUBNET", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.subnet.get()); }, "`providers.oxide.subnet`"},
  {"OXIDE_CONTROL_PLANE_HOST", k_oxide, [](const Ctx& c) { return optional(c.config.providers.oxide.control_plane_endpoint.get()); }, "`providers.oxide.controlPlaneEndpoint`; left out to let CAPOx allocate a floating IP"},
  {"OXIDE_IP_POOL", k_oxide, [](const Ctx& c) { return optional(c.config.providers.oxide.ip_pool.get()); }, "`providers.oxide.ipPool`; left out when unset"},
  {"OXIDE_IMAGE_ID", k_oxide, [](const Ctx& c) { return str(c.oxide_image); }, "UUID of `providers.oxide.images.amd64`, else of the image named `providers.oxide.imageName`"},
  {"OXIDE_CONTROL_PLANE_NCPUS", k_oxide, [](const Ctx& c) { return Value::integer(c.config.providers.oxide.control_plane_machine.cpus.get()); }, "`providers.oxide.controlPlaneMachine.cpus`"},
  {"OXIDE_CONTROL_PLANE_MEMORY", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.control_plane_machine.memory.get()); }, "`providers.oxide.controlPlaneMachine.memory`"},
  {"OXIDE_CONTROL_PLANE_DISK_SIZE", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.control_plane_machine.disk_size.get()); }, "`providers.oxide.controlPlaneMachine.diskSize`"},
  {"OXIDE_WORKER_NCPUS", k_oxide, [](const Ctx& c) { return Value::integer(c.config.providers.oxide.worker_machine.cpus.get()); }, "`providers.oxide.workerMachine.cpus`"},
  {"OXIDE_WORKER_MEMORY", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.worker_machine.memory.get()); }, "`providers.oxide.workerMachine.memory`"},
  {"OXIDE_WORKER_DISK_SIZE", k_oxide, [](const Ctx& c) { return str(c.config.providers.oxide.worker_machine.disk_size.get()); }, "`providers.oxide.workerMachine.diskSize`"},
  {"OXIDE_SSH_PUBLIC_KEYS", k_oxide, [](const Ctx& c) { const auto& k = c.config.providers.oxide.ssh_keys.get(); return k.empty() ? Value::omit() : Value::node(Json(k)); }, "`providers.oxide.sshKeys`; left out when empty"},
};
// clang-format on

} // namespace

std::string_view
to_string(Provider provider)
{
  return provider == Provider::oci ? "oci" : "oxide";
}

const std::vector<VariableSpec>&
variable_specs()
{
  return k_specs;
}

tmpl::Variables
template_variables(const TemplateContext& ctx)
{
  const unsigned mask = ctx.provider == Provider::oci ? k_oci : k_oxide;
  tmpl::Variables out;
  for (const auto& spec : k_specs) {
    if ((spec.providers & mask) != 0) {
      out.set(std::string(spec.name), spec.value(ctx));
    }
  }
  return out;
}

std::string
oxide_credentials_secret(std::string_view cluster_name)
{
  return std::string(cluster_name) + "-oxide-credentials";
}

} // namespace ocne::cluster_templates
