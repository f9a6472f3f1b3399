// Golden files for the three node kinds plus rule checks on what a node
// receives. Regenerate with OCNE_UPDATE_GOLDEN=1 after an intended change.

#include "pkg/ignition/node_config.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/ignition/data_url.hpp"
#include "pkg/ignition/validate.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

namespace ocne::ignition {
namespace {

using nlohmann::json;

const pki::ClusterPki&
fixed_pki()
{
  static const pki::ClusterPki value = [] {
    auto pem = [](const char* what) {
      return fmt::format("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", what);
    };
    auto key = [](const char* what) {
      return Secret(fmt::format("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", what));
    };
    pki::ClusterPki p;
    p.ca = { pem("CA"), key("CA-KEY") };
    p.admin = { pem("ADMIN"), key("ADMIN-KEY") };
    p.etcd_ca = { pem("ETCD-CA"), key("ETCD-CA-KEY") };
    p.front_proxy_ca = { pem("FRONT-PROXY-CA"), key("FRONT-PROXY-CA-KEY") };
    p.service_account_key = key("SA-KEY");
    p.service_account_pub = "-----BEGIN PUBLIC KEY-----\nSA\n-----END PUBLIC KEY-----\n";
    return p;
  }();
  return value;
}

NodeConfig
node(NodeRole role)
{
  NodeConfig n;
  n.role = role;
  const bool init = role == NodeRole::init;
  n.hostname = role == NodeRole::worker ? "demo-worker-1" : init ? "demo-control-plane-1" : "demo-control-plane-2";
  n.common.net_interface = "enp1s0";
  n.init.kubernetes_version = "1.33.5";
  n.init.etcd_tag = "3.5.23";
  n.init.coredns_tag = "current";
  n.init.api_address = "192.168.122.201";
  n.init.bind_port = 6444;
  n.init.cert_sans = { "127.0.0.1" };
  n.init.bootstrap_token = Secret("abcdef.0123456789abcdef");
  n.init.certificate_key = Secret("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  n.join.api_address = "192.168.122.201";
  n.join.bootstrap_token = n.init.bootstrap_token;
  n.join.ca_cert_hash = "sha256:5d2b0a3b2b86f1b3c8f2b1ad5a8c1e5b6a3f3e7e8a3c9d4b5e6f708192a3b4c5";
  n.join.bind_port = 6444;
  n.join.certificate_key = n.init.certificate_key;
  n.pki = init ? &fixed_pki() : nullptr;
  if (role != NodeRole::worker) {
    n.virtual_ip = VirtualIpOptions{ .address = "192.168.122.201", .net_interface = "enp1s0" };
  }
  if (init) {
    n.nics.push_back({ .name = "enp0s2", .default_route = true });
  }
  n.nics.push_back({ .name = "enp1s0", .default_route = !init });
  n.proxy = { .https_proxy = "http://proxy.example.com:3128",
              .no_proxy = "localhost,192.168.122.201,10.96.0.0/12,10.244.0.0/16" };
  n.user = { .ssh_public_key = "ssh-ed25519 AAAAC3Nza demo@host\n" };
  n.extra = {
    { "extra.ign",
      R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/motd","contents":{"source":"data:,welcome%0A"},"mode":420}]}})" }
  };
  return n;
}

std::filesystem::path
golden_path(std::string_view name)
{
  return ocne::test::fixture_path("ignition") / (std::string(name) + ".json");
}

void
expect_golden(std::string_view name, const std::string& actual)
{
  const auto path = golden_path(name);
  const auto parsed = json::parse(actual);
  // ocne writes compact JSON
  EXPECT_EQ(actual, parsed.dump());
  const char* update = std::getenv("OCNE_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    ASSERT_TRUE(fs::write_file_atomic(path, parsed.dump(2) + "\n"));
    return;
  }
  auto expected = fs::read_file(path);
  ASSERT_TRUE(expected) << expected.error().message() << " (run with OCNE_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(parsed, json::parse(*expected))
    << "differs from " << path.string() << "; run with OCNE_UPDATE_GOLDEN=1 if the change is intended";
}

struct Rendered
{
  json doc;
  std::map<std::string, std::pair<std::string, int>> files; // path -> contents, mode
};

Rendered
render(NodeRole role)
{
  auto out = render_node_config(node(role));
  EXPECT_TRUE(out) << out.error().message();
  Rendered r;
  r.doc = json::parse(out->reveal());
  for (const auto& f : r.doc["storage"]["files"]) {
    auto contents = decode_data_url(f["contents"]["source"].get<std::string>());
    EXPECT_TRUE(contents) << f["path"];
    r.files[f["path"].get<std::string>()] = { contents.value_or(""), f["mode"].get<int>() };
  }
  EXPECT_TRUE(validate(out->reveal(), "node"));
  return r;
}

const json*
unit(const json& doc, std::string_view name)
{
  for (const auto& u : doc["systemd"]["units"]) {
    if (u["name"] == name) {
      return &u;
    }
  }
  return nullptr;
}

TEST(NodeConfig, GoldenInit)
{
  expect_golden("init", render_node_config(node(NodeRole::init))->reveal());
}

TEST(NodeConfig, GoldenControlPlaneJoin)
{
  expect_golden("control-plane", render_node_config(node(NodeRole::control_plane))->reveal());
}

TEST(NodeConfig, GoldenWorker)
{
  expect_golden("worker", render_node_config(node(NodeRole::worker))->reveal());
}

TEST(NodeConfig, InitNodeGetsClusterCaAndInitConfig)
{
  const auto r = render(NodeRole::init);
  EXPECT_EQ(r.files.at("/etc/kubernetes/pki/ca.crt").first, fixed_pki().ca.cert_pem);
  EXPECT_EQ(r.files.at("/etc/kubernetes/pki/ca.key").second, 0600);
  EXPECT_EQ(r.files.at("/etc/kubernetes/pki/sa.key").second, 0600);
  EXPECT_EQ(r.files.at("/etc/kubernetes/pki/etcd/ca.key").first, fixed_pki().etcd_ca.key_pem.reveal());
  const auto& kubeadm = r.files.at("/etc/kubernetes/kubeadm.conf");
  EXPECT_EQ(kubeadm.second, 0600);
  EXPECT_NE(kubeadm.first.find("kind: InitConfiguration"), std::string::npos);
  EXPECT_NE(kubeadm.first.find("\n---\n"), std::string::npos);
  EXPECT_EQ(r.files.at("/etc/ocne/ocne.sh").second, 0555);
  EXPECT_EQ(
    r.files.at("/etc/ocne/update.yaml").first,
    "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.33\ntransport: ostree-unverified-registry\n");
  EXPECT_EQ(r.files.at("/etc/hostname").first, "demo-control-plane-1\n");
  const auto* ocne = unit(r.doc, "ocne.service");
  ASSERT_NE(ocne, nullptr);
  EXPECT_EQ((*ocne)["dropins"][0]["contents"],
            "[Service]\nEnvironment=ACTION=init\nEnvironment=NET_INTERFACE=enp1s0\n");
  // the user NIC carries the default route on the init node
  EXPECT_NE(r.files.at("/etc/sysconfig/network-scripts/ifcfg-enp0s2").first.find("DEFROUTE=yes"), std::string::npos);
  EXPECT_NE(r.files.at("/etc/sysconfig/network-scripts/ifcfg-enp1s0").first.find("DEFROUTE=no"), std::string::npos);
  // virtual IP assets
  EXPECT_NE(r.files.at("/etc/keepalived/keepalived.conf").first.find("        192.168.122.201\n"), std::string::npos);
  EXPECT_NE(r.files.at("/etc/ocne/nginx/nginx.conf").first.find("server localhost:6444"), std::string::npos);
  EXPECT_NE(unit(r.doc, "keepalived.service"), nullptr);
  EXPECT_NE(unit(r.doc, "ocne-nginx-refresh.path"), nullptr);
  // extra ignition merged
  EXPECT_EQ(r.files.at("/etc/motd").first, "welcome\n");
}

TEST(NodeConfig, JoinNodesGetJoinConfigAndNoCaKey)
{
  for (const auto role : { NodeRole::control_plane, NodeRole::worker }) {
    const auto r = render(role);
    EXPECT_EQ(r.files.count("/etc/kubernetes/pki/ca.key"), 0u);
    const auto& kubeadm = r.files.at("/etc/kubernetes/kubeadm.conf").first;
    EXPECT_NE(kubeadm.find("kind: JoinConfiguration"), std::string::npos);
    EXPECT_NE(kubeadm.find("sha256:5d2b0a3b"), std::string::npos);
    EXPECT_EQ(kubeadm.find("controlPlane:") != std::string::npos, role == NodeRole::control_plane);
    EXPECT_EQ(r.files.count("/etc/keepalived/keepalived.conf"), role == NodeRole::control_plane ? 1u : 0u);
    EXPECT_EQ((*unit(r.doc, "ocne.service"))["dropins"][0]["contents"],
              "[Service]\nEnvironment=ACTION=join\nEnvironment=NET_INTERFACE=enp1s0\n");
    const auto* crio = unit(r.doc, "crio.service");
    ASSERT_NE(crio, nullptr);
    EXPECT_EQ((*crio)["dropins"][0]["name"], "proxy.conf");
    EXPECT_NE((*crio)["dropins"][0]["contents"].get<std::string>().find("HTTPS_PROXY=http://proxy.example.com:3128"),
              std::string::npos);
  }
}

TEST(NodeConfig, UserAndKeys)
{
  const auto r = render(NodeRole::worker);
  const auto& user = r.doc["passwd"]["users"][0];
  EXPECT_EQ(user["name"], "ocne");
  EXPECT_EQ(user["groups"][0], "wheel");
  EXPECT_EQ(user["shell"], "/usr/bin/rescue.sh");
  EXPECT_EQ(user["sshAuthorizedKeys"][0], "ssh-ed25519 AAAAC3Nza demo@host");
}

TEST(NodeConfig, NoProxyNoDropins)
{
  auto n = node(NodeRole::worker);
  n.proxy = { .no_proxy = "10.0.0.0/8" };
  auto out = render_node_config(n);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->reveal().find("proxy.conf"), std::string::npos);
}

TEST(NodeConfig, ExtraIgnitionCannotBreakTheRules)
{
  auto n = node(NodeRole::worker);
  n.extra = { { "x.ign", R"({"ignition":{"version":"3.4.0"},"storage":{"directories":[{"path":"/etc/hostname"}]}})" } };
  // a directory replaces the file at the same path: allowed by the merge rules
  auto out = render_node_config(n);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->reveal().find("\"path\":\"/etc/hostname\",\"contents\""), std::string::npos);
}

TEST(NodeConfig, InitWithoutPkiIsAnInternalError)
{
  auto n = node(NodeRole::init);
  n.pki = nullptr;
  auto out = render_node_config(n);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message(), "the init node of demo-control-plane-1 needs the cluster PKI");
}

TEST(NodeConfig, BadOsRegistryIsReported)
{
  auto n = node(NodeRole::worker);
  n.common.os_registry = "ostree-unverified-registry:example.com/ock:1.33";
  auto out = render_node_config(n);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind(), ErrorKind::invalid_input);
}

} // namespace
} // namespace ocne::ignition
