// `ocne cluster start` and `ocne cluster delete` (the built binary) of a 1+1
// libvirt cluster against a real libvirtd with QEMU, booting the fake-node
// test image: the Ignition each domain received, the API reached through the
// real network path (the first node's port forward, and the virtual IP on
// the libvirt network), the add-ons applied until the node is Ready (the
// fake node's server plays the workload controllers and a kubelet that waits
// for flannel), and a delete that leaves nothing behind.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/libvirt/connection.hpp"
#include "providers/libvirt/address_book.hpp"
#include "providers/libvirt/driver.hpp"
#include "tests/e2e/libvirt/console.hpp"
#include "tests/e2e/libvirt/daemon.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <iostream>

namespace ocne::providers::libvirt {
namespace {

std::string
sha256_hex(std::string_view data)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += fmt::format("{:02x}", md[i]);
  }
  return out;
}

Result<std::vector<std::string>>
node_names(const fs::Path& kubeconfig)
{
  OCNE_TRY_ASSIGN(auto access, k8s::load_kubeconfig({ kubeconfig }, { .require_all = true }));
  k8s::Client client(std::move(access));
  OCNE_TRY_ASSIGN(auto list, client.list({ "", "v1", "Node" }));
  std::vector<std::string> names;
  for (const auto& item : list.items) {
    names.push_back(item["metadata"]["name"].get<std::string>());
  }
  return names;
}

// The live object, or null when it is absent or the API does not answer.
nlohmann::json
live(const fs::Path& kubeconfig, const k8s::ObjectRef& ref)
{
  auto access = k8s::load_kubeconfig({ kubeconfig }, { .require_all = true });
  if (!access) {
    return nullptr;
  }
  k8s::Client client(std::move(*access));
  auto found = client.find(ref);
  return found && *found ? **found : nlohmann::json(nullptr);
}

class LibvirtClusterTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_LIBVIRTD();
  }

  fs::Path
  cluster_file(const std::string& name, unsigned workers, const std::string& extra = "")
  {
    const auto& daemon = ocne::test::LibvirtDaemon::get();
    return write(name + ".yaml",
                 fmt::format(R"(name: {}
workerNodes: {}{}
bootVolumeContainerImage: file://{}
providers:
  libvirt:
    uri: "{}"
    bootVolumeName: ocne-test-boot.qcow2
    controlPlaneNode:
      cpu: 1
      memory: 320Mi
      storage: 1Gi
    workerNode:
      cpu: 1
      memory: 320Mi
      storage: 1Gi
)",
                             name,
                             workers,
                             extra,
                             daemon.boot_image().string(),
                             daemon.uri()));
  }

  ocne::test::OcneRun
  ocne(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
  {
    auto run = ocne::test::run_ocne(args, dir(), env);
    std::cerr << "$ ocne";
    for (const auto& a : args) {
      std::cerr << " " << a;
    }
    std::cerr << "\n" << run.err << run.out;
    return run;
  }
};

TEST_F(LibvirtClusterTest, StartOnePlusOneThenDelete)
{
  const auto config = cluster_file("lvtest", 1);
  auto started = ocne({ "cluster", "start", "-c", config.string() });
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const auto local = dir() / ".kube" / "kubeconfig.lvtest.local";
  const auto vm = dir() / ".kube" / "kubeconfig.lvtest.vm";
  EXPECT_NE(started.out.find("use " + local.string()), std::string::npos) << started.out;

  const auto& daemon = ocne::test::LibvirtDaemon::get();
  auto conn = ocne::libvirt::Connection::open(daemon.uri());
  ASSERT_TRUE(conn);
  auto pool = conn->find_pool("images");
  ASSERT_TRUE(pool && *pool);

  // Each domain received the Ignition config meant for it.
  for (const auto& [domain, action] :
       { std::pair<std::string, std::string>{ "lvtest-control-plane-1", "init" }, { "lvtest-worker-1", "join" } }) {
    auto d = conn->find_domain(domain);
    ASSERT_TRUE(d && *d) << domain;
    auto report = ocne::test::read_node_report(**d, std::chrono::minutes(4));
    ASSERT_TRUE(report) << report.error().message();
    auto volume = (*pool)->find_volume(domain + "-init.ign");
    ASSERT_TRUE(volume && *volume);
    auto ignition = (*volume)->download();
    ASSERT_TRUE(ignition) << ignition.error().message();
    EXPECT_EQ((*report)["hostname"], domain);
    EXPECT_EQ((*report)["action"], action);
    EXPECT_EQ((*report)["nic"], "enp1s0");
    EXPECT_EQ((*report)["sha256"], sha256_hex(*ignition)) << domain;
  }

  // Both kubeconfigs work: through the port forward and the virtual IP.
  auto via_forward = node_names(local);
  ASSERT_TRUE(via_forward) << via_forward.error().message();
  EXPECT_EQ(*via_forward, std::vector<std::string>{ "lvtest-control-plane-1" });
  auto via_vip = node_names(vm);
  ASSERT_TRUE(via_vip) << via_vip.error().message();
  EXPECT_EQ(*via_vip, std::vector<std::string>{ "lvtest-control-plane-1" });
  // The add-ons reached the cluster and the node is Ready.
  const auto ds = live(local, { "apps/v1", "DaemonSet", "kube-flannel", "kube-flannel-ds" });
  ASSERT_FALSE(ds.is_null());
  EXPECT_EQ(ds["spec"]["template"]["spec"]["containers"][0]["args"],
            nlohmann::json::parse(R"(["--ip-masq","--kube-subnet-mgr","--iface=enp1s0"])"));
  EXPECT_NE(started.err.find("Installing flannel into kube-flannel: ok"), std::string::npos) << started.err;
  // The virtual IP's HA monitor, no longer a warning.
  EXPECT_NE(started.err.find("Installing ha-config into ocne-system: ok"), std::string::npos) << started.err;
  EXPECT_EQ(started.err.find("does not install applications"), std::string::npos) << started.err;
  EXPECT_FALSE(live(local, { "apps/v1", "DaemonSet", "ocne-system", "ocne-ha-monitor" }).is_null());
  const auto node = live(local, { "v1", "Node", "", "lvtest-control-plane-1" });
  EXPECT_NE(node.dump().find("\"KubeletReady\""), std::string::npos) << node.dump();
  auto shown = ocne({ "cluster", "show", "-C", "lvtest" });
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_EQ(shown.out, local.string() + "\n");

  // Starting again reports the running cluster and changes nothing.
  auto again = ocne({ "cluster", "start", "-c", config.string() });
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("Cluster lvtest is running already"), std::string::npos) << again.err;

  // Delete leaves no domain, volume (but the shared base) or file behind.
  auto deleted = ocne({ "cluster", "delete", "-C", "lvtest" });
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  auto domains = conn->domains();
  ASSERT_TRUE(domains);
  for (const auto& d : *domains) {
    EXPECT_EQ(d.name().rfind("lvtest-", 0), std::string::npos) << d.name();
  }
  ASSERT_TRUE((*pool)->refresh());
  EXPECT_EQ(*(*pool)->volume_names(), std::vector<std::string>{ "ocne-test-boot.qcow2" });
  EXPECT_FALSE(std::filesystem::exists(local));
  EXPECT_FALSE(std::filesystem::exists(vm));
  EXPECT_FALSE(*AddressBook(StateDir(dir() / ".ocne")).find("lvtest"));
  auto cache = ClusterCache::load(dir() / ".ocne" / "clusters.yaml");
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->find("lvtest"), nullptr);
  // and again: nothing to do, no error
  auto twice = ocne({ "cluster", "delete", "-C", "lvtest" });
  EXPECT_EQ(twice.exit_code, 0) << twice.err;
}

TEST_F(LibvirtClusterTest, AFlannelThatNeverRollsOutFailsWithTheReasonAndKeepsEverythingTracked)
{
  // The fake node's server keeps flannel's Pod in ImagePullBackOff.
  const auto config = cluster_file("lvstall", 0, R"(
extraIgnitionInline: |
  variant: fcos
  version: 1.5.0
  storage:
    files:
      - path: /etc/ocne-test/stall
        contents:
          inline: kube-flannel/kube-flannel-ds)");
  auto started = ocne({ "cluster", "start", "-c", config.string() }, { { "OCNE_LIBVIRT_READY_TIMEOUT", "30" } });
  EXPECT_EQ(started.exit_code, 1) << started.err;
  EXPECT_NE(started.err.find("the cluster's add-ons did not become ready: flannel: timed out after 30s waiting for "
                             "daemonset kube-flannel/kube-flannel-ds to be rolled out"),
            std::string::npos)
    << started.err;
  EXPECT_NE(
    started.err.find("is waiting: ImagePullBackOff (image container-registry.oracle.com/olcne/flannel:current)"),
    std::string::npos)
    << started.err;
  EXPECT_NE(started.err.find("what was created is kept and recorded: 'ocne cluster delete -C lvstall' removes it"),
            std::string::npos)
    << started.err;
  auto cache = ClusterCache::load(dir() / ".ocne" / "clusters.yaml");
  ASSERT_TRUE(cache);
  ASSERT_NE(cache->find("lvstall"), nullptr);

  auto deleted = ocne({ "cluster", "delete", "-C", "lvstall" });
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  const auto& daemon = ocne::test::LibvirtDaemon::get();
  auto conn = ocne::libvirt::Connection::open(daemon.uri());
  ASSERT_TRUE(conn);
  auto domains = conn->domains();
  ASSERT_TRUE(domains);
  for (const auto& d : *domains) {
    EXPECT_EQ(d.name().rfind("lvstall-", 0), std::string::npos) << d.name();
  }
  cache = ClusterCache::load(dir() / ".ocne" / "clusters.yaml");
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->find("lvstall"), nullptr);
}

} // namespace
} // namespace ocne::providers::libvirt
