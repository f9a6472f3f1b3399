#include "pkg/ignition/kubeadm.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace ocne::ignition {
namespace {

std::vector<YAML::Node>
documents(const Secret& text)
{
  return YAML::LoadAll(text.reveal());
}

InitOptions
init_options(KubeadmApi api)
{
  InitOptions o;
  o.api = api;
  o.kubernetes_version = "1.33.5";
  o.etcd_tag = "3.5.23";
  o.coredns_tag = "current";
  o.api_address = "192.168.122.201";
  o.bind_port = 6444;
  o.cert_sans = { "127.0.0.1" };
  o.bootstrap_token = Secret("abcdef.0123456789abcdef");
  o.certificate_key = Secret("00ff");
  return o;
}

TEST(Kubeadm, ApiVersionFollowsKubernetesVersion)
{
  EXPECT_EQ(kubeadm_api_for("1.30.3"), KubeadmApi::v1beta3);
  EXPECT_EQ(kubeadm_api_for("v1.31.0"), KubeadmApi::v1beta4);
  EXPECT_EQ(kubeadm_api_for("1.33"), KubeadmApi::v1beta4);
  EXPECT_EQ(kubeadm_api_for("1.26.6"), KubeadmApi::v1beta3);
}

TEST(Kubeadm, InitV1beta4)
{
  auto options = init_options(KubeadmApi::v1beta4);
  options.kube_proxy_mode = "nftables";
  const auto docs = documents(init_configuration_yaml(options));
  ASSERT_EQ(docs.size(), 3u);
  const auto& init = docs[0];
  EXPECT_EQ(init["apiVersion"].as<std::string>(), "kubeadm.k8s.io/v1beta4");
  EXPECT_EQ(init["kind"].as<std::string>(), "InitConfiguration");
  EXPECT_EQ(init["localAPIEndpoint"]["advertiseAddress"].as<std::string>(), "NODE_IP");
  EXPECT_EQ(init["localAPIEndpoint"]["bindPort"].as<int>(), 6444);
  EXPECT_EQ(init["bootstrapTokens"][0]["token"].as<std::string>(), "abcdef.0123456789abcdef");
  EXPECT_EQ(init["bootstrapTokens"][0]["groups"][0].as<std::string>(),
            "system:bootstrappers:kubeadm:default-node-token");
  EXPECT_EQ(init["certificateKey"].as<std::string>(), "00ff");
  const auto args = init["nodeRegistration"]["kubeletExtraArgs"];
  ASSERT_TRUE(args.IsSequence());
  EXPECT_EQ(args[0]["name"].as<std::string>(), "node-ip");
  EXPECT_EQ(args[0]["value"].as<std::string>(), "NODE_IP");
  EXPECT_FALSE(init["nodeRegistration"]["taints"]); // kubeadm's default taint stays
  // kubeadm installs kube-proxy and CoreDNS: only preflight is skipped.
  ASSERT_EQ(init["skipPhases"].size(), 1u);
  EXPECT_EQ(init["skipPhases"][0].as<std::string>(), "preflight");
  EXPECT_EQ(init["patches"]["directory"].as<std::string>(), "/etc/ocne/ock/patches");
  const auto& cluster = docs[1];
  EXPECT_EQ(cluster["kind"].as<std::string>(), "ClusterConfiguration");
  EXPECT_EQ(cluster["kubernetesVersion"].as<std::string>(), "1.33.5");
  EXPECT_EQ(cluster["controlPlaneEndpoint"].as<std::string>(), "192.168.122.201:6443");
  EXPECT_EQ(cluster["networking"]["podSubnet"].as<std::string>(), "10.244.0.0/16");
  EXPECT_EQ(cluster["etcd"]["local"]["imageTag"].as<std::string>(), "3.5.23");
  EXPECT_EQ(cluster["etcd"]["local"]["extraArgs"][0]["name"].as<std::string>(), "listen-metrics-urls");
  EXPECT_EQ(cluster["dns"]["imageTag"].as<std::string>(), "current");
  EXPECT_EQ(cluster["apiServer"]["certSANs"][0].as<std::string>(), "127.0.0.1");
  EXPECT_EQ(cluster["apiServer"]["extraArgs"][0]["value"].as<std::string>(), "VersionTLS12");
  EXPECT_EQ(cluster["scheduler"]["extraArgs"][0]["name"].as<std::string>(), "tls-min-version");
  const auto& proxy = docs[2];
  EXPECT_EQ(proxy["apiVersion"].as<std::string>(), "kubeproxy.config.k8s.io/v1alpha1");
  EXPECT_EQ(proxy["kind"].as<std::string>(), "KubeProxyConfiguration");
  EXPECT_EQ(proxy["mode"].as<std::string>(), "nftables");
  EXPECT_EQ(proxy["clusterCIDR"].as<std::string>(), "10.244.0.0/16");
}

TEST(Kubeadm, InitV1beta3UsesMapsAndSchedulableControlPlane)
{
  auto o = init_options(KubeadmApi::v1beta3);
  o.schedulable_control_plane = true;
  o.cipher_suites = "TLS_AES_128_GCM_SHA256";
  const auto docs = documents(init_configuration_yaml(o));
  const auto& init = docs[0];
  EXPECT_EQ(init["apiVersion"].as<std::string>(), "kubeadm.k8s.io/v1beta3");
  EXPECT_TRUE(init["nodeRegistration"]["kubeletExtraArgs"].IsMap());
  EXPECT_EQ(init["nodeRegistration"]["kubeletExtraArgs"]["authorization-mode"].as<std::string>(), "AlwaysAllow");
  EXPECT_EQ(init["nodeRegistration"]["kubeletExtraArgs"]["tls-cipher-suites"].as<std::string>(),
            "TLS_AES_128_GCM_SHA256");
  ASSERT_TRUE(init["nodeRegistration"]["taints"].IsSequence());
  EXPECT_EQ(init["nodeRegistration"]["taints"].size(), 0u);
  EXPECT_EQ(docs[1]["etcd"]["local"]["extraArgs"]["cipher-suites"].as<std::string>(), "TLS_AES_128_GCM_SHA256");
}

TEST(Kubeadm, Ipv6EndpointIsBracketed)
{
  auto o = init_options(KubeadmApi::v1beta4);
  o.api_address = "fd00::10";
  EXPECT_EQ(documents(init_configuration_yaml(o))[1]["controlPlaneEndpoint"].as<std::string>(), "[fd00::10]:6443");
}

TEST(Kubeadm, WorkerAndControlPlaneJoin)
{
  JoinOptions o;
  o.api_address = "192.168.122.201";
  o.bootstrap_token = Secret("abcdef.0123456789abcdef");
  o.ca_cert_hash = "sha256:00";
  const auto worker = documents(join_configuration_yaml(o));
  ASSERT_EQ(worker.size(), 1u);
  EXPECT_EQ(worker[0]["kind"].as<std::string>(), "JoinConfiguration");
  EXPECT_EQ(worker[0]["discovery"]["bootstrapToken"]["apiServerEndpoint"].as<std::string>(), "192.168.122.201:6443");
  EXPECT_EQ(worker[0]["discovery"]["bootstrapToken"]["caCertHashes"][0].as<std::string>(), "sha256:00");
  EXPECT_FALSE(worker[0]["controlPlane"]);
  EXPECT_EQ(worker[0]["skipPhases"][0].as<std::string>(), "preflight");
  o.control_plane = true;
  o.bind_port = 6444;
  o.certificate_key = Secret("beef");
  const auto cp = documents(join_configuration_yaml(o));
  EXPECT_EQ(cp[0]["controlPlane"]["localAPIEndpoint"]["bindPort"].as<int>(), 6444);
  EXPECT_EQ(cp[0]["controlPlane"]["certificateKey"].as<std::string>(), "beef");
}

} // namespace
} // namespace ocne::ignition
