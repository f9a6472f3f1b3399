// `cluster start` and `cluster delete` of a 1+1 libvirt cluster against a real
// libvirtd with QEMU, booting the fake-node test image: the Ignition each
// domain received, the API reached through the real network path (the port
// forward of the first node, and the virtual IP on the libvirt network), and
// a delete that leaves nothing behind.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/libvirt/connection.hpp"
#include "providers/libvirt/address_book.hpp"
#include "providers/libvirt/driver.hpp"
#include "tests/integration/libvirt/console.hpp"
#include "tests/integration/libvirt/daemon.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

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
  OCNE_TRY_ASSIGN(auto access, k8s::load_kubeconfig({kubeconfig}, {.require_all = true}));
  k8s::Client client(std::move(access));
  OCNE_TRY_ASSIGN(auto list, client.list({"", "v1", "Node"}));
  std::vector<std::string> names;
  for (const auto& item : list.items) {
    names.push_back(item["metadata"]["name"].get<std::string>());
  }
  return names;
}

class LibvirtClusterTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_LIBVIRTD();
  }

  Options
  options(std::string name, unsigned control_planes, unsigned workers)
  {
    const auto& daemon = ocne::test::LibvirtDaemon::get();
    Options o;
    o.cluster_name = std::move(name);
    o.uri = daemon.uri();
    o.control_plane_nodes = control_planes;
    o.worker_nodes = workers;
    o.control_plane = {1, 320 * 1024, 1ULL << 30};
    o.worker = {1, 320 * 1024, 1ULL << 30};
    o.boot_volume_name = "ocne-test-boot.qcow2";
    const auto image = daemon.boot_image();
    o.boot_image = [image](std::string_view, ProgressSink&) -> Result<fs::Path> { return image; };
    o.kube_dir = dir() / ".kube";
    o.home = dir();
    o.state = state;
    o.ready_timeout = std::chrono::minutes(6);
    return o;
  }

  StateDir state{dir() / "ocne"};
};

TEST_F(LibvirtClusterTest, StartOnePlusOneThenDelete)
{
  const auto o = options("lvtest", 1, 1);
  LibvirtDriver driver(o);
  auto started = cluster::start_cluster(driver, {.name = o.cluster_name, .provider = "libvirt",
                                                 .kubernetes_version = o.kubernetes_version},
                                        state, null_progress());
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(started->outcome, cluster::StartOutcome::created);

  auto conn = ocne::libvirt::Connection::open(o.uri);
  ASSERT_TRUE(conn);
  auto pool = conn->find_pool("images");
  ASSERT_TRUE(pool && *pool);

  // Each domain received the Ignition config meant for it.
  for (const auto& [domain, action] : {std::pair<std::string, std::string>{"lvtest-control-plane-1", "init"},
                                       {"lvtest-worker-1", "join"}}) {
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
  const auto local = dir() / ".kube" / "kubeconfig.lvtest.local";
  const auto vm = dir() / ".kube" / "kubeconfig.lvtest.vm";
  auto via_forward = node_names(local);
  ASSERT_TRUE(via_forward) << via_forward.error().message();
  EXPECT_EQ(*via_forward, std::vector<std::string>{"lvtest-control-plane-1"});
  auto via_vip = node_names(vm);
  ASSERT_TRUE(via_vip) << via_vip.error().message();
  EXPECT_EQ(*via_vip, std::vector<std::string>{"lvtest-control-plane-1"});

  // Starting again reports the running cluster.
  LibvirtDriver again_driver(o);
  auto again = cluster::start_cluster(again_driver, {.name = o.cluster_name, .provider = "libvirt",
                                                     .kubernetes_version = o.kubernetes_version},
                                      state, null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->outcome, cluster::StartOutcome::already_running);

  // Delete leaves no domain, volume (but the shared base) or file behind.
  LibvirtDriver delete_driver(o);
  auto deleted = cluster::delete_cluster(delete_driver, {.name = o.cluster_name}, state, null_progress());
  ASSERT_TRUE(deleted) << deleted.error().message();
  auto domains = conn->domains();
  ASSERT_TRUE(domains);
  for (const auto& d : *domains) {
    EXPECT_EQ(d.name().rfind("lvtest-", 0), std::string::npos) << d.name();
  }
  ASSERT_TRUE((*pool)->refresh());
  EXPECT_EQ(*(*pool)->volume_names(), std::vector<std::string>{"ocne-test-boot.qcow2"});
  EXPECT_FALSE(std::filesystem::exists(local));
  EXPECT_FALSE(std::filesystem::exists(vm));
  EXPECT_FALSE(*AddressBook(state).find("lvtest"));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->find("lvtest"), nullptr);
}

} // namespace
} // namespace ocne::providers::libvirt
