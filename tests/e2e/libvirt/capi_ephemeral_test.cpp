// `ocne cluster start -P oci|oxide` (the built binary) with no management
// cluster configured: ocne starts the ephemeral cluster on the real libvirtd
// (a fake node VM whose server, run with --capi any, also plays the Cluster
// API controllers and serves the workload cluster on its port 7443),
// installs the provider's Cluster API stack there from the test world's
// release server, creates the cluster with the OCI or Oxide test server for
// the lookups, and reaches the workload cluster at the node's address. Not
// self-managed, the ephemeral cluster stays and manages the cluster; delete
// uses it and leaves it.

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/libvirt/connection.hpp"
#include "tests/e2e/libvirt/daemon.hpp"
#include "tests/support/capi_world.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

namespace ocne::test {
namespace {

class EphemeralCapiTest
  : public TempDirTest
  , public ::testing::WithParamInterface<std::string>
{
protected:
  void
  SetUp() override
  {
    // First, so a run without ../shared skips without setting up the daemon.
    OCNE_REQUIRE_SHARED(); // the stack comes from its real manifests
    OCNE_REQUIRE_LIBVIRTD();
  }

  OcneRun
  ocne(CapiWorld& world, const std::vector<std::string>& args, const std::map<std::string, std::string>& extra = {})
  {
    auto env = world.env();
    env.erase("KUBECONFIG"); // no management cluster: the ephemeral one
    env["OCNE_CAPI_POLL_MS"] = "200";
    env["OCNE_CAPI_TIMEOUT"] = "240";
    env["OCNE_LIBVIRT_READY_TIMEOUT"] = "300";
    for (const auto& [k, v] : extra) {
      env[k] = v;
    }
    // A VM under emulation on a busy machine takes its time.
    auto run = run_ocne(args, world.home(), env, {}, {}, std::chrono::seconds(600));
    std::cerr << "$ ocne";
    for (const auto& a : args) {
      std::cerr << " " << a;
    }
    std::cerr << "\n" << run.err << run.out;
    return run;
  }
};

TEST_P(EphemeralCapiTest, StartThroughTheEphemeralClusterThenDelete)
{
  const auto& daemon = LibvirtDaemon::get();
  CapiWorld world(dir(), { .provider = GetParam() });
  // The ephemeral cluster: small, from the test image (defaults file only).
  std::filesystem::create_directories(world.home() / ".ocne");
  ASSERT_TRUE(fs::write_file_atomic(world.home() / ".ocne" / "defaults.yaml", R"(ephemeralCluster:
  name: capi-eph
  node:
    cpu: 1
    memory: 320Mi
    storage: 1Gi
)"));
  const auto file =
    world.write_cluster_file("capidemo", "bootVolumeContainerImage: file://" + daemon.boot_image().string() + "\n");
  auto text = fs::read_file(file).value();
  text.insert(text.find("providers:\n") + 11,
              fmt::format("  libvirt:\n    uri: \"{}\"\n    bootVolumeName: ocne-test-boot.qcow2\n", daemon.uri()));
  ASSERT_TRUE(fs::write_file_atomic(file, text));

  if (GetParam() == "oci") {
    // OCNE_LIBVIRT_READY_TIMEOUT reaches the ephemeral cluster: its node
    // takes far longer than a second to answer, so the start stops there
    // (once: the variable is read by code both providers share). As
    // docs/cluster-api.md says, what the ephemeral start made is removed and
    // nothing is recorded, a timeout included (cluster start -P libvirt keeps
    // a timed-out cluster to look at; nobody asked for this one).
    auto hurried = ocne(world, { "cluster", "start", "-c", file.string() }, { { "OCNE_LIBVIRT_READY_TIMEOUT", "1" } });
    EXPECT_EQ(hurried.exit_code, 1);
    EXPECT_NE(hurried.err.find("ocne: error: cannot start the ephemeral cluster capi-eph (no management cluster is "
                               "configured): the Kubernetes API did not become ready within 1s"),
              std::string::npos);
    auto cache = ClusterCache::load(world.home() / ".ocne" / "clusters.yaml");
    ASSERT_TRUE(cache);
    EXPECT_EQ(cache->find("capidemo"), nullptr);
    EXPECT_EQ(cache->find("capi-eph"), nullptr) << "a failed ephemeral start is not recorded";
    auto conn = libvirt::Connection::open(daemon.uri());
    ASSERT_TRUE(conn);
    auto left = conn->find_domain("capi-eph-control-plane-1");
    ASSERT_TRUE(left);
    EXPECT_FALSE(*left) << "a failed ephemeral start leaves no domain";
  }

  auto started = ocne(world, { "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const auto result = nlohmann::json::parse(started.out);
  EXPECT_EQ(result["management"]["ephemeral"], true);
  EXPECT_EQ(result["management"]["ephemeralCreated"], true);
  EXPECT_EQ(result["management"]["ephemeralRemoved"], false); // it manages the cluster
  EXPECT_EQ(result["management"]["kubeconfig"], (world.home() / ".kube" / "kubeconfig.capi-eph.local").string());
  EXPECT_EQ(result["images"][0]["source"], "found");

  // The workload cluster, at the fake node's address: Ready nodes with the add-ons.
  const auto kubeconfig = world.home() / ".kube" / "kubeconfig.capidemo";
  auto access = k8s::load_kubeconfig({ kubeconfig }, { .require_all = true });
  ASSERT_TRUE(access) << access.error().message();
  k8s::Client workload(std::move(*access));
  auto nodes = workload.list({ "", "v1", "Node" });
  ASSERT_TRUE(nodes) << nodes.error().message();
  ASSERT_FALSE(nodes->items.empty());
  for (const auto& n : nodes->items) {
    EXPECT_NE(n.dump().find("\"KubeletReady\""), std::string::npos) << n.dump();
  }
  if (GetParam() == "oci") {
    EXPECT_TRUE(*workload.find({ "apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager" }));
  } else {
    EXPECT_TRUE(*workload.find({ "apps/v1", "Deployment", "kube-system", "oxide-cloud-controller-manager" }));
  }
  // The provider's stack on the ephemeral cluster.
  auto management =
    k8s::load_kubeconfig({ world.home() / ".kube" / "kubeconfig.capi-eph.local" }, { .require_all = true });
  ASSERT_TRUE(management) << management.error().message();
  k8s::Client eph_client(std::move(*management));
  const auto infra =
    GetParam() == "oci"
      ? k8s::ObjectRef{ "infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster", "ocne", "capidemo" }
      : k8s::ObjectRef{ "infrastructure.cluster.x-k8s.io/v1alpha1", "OxideCluster", "ocne", "capidemo" };
  auto found = eph_client.find(infra);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_TRUE(*found);
  auto cache = ClusterCache::load(world.home() / ".ocne" / "clusters.yaml");
  ASSERT_TRUE(cache);
  EXPECT_NE(cache->find("capi-eph"), nullptr);
  EXPECT_NE(cache->find("capidemo"), nullptr);

  auto deleted = ocne(world, { "cluster", "delete", "-C", "capidemo" });
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_NE(deleted.err.find("Deleting Cluster ocne/capidemo"), std::string::npos) << deleted.err;
  EXPECT_FALSE(std::filesystem::exists(kubeconfig));
  auto conn = libvirt::Connection::open(daemon.uri());
  ASSERT_TRUE(conn);
  auto eph = conn->find_domain("capi-eph-control-plane-1");
  EXPECT_TRUE(eph && *eph) << "the ephemeral cluster manages other clusters too: it stays";

  auto removed = ocne(world, { "cluster", "delete", "-C", "capi-eph" });
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  eph = conn->find_domain("capi-eph-control-plane-1");
  EXPECT_TRUE(eph && !*eph);
}

INSTANTIATE_TEST_SUITE_P(Providers, EphemeralCapiTest, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
