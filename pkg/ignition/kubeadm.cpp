#include "pkg/ignition/kubeadm.hpp"

#include "pkg/pki/ip.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <utility>

namespace ocne::ignition {

namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

std::string
endpoint(const std::string& host, unsigned port)
{
  const auto ip = pki::IpAddress::parse(host);
  return fmt::format("{}:{}", ip ? ip->url_host() : host, port);
}

// extraArgs: a map in v1beta3, a list of {name, value} in v1beta4.
void
emit_args(YAML::Emitter& out, KubeadmApi api, const char* key, const Args& args)
{
  if (args.empty()) {
    return;
  }
  out << YAML::Key << key << YAML::Value;
  if (api == KubeadmApi::v1beta3) {
    out << YAML::BeginMap;
    for (const auto& [name, value] : args) {
      out << YAML::Key << name << YAML::Value << value;
    }
    out << YAML::EndMap;
  } else {
    out << YAML::BeginSeq;
    for (const auto& [name, value] : args) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "value" << YAML::Value
          << value << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
}

Args
kubelet_args(const std::string& cipher_suites)
{
  Args args = { { "node-ip", std::string(k_node_ip_placeholder) },
                { "tls-min-version", "VersionTLS12" },
                { "address", "0.0.0.0" },
                { "authorization-mode", "AlwaysAllow" },
                { "volume-plugin-dir", "/var/lib/kubelet/volumeplugins" } };
  if (!cipher_suites.empty()) {
    args.emplace_back("tls-cipher-suites", cipher_suites);
  }
  return args;
}

Args
tls_args(const std::string& cipher_suites)
{
  Args args = { { "tls-min-version", "VersionTLS12" } };
  if (!cipher_suites.empty()) {
    args.emplace_back("tls-cipher-suites", cipher_suites);
  }
  return args;
}

void
emit_header(YAML::Emitter& out, KubeadmApi api, const char* kind)
{
  out << YAML::Key << "apiVersion" << YAML::Value << fmt::format("kubeadm.k8s.io/{}", to_string(api));
  out << YAML::Key << "kind" << YAML::Value << kind;
}

void
emit_patches(YAML::Emitter& out)
{
  out << YAML::Key << "patches" << YAML::Value << YAML::BeginMap << YAML::Key << "directory" << YAML::Value
      << std::string(k_patches_dir) << YAML::EndMap;
}

void
emit_strings(YAML::Emitter& out, const char* key, const std::vector<std::string>& values)
{
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& v : values) {
    out << v;
  }
  out << YAML::EndSeq;
}

} // namespace

KubeadmApi
kubeadm_api_for(std::string_view version)
{
  if (!version.empty() && version.front() == 'v') {
    version.remove_prefix(1);
  }
  unsigned major = 0;
  unsigned minor = 0;
  const char* end = version.data() + version.size();
  auto [p, ec] = std::from_chars(version.data(), end, major);
  if (ec == std::errc() && p != end && *p == '.') {
    std::from_chars(p + 1, end, minor);
  }
  return (major > 1 || (major == 1 && minor >= 31)) ? KubeadmApi::v1beta4 : KubeadmApi::v1beta3;
}

std::string_view
to_string(KubeadmApi api)
{
  return api == KubeadmApi::v1beta3 ? "v1beta3" : "v1beta4";
}

Secret
init_configuration_yaml(const InitOptions& o)
{
  YAML::Emitter init;
  init << YAML::BeginMap;
  emit_header(init, o.api, "InitConfiguration");
  if (!o.bootstrap_token.empty()) {
    init << YAML::Key << "bootstrapTokens" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    init << YAML::Key << "token" << YAML::Value << o.bootstrap_token.reveal();
    init << YAML::Key << "description" << YAML::Value << "created by ocne for joining nodes";
    init << YAML::Key << "ttl" << YAML::Value << "24h0m0s";
    emit_strings(init, "usages", { "signing", "authentication" });
    emit_strings(init, "groups", { "system:bootstrappers:kubeadm:default-node-token" });
    init << YAML::EndMap << YAML::EndSeq;
  }
  init << YAML::Key << "localAPIEndpoint" << YAML::Value << YAML::BeginMap;
  init << YAML::Key << "advertiseAddress" << YAML::Value << std::string(k_node_ip_placeholder);
  init << YAML::Key << "bindPort" << YAML::Value << o.bind_port << YAML::EndMap;
  init << YAML::Key << "nodeRegistration" << YAML::Value << YAML::BeginMap;
  emit_args(init, o.api, "kubeletExtraArgs", kubelet_args(o.cipher_suites));
  if (o.schedulable_control_plane) {
    init << YAML::Key << "taints" << YAML::Value << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  }
  init << YAML::EndMap;
  if (!o.certificate_key.empty()) {
    init << YAML::Key << "certificateKey" << YAML::Value << o.certificate_key.reveal();
  }
  // kubeadm installs kube-proxy and CoreDNS (with OCK's images, from
  // imageRepository and dns.imageTag); the CNI comes after (pkg/addons).
  emit_strings(init, "skipPhases", { "preflight" });
  emit_patches(init);
  init << YAML::EndMap;

  YAML::Emitter cluster;
  cluster << YAML::BeginMap;
  emit_header(cluster, o.api, "ClusterConfiguration");
  cluster << YAML::Key << "kubernetesVersion" << YAML::Value << o.kubernetes_version;
  cluster << YAML::Key << "imageRepository" << YAML::Value << o.image_repository;
  cluster << YAML::Key << "controlPlaneEndpoint" << YAML::Value << endpoint(o.api_address, o.api_port);
  cluster << YAML::Key << "networking" << YAML::Value << YAML::BeginMap;
  cluster << YAML::Key << "podSubnet" << YAML::Value << o.pod_subnet;
  cluster << YAML::Key << "serviceSubnet" << YAML::Value << o.service_subnet << YAML::EndMap;
  cluster << YAML::Key << "etcd" << YAML::Value << YAML::BeginMap << YAML::Key << "local" << YAML::Value
          << YAML::BeginMap;
  cluster << YAML::Key << "imageRepository" << YAML::Value << o.image_repository;
  cluster << YAML::Key << "imageTag" << YAML::Value << o.etcd_tag;
  Args etcd_args = { { "listen-metrics-urls", "http://0.0.0.0:2381" } };
  if (!o.cipher_suites.empty()) {
    etcd_args.emplace_back("cipher-suites", o.cipher_suites);
  }
  emit_args(cluster, o.api, "extraArgs", etcd_args);
  cluster << YAML::EndMap << YAML::EndMap;
  cluster << YAML::Key << "dns" << YAML::Value << YAML::BeginMap;
  cluster << YAML::Key << "imageRepository" << YAML::Value << o.image_repository;
  cluster << YAML::Key << "imageTag" << YAML::Value << o.coredns_tag << YAML::EndMap;
  cluster << YAML::Key << "apiServer" << YAML::Value << YAML::BeginMap;
  emit_args(cluster, o.api, "extraArgs", tls_args(o.cipher_suites));
  if (!o.cert_sans.empty()) {
    emit_strings(cluster, "certSANs", o.cert_sans);
  }
  cluster << YAML::EndMap;
  for (const auto* component : { "controllerManager", "scheduler" }) {
    cluster << YAML::Key << component << YAML::Value << YAML::BeginMap;
    emit_args(cluster, o.api, "extraArgs", tls_args(o.cipher_suites));
    cluster << YAML::EndMap;
  }
  cluster << YAML::EndMap;

  // kube-proxy: the configured mode, and the pod network for traffic it
  // tells apart from the cluster's own.
  YAML::Emitter proxy;
  proxy << YAML::BeginMap;
  proxy << YAML::Key << "apiVersion" << YAML::Value << "kubeproxy.config.k8s.io/v1alpha1";
  proxy << YAML::Key << "kind" << YAML::Value << "KubeProxyConfiguration";
  proxy << YAML::Key << "mode" << YAML::Value << o.kube_proxy_mode;
  proxy << YAML::Key << "clusterCIDR" << YAML::Value << o.pod_subnet;
  proxy << YAML::EndMap;
  return Secret(fmt::format("{}\n---\n{}\n---\n{}\n", init.c_str(), cluster.c_str(), proxy.c_str()));
}

Secret
join_configuration_yaml(const JoinOptions& o)
{
  YAML::Emitter out;
  out << YAML::BeginMap;
  emit_header(out, o.api, "JoinConfiguration");
  out << YAML::Key << "discovery" << YAML::Value << YAML::BeginMap << YAML::Key << "bootstrapToken" << YAML::Value
      << YAML::BeginMap;
  out << YAML::Key << "apiServerEndpoint" << YAML::Value << endpoint(o.api_address, o.api_port);
  out << YAML::Key << "token" << YAML::Value << o.bootstrap_token.reveal();
  emit_strings(out, "caCertHashes", { o.ca_cert_hash });
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "nodeRegistration" << YAML::Value << YAML::BeginMap;
  emit_args(out, o.api, "kubeletExtraArgs", kubelet_args(o.cipher_suites));
  out << YAML::EndMap;
  if (o.control_plane) {
    out << YAML::Key << "controlPlane" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "localAPIEndpoint" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "advertiseAddress" << YAML::Value << std::string(k_node_ip_placeholder);
    out << YAML::Key << "bindPort" << YAML::Value << o.bind_port << YAML::EndMap;
    out << YAML::Key << "certificateKey" << YAML::Value << o.certificate_key.reveal();
    out << YAML::EndMap;
  }
  emit_strings(out, "skipPhases", { "preflight" });
  emit_patches(out);
  out << YAML::EndMap;
  return Secret(std::string(out.c_str()) + "\n");
}

} // namespace ocne::ignition
