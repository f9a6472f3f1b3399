#include "pkg/addons/install.hpp"

#include "pkg/addons/ccm.hpp"
#include "pkg/addons/flannel.hpp"
#include "pkg/addons/ha_config.hpp"
#include "pkg/addons/kube_proxy.hpp"
#include "pkg/core/log.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/yaml.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <thread>

namespace ocne::addons {
namespace {

using json = nlohmann::json;

// Every log line (trace level) written while fn runs.
std::vector<std::string>
capture_logs(const std::function<void()>& fn)
{
  std::vector<std::string> logged;
  log::set_level(log::Level::trace);
  log::set_sink([&](const log::Record& r) { logged.emplace_back(r.message); });
  fn();
  log::set_sink({});
  log::set_level(log::Level::info);
  return logged;
}

class AddonInstall : public test::TempDirTest
{
protected:
  void
  start(std::vector<std::string> stalled = {})
  {
    test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "kubeconfig";
    server = std::make_unique<test::kube::KubeTestServer>(so);
    server->start();
    for (const auto* name : { "node-1", "node-2" }) {
      server->create({ { "apiVersion", "v1" }, { "kind", "Node" }, { "metadata", { { "name", name } } } });
    }
    test::kube::play_deployment_controller(*server);
    test::kube::play_daemonset_controller(*server, { .delay = {}, .never_available = std::move(stalled) });
    test::kube::play_node_readiness(*server, { "kube-flannel/kube-flannel-ds" });
    auto access = k8s::load_kubeconfig({ dir() / "kubeconfig" });
    ASSERT_TRUE(access) << access.error().message();
    client = std::make_unique<k8s::Client>(std::move(*access));
  }

  Environment
  env() const
  {
    return Environment::from_map({ { "HOME", dir().string() } });
  }

  InstallOptions
  options() const
  {
    InstallOptions o;
    o.timeout = std::chrono::seconds(20);
    o.interval = std::chrono::milliseconds(50);
    return o;
  }

  std::unique_ptr<test::kube::KubeTestServer> server;
  std::unique_ptr<k8s::Client> client;
};

TEST_F(AddonInstall, EveryFamilyPassesTheServersSchemasInADryRun)
{
  start();
  for (const auto& cidrs : std::vector<std::vector<std::string>>{
         { "10.244.0.0/16" }, { "fd00:10:244::/56" }, { "10.244.0.0/16", "fd00:10:244::/56" } }) {
    auto a = render_flannel({ .pod_cidrs = cidrs, .interfaces = { "enp1s0" } }, env());
    ASSERT_TRUE(a) << a.error().message();
    // The namespace for real (a dry run creates nothing), the rest dry.
    server->apply(a->objects[0], "test");
    k8s::ManifestOptions dry;
    dry.apply.dry_run = true;
    auto applied = k8s::apply_objects(*client, a->objects, {}, dry, null_progress());
    ASSERT_TRUE(applied) << applied.error().message();
  }
  EXPECT_FALSE(server->get("apps/v1", "DaemonSet", "kube-flannel", "kube-flannel-ds"));

  // Each provider's cloud controller manager too.
  OciCcmOptions oci;
  oci.region = "us-ashburn-1";
  oci.key = Secret("-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n");
  oci.compartment = "ocid1.compartment.oc1..c";
  oci.vcn = "ocid1.vcn.oc1..v";
  auto oci_ccm = render_oci_ccm(oci, env());
  auto oxide_ccm = render_oxide_ccm({ "https://silo.example", Secret("t"), "k8s" }, env());
  auto ha = render_ha_config({}, env());
  ASSERT_TRUE(oci_ccm && oxide_ccm && ha);
  server->apply(ha->objects[0], "test"); // its namespace
  k8s::ManifestOptions dry;
  dry.apply.dry_run = true;
  for (const auto* a : { &*oci_ccm, &*oxide_ccm, &*ha }) {
    auto applied = k8s::apply_objects(*client, a->objects, {}, dry, null_progress());
    ASSERT_TRUE(applied) << a->name << ": " << applied.error().message();
  }
  EXPECT_FALSE(server->get("apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager"));
}

TEST_F(AddonInstall, FlannelMakesTheNodesReadyAndASecondRunWritesNothing)
{
  start();
  auto a = render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  ASSERT_TRUE(a) << a.error().message();
  auto first = install_addons(*client, { *a }, options(), null_progress());
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->applied, static_cast<int>(a->objects.size()));
  for (const auto& node : server->list("v1", "Node")) {
    EXPECT_NE(node.dump().find("\"KubeletReady\""), std::string::npos) << node.dump();
  }
  const auto ds = server->get("apps/v1", "DaemonSet", "kube-flannel", "kube-flannel-ds");
  ASSERT_TRUE(ds);
  EXPECT_NE(ds->dump().find("\"manager\":\"ocne\""), std::string::npos);

  server->clear_requests();
  auto second = install_addons(*client, { *a }, options(), null_progress());
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->applied, 0);
  EXPECT_EQ(second->unchanged, static_cast<int>(a->objects.size()));
  EXPECT_EQ(test::kube::write_requests(*server), 0);
}

TEST_F(AddonInstall, AFlannelThatNeverRollsOutFailsWithThePodsReasonAndTheNodes)
{
  start({ "kube-flannel/kube-flannel-ds" });
  auto a = render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  ASSERT_TRUE(a) << a.error().message();
  auto o = options();
  o.timeout = std::chrono::seconds(2);
  auto result = install_addons(*client, { *a }, o, null_progress());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind(), ErrorKind::timeout);
  const auto& m = result.error().message();
  EXPECT_TRUE(m.starts_with("the cluster's add-ons did not become ready: flannel: timed out after 2s waiting for "
                            "daemonset kube-flannel/kube-flannel-ds to be rolled out: last seen 0 of 2 pods available"))
    << m;
  EXPECT_NE(m.find("is waiting: ImagePullBackOff (image container-registry.oracle.com/olcne/flannel:current)"),
            std::string::npos)
    << m;
}

TEST_F(AddonInstall, TheOxideCcmSecretReadsBackWithEveryKeyAndNoLogHoldsTheToken)
{
  start();
  auto flannel = render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  auto ccm = render_oxide_ccm({ "https://silo.example", Secret("oxide-token-secret-42"), "k8s" }, env());
  ASSERT_TRUE(flannel && ccm);
  Result<InstallResult> result = make_error(ErrorKind::internal, "not run");
  const auto logged = capture_logs([&] {
    result = install_addons(*client, { *flannel, *ccm }, options(), null_progress());
  });
  ASSERT_TRUE(result) << result.error().message();
  const auto secret = server->get("v1", "Secret", "kube-system", "oxide-cloud-controller-manager");
  ASSERT_TRUE(secret);
  const auto& data = (*secret)["data"];
  EXPECT_EQ(k8s::base64_decode(data["oxide-host"].get<std::string>()), "https://silo.example");
  EXPECT_EQ(k8s::base64_decode(data["oxide-token"].get<std::string>()), "oxide-token-secret-42");
  EXPECT_EQ(k8s::base64_decode(data["oxide-project"].get<std::string>()), "k8s");
  EXPECT_EQ(data.size(), 3u);
  EXPECT_TRUE(server->get("apps/v1", "Deployment", "kube-system", "oxide-cloud-controller-manager"));
  EXPECT_FALSE(logged.empty());
  for (const auto& line : logged) {
    EXPECT_EQ(line.find("oxide-token-secret-42"), std::string::npos) << line;
    EXPECT_EQ(line.find(k8s::base64_encode("oxide-token-secret-42")), std::string::npos) << line;
  }
}

TEST_F(AddonInstall, TheOciCcmSecretsReadBackWithTheirYaml)
{
  start();
  OciCcmOptions o;
  o.region = "us-phoenix-1";
  o.tenancy = "ocid1.tenancy.oc1..t";
  o.user = "ocid1.user.oc1..u";
  o.fingerprint = "aa:bb";
  o.key = Secret("-----BEGIN PRIVATE KEY-----\nsecret-key-bytes\n-----END PRIVATE KEY-----\n");
  o.passphrase = Secret("pass-42");
  o.compartment = "ocid1.compartment.oc1..c";
  o.vcn = "ocid1.vcn.oc1..v";
  o.subnet1 = "ocid1.subnet.oc1..a";
  o.subnet2 = "ocid1.subnet.oc1..b";
  auto flannel = render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  auto ccm = render_oci_ccm(o, env());
  ASSERT_TRUE(flannel && ccm);
  Result<InstallResult> result = make_error(ErrorKind::internal, "not run");
  const auto logged = capture_logs([&] {
    result = install_addons(*client, { *flannel, *ccm }, options(), null_progress());
  });
  ASSERT_TRUE(result) << result.error().message();
  for (const auto& [name, key] : std::vector<std::pair<std::string, std::string>>{
         { "oci-cloud-controller-manager", "cloud-provider.yaml" }, { "oci-volume-provisioner", "config.yaml" } }) {
    const auto secret = server->get("v1", "Secret", "kube-system", name);
    ASSERT_TRUE(secret) << name;
    ASSERT_EQ((*secret)["data"].size(), 1u);
    const auto yaml = k8s::base64_decode((*secret)["data"][key].get<std::string>());
    ASSERT_TRUE(yaml);
    EXPECT_EQ(*yaml, oci_cloud_provider_yaml(o).reveal());
  }
  for (const auto& line : logged) {
    EXPECT_EQ(line.find("secret-key-bytes"), std::string::npos) << line;
    EXPECT_EQ(line.find("pass-42"), std::string::npos) << line;
  }
}

TEST_F(AddonInstall, KubeProxyModeIsSetInKubeadmsConfigMapAndTheDaemonSetRolls)
{
  start();
  // What kubeadm init writes (trimmed): mode "" means iptables.
  server->apply({ { "apiVersion", "v1" },
                  { "kind", "ConfigMap" },
                  { "metadata", { { "name", "kube-proxy" }, { "namespace", "kube-system" } } },
                  { "data",
                    { { "config.conf",
                        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                        "clusterCIDR: 10.244.0.0/16\nmode: \"\"\n" },
                      { "kubeconfig.conf", "apiVersion: v1\nkind: Config\n" } } } },
                "kubeadm");
  server->apply(json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet",
    "metadata":{"name":"kube-proxy","namespace":"kube-system"},
    "spec":{"selector":{"matchLabels":{"k8s-app":"kube-proxy"}},
      "template":{"metadata":{"labels":{"k8s-app":"kube-proxy"}},
        "spec":{"containers":[{"name":"kube-proxy","image":"container-registry.oracle.com/olcne/kube-proxy:v1.33.5"}]}}}})"),
                "kubeadm");
  const k8s::WaitOptions wait{ .timeout = std::chrono::seconds(5), .interval = std::chrono::milliseconds(50) };
  server->clear_requests();
  // kubeadm's empty mode is iptables: nothing to write.
  auto same = set_kube_proxy_mode(*client, "iptables", wait, null_progress());
  ASSERT_TRUE(same) << same.error().message();
  EXPECT_FALSE(*same);
  EXPECT_EQ(test::kube::write_requests(*server), 0);

  auto changed = set_kube_proxy_mode(*client, "ipvs", wait, null_progress());
  ASSERT_TRUE(changed) << changed.error().message();
  EXPECT_TRUE(*changed);
  const auto cm = server->get("v1", "ConfigMap", "kube-system", "kube-proxy");
  auto config = k8s::parse_yaml((*cm)["data"]["config.conf"].get<std::string>(), "config.conf");
  ASSERT_TRUE(config);
  EXPECT_EQ((*config)["mode"], "ipvs");
  EXPECT_EQ((*config)["clusterCIDR"], "10.244.0.0/16");
  EXPECT_EQ((*cm)["data"]["kubeconfig.conf"], "apiVersion: v1\nkind: Config\n");
  const auto ds = server->get("apps/v1", "DaemonSet", "kube-system", "kube-proxy");
  EXPECT_EQ((*ds)["spec"]["template"]["metadata"]["annotations"]["ocne.oracle.com/kube-proxy-mode"], "ipvs");
  EXPECT_EQ((*ds)["metadata"]["generation"], 2);

  server->clear_requests();
  auto again = set_kube_proxy_mode(*client, "ipvs", wait, null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(*again);
  EXPECT_EQ(test::kube::write_requests(*server), 0);

  // A run killed between the ConfigMap and the DaemonSet: the ConfigMap
  // says ocne wrote nftables, the Pods were not rolled; the next run rolls.
  auto cm_only = *server->get("v1", "ConfigMap", "kube-system", "kube-proxy");
  (*config)["mode"] = "nftables";
  cm_only["metadata"]["annotations"]["ocne.oracle.com/kube-proxy-mode"] = "nftables";
  cm_only["data"]["config.conf"] = k8s::to_yaml(*config);
  server->apply(cm_only, "ocne");
  auto finished = set_kube_proxy_mode(*client, "nftables", wait, null_progress());
  ASSERT_TRUE(finished) << finished.error().message();
  EXPECT_TRUE(*finished);
  EXPECT_EQ(
    (*server->get("apps/v1", "DaemonSet", "kube-system", "kube-proxy"))["spec"]["template"]["metadata"]["annotations"]
                                                                       ["ocne.oracle.com/kube-proxy-mode"],
    "nftables");

  // kubeadm has not written it (yet): waited for, then a timeout naming it.
  server->remove("v1", "ConfigMap", "kube-system", "kube-proxy");
  const k8s::WaitOptions short_wait{ .timeout = std::chrono::milliseconds(300),
                                     .interval = std::chrono::milliseconds(50) };
  auto gone = set_kube_proxy_mode(*client, "ipvs", short_wait, null_progress());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind(), ErrorKind::timeout);
  EXPECT_NE(gone.error().message().find("kube-system/kube-proxy"), std::string::npos) << gone.error().message();
}

// kubeadm's addon phase writes kube-proxy seconds after the first Node
// registers: the mode waits for it instead of failing.
TEST_F(AddonInstall, KubeProxyModeWaitsForKubeadmsLateConfigMap)
{
  start();
  std::thread kubeadm([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server->apply({ { "apiVersion", "v1" },
                    { "kind", "ConfigMap" },
                    { "metadata", { { "name", "kube-proxy" }, { "namespace", "kube-system" } } },
                    { "data", { { "config.conf", "kind: KubeProxyConfiguration\nmode: \"\"\n" } } } },
                  "kubeadm");
    server->apply(json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet",
      "metadata":{"name":"kube-proxy","namespace":"kube-system"},
      "spec":{"selector":{"matchLabels":{"k8s-app":"kube-proxy"}},
        "template":{"metadata":{"labels":{"k8s-app":"kube-proxy"}},
          "spec":{"containers":[{"name":"kube-proxy","image":"registry.k8s.io/kube-proxy:v1.33.0"}]}}}})"),
                  "kubeadm");
  });
  const k8s::WaitOptions wait{ .timeout = std::chrono::seconds(20), .interval = std::chrono::milliseconds(50) };
  auto changed = set_kube_proxy_mode(*client, "ipvs", wait, null_progress());
  kubeadm.join();
  ASSERT_TRUE(changed) << changed.error().message();
  EXPECT_TRUE(*changed);
}

TEST_F(AddonInstall, NodesThatStayNotReadySayWhy)
{
  start();
  // No CNI at all: nothing rolls out, the nodes keep the kubelet's reason.
  auto o = options();
  o.timeout = std::chrono::seconds(1);
  auto result = install_addons(*client, {}, o, null_progress());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("node node-1 Ready=False (KubeletNotReady: container runtime network not "
                                          "ready: NetworkReady=false reason:NetworkPluginNotReady"),
            std::string::npos)
    << result.error().message();
}

} // namespace
} // namespace ocne::addons
