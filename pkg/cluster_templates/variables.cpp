#include "pkg/cluster_templates/variables.hpp"

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
  a.insert(a.end(), c.kubelet_args.begin(), c.kubelet_args.end());
  a.emplace_back("volume-plugin-dir", std::string(k_volume_plugin_dir));
  if (!c.config.cipher_suites.get().empty()) {
    a.emplace_back("tls-cipher-suites", c.config.cipher_suites.get());
  }
  return args(c, a);
}

// clang-format off
const std::vector<VariableSpec> k_specs = {
  {"CLUSTER_NAME", [](const Ctx& c) { return str(c.config.name.get()); }, "`name`"},
  {"NAMESPACE", [](const Ctx& c) { return str(c.namespace_); }, "`providers.<provider>.namespace`: namespace of every object"},
  {"KUBERNETES_VERSION", [](const Ctx& c) { return str("v" + c.kube.full); }, "full version for `kubernetesVersion` from ocne's version table, e.g. v1.33.5"},
  {"CONTROL_PLANE_MACHINE_COUNT", [](const Ctx& c) { return Value::integer(c.config.control_plane_nodes.get()); }, "`controlPlaneNodes`"},
  {"WORKER_MACHINE_COUNT", [](const Ctx& c) { return Value::integer(c.config.worker_nodes.get()); }, "`workerNodes` (0 when unset, as ocne's template)"},
  {"POD_CIDRS", [](const Ctx& c) { return cidrs(c.config.pod_subnet.get()); }, "`podSubnet` as a list"},
  {"SERVICE_CIDRS", [](const Ctx& c) { return cidrs(c.config.service_subnet.get()); }, "`serviceSubnet` as a list"},
  {"IMAGE_REPOSITORY", [](const Ctx& c) { return str(c.config.registry.get() + "/olcne"); }, "`registry` + `/olcne`: where kubeadm pulls control plane images"},
  {"ETCD_IMAGE_TAG", [](const Ctx& c) { return str(c.kube.etcd); }, "etcd tag from ocne's version table"},
  {"COREDNS_IMAGE_TAG", [](const Ctx& c) { return str(c.kube.coredns); }, "CoreDNS tag from ocne's version table"},
  {"CRI_SOCKET", [](const Ctx&) { return str(k_cri_socket); }, "CRI-O's socket"},
  {"KUBEADM_PATCHES_DIR", [](const Ctx&) { return str(k_patches_dir); }, "kubeadm patches folder on OCK nodes"},
  {"API_SERVER_EXTRA_ARGS", [](const Ctx& c) { return args(c, tls_args(c)); }, "`tls-min-version` and `cipherSuites`"},
  {"CONTROLLER_MANAGER_EXTRA_ARGS", [](const Ctx& c) { return args(c, tls_args(c)); }, "as API_SERVER_EXTRA_ARGS"},
  {"SCHEDULER_EXTRA_ARGS", [](const Ctx& c) { return args(c, tls_args(c)); }, "as API_SERVER_EXTRA_ARGS"},
  {"ETCD_EXTRA_ARGS", [](const Ctx& c) { return args(c, tls_args(c, "cipher-suites", false)); }, "`cipherSuites` for etcd; left out when unset"},
  {"KUBELET_EXTRA_ARGS", kubelet_args, "external cloud provider, OCI provider ID, volume plugin folder, `cipherSuites`"},
  {"IGNITION_CONFIG", [](const Ctx& c) { return str(c.ignition + "\n"); }, "Ignition merged into every node's bootstrap config (see below)"},
};
// clang-format on

} // namespace

std::string
TemplateContext::lookup(std::string_view name) const
{
  const auto it = found.find(name);
  return it == found.end() ? std::string() : it->second;
}

const std::vector<VariableSpec>&
shared_variable_specs()
{
  return k_specs;
}

tmpl::Variables
template_variables(const TemplateContext& ctx, const std::vector<VariableSpec>& cloud_rows)
{
  tmpl::Variables out;
  for (const auto* rows : { &k_specs, &cloud_rows }) {
    for (const auto& spec : *rows) {
      out.set(std::string(spec.name), spec.value(ctx));
    }
  }
  return out;
}

} // namespace ocne::cluster_templates
