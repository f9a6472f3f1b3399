// The Cluster API driver with no management cluster configured: the
// ephemeral cluster is started on libvirt's test driver by the real libvirt
// driver (domains, volumes, cache entry), and its Kubernetes API is played
// by the test world's management server (the probe that would wait for the
// VM points the ephemeral kubeconfig at it). Not self-managed, it stays and
// manages the cluster (removed since, delete of the cluster is an error);
// self-managed, the pivot removes it, and delete starts one again to move
// the objects back into, then removes it, also when a first delete stopped
// after starting it. Both providers.
//
// Through the ocne binary this path needs VMs: the real-daemon libvirt
// tests are where that runs. Here the driver and both clusters' records are
// checked as the binary would use them.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/load.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/libvirt/connection.hpp"
#include "providers/capi/driver.hpp"
#include "providers/libvirt/ephemeral.hpp"
#include "providers/oci/session.hpp"
#include "providers/oci/stack.hpp"
#include "providers/oxide/session.hpp"
#include "providers/oxide/stack.hpp"
#include "providers/registry/registry.hpp"
#include "tests/support/capi_world.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/providers/libvirt/fakes.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>

namespace ocne::providers::capi {
namespace {

using ocne::test::CapiWorld;

// Thrown where a test stops a run as a kill would: no error path runs, the
// stack unwinds past every step's own handling of failures.
struct Killed
{};

// The ephemeral node "boots": its kubeconfig now reaches the world's
// management cluster. Add-ons are the libvirt tests' business. With `kill`
// set, the first wait is interrupted (the node defined and booting, its
// kubeconfig not written yet).
class WorldProbe final : public cluster::ClusterProbe
{
public:
  WorldProbe(fs::Path management, std::shared_ptr<std::atomic<bool>> kill)
    : m_management(std::move(management)), m_kill(std::move(kill))
  {
  }
  Status
  wait_ready(const fs::Path& kubeconfig, std::size_t, std::chrono::milliseconds, ProgressSink&) override
  {
    if (m_kill->exchange(false)) {
      throw Killed{};
    }
    OCNE_TRY_ASSIGN(auto text, fs::read_file(m_management));
    return fs::write_file_atomic(kubeconfig, text, 0600);
  }
  Result<std::size_t>
  count_nodes(const fs::Path&) override
  {
    return std::size_t{ 1 };
  }
  Status
  install_addons(const fs::Path&, const cluster::AddonRequest&, ProgressSink&) override
  {
    return {};
  }

private:
  fs::Path m_management;
  std::shared_ptr<std::atomic<bool>> m_kill;
};

class EphemeralCapiStart
  : public ocne::test::TempDirTest
  , public ::testing::WithParamInterface<std::string>
{
protected:
  void
  SetUp() override
  {
    TempDirTest::SetUp();
    OCNE_REQUIRE_SHARED(); // the world installs its real manifests
    if (!program_exists("qemu-img")) {
      GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    }
    world = std::make_unique<CapiWorld>(dir(), ocne::test::CapiWorldOptions{ .provider = GetParam() });
    boot = dir() / "boot.qcow2";
    auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", boot.string(), "64M" } });
    ASSERT_TRUE(made && made->ok());
    // test:///default keeps its objects while a connection is open.
    auto conn = ocne::libvirt::Connection::open("test:///default");
    ASSERT_TRUE(conn) << conn.error().message();
    libvirt = std::make_unique<ocne::libvirt::Connection>(std::move(*conn));
  }

  // The world's environment without KUBECONFIG: no management cluster.
  Environment
  env() const
  {
    std::map<std::string, std::string, std::less<>> vars;
    for (const auto& [k, v] : world->env()) {
      if (k != "KUBECONFIG") {
        vars[k] = v;
      }
    }
    vars["PATH"] = "/usr/bin:/bin";
    return Environment::from_map(std::move(vars));
  }

  config::ClusterConfig
  load(bool self_managed)
  {
    const auto file = world->write_cluster_file(
      "demo", "bootVolumeContainerImage: file://" + boot.string() + "\n", self_managed ? "selfManaged: true\n" : "");
    // ephemeralCluster is read from the defaults file only (as in ocne).
    std::filesystem::create_directories(world->home() / ".ocne");
    EXPECT_TRUE(fs::write_file_atomic(world->home() / ".ocne" / "defaults.yaml",
                                      "ephemeralCluster:\n  name: eph\n  node:\n    memory: 512Mi\n"));
    // The ephemeral cluster's libvirt: the test driver.
    auto text = fs::read_file(file).value();
    const auto at = text.find("providers:\n");
    EXPECT_NE(at, std::string::npos);
    text.insert(at + 11, "  libvirt:\n    uri: test:///default\n    bootVolumeName: eph-boot.qcow2\n");
    EXPECT_TRUE(fs::write_file_atomic(file, text));
    config::LoadOptions options;
    options.cluster_file = file.string();
    options.provider_rules = providers::config_rules();
    auto loaded = config::load(env(), options);
    EXPECT_TRUE(loaded) << loaded.error().message();
    return loaded ? loaded->config : config::ClusterConfig{};
  }

  libvirt::EphemeralHooks
  hooks() const
  {
    libvirt::EphemeralHooks hooks;
    const auto management = world->management_kubeconfig();
    hooks.deps = [management, kill = kill_ephemeral_boot] {
      libvirt::DriverDeps deps;
      deps.probe = std::make_unique<WorldProbe>(management, kill);
      deps.writer = libvirt::test::capturing_writer(std::make_shared<libvirt::test::Written>());
      return deps;
    };
    hooks.adjust = [](libvirt::Options& o) { o.arch = "x86_64"; };
    return hooks;
  }

  std::unique_ptr<CapiDriver>
  driver(const config::ClusterConfig& c, const StateDir& state, std::function<void(std::string_view)> checkpoint = {})
  {
    const auto hooks = this->hooks();
    CapiOptions o;
    o.config = c;
    o.env = env();
    o.kubeconfig_path = world->home() / ".kube" / "kubeconfig.demo";
    o.self_managed = GetParam() == "oci" ? c.providers.oci.self_managed.get() : c.providers.oxide.self_managed.get();
    o.start_ephemeral = libvirt::ephemeral_starter(o.env, state, null_progress(), hooks);
    o.delete_ephemeral = libvirt::ephemeral_deleter(c, o.env, state, null_progress(), hooks);
    o.interval = std::chrono::milliseconds(100);
    o.stack = GetParam() == "oci" ? &oci::stack() : &oxide::stack();
    o.checkpoint = std::move(checkpoint);
    for (auto* t : { &o.components_timeout,
                     &o.workload_timeout,
                     &o.nodes_timeout,
                     &o.addons_timeout,
                     &o.move_timeout,
                     &o.delete_timeout }) {
      *t = std::chrono::seconds(60);
    }
    if (GetParam() == "oci") {
      oci::OciSessionOptions f;
      f.config = c;
      f.env = o.env;
      f.state_dir = state.root();
      return std::make_unique<CapiDriver>(std::move(o), oci::make_session(std::move(f)));
    }
    oxide::OxideSessionOptions f;
    f.config = c;
    f.env = o.env;
    f.state_dir = state.root();
    return std::make_unique<CapiDriver>(std::move(o), oxide::make_session(std::move(f)));
  }

  bool
  has_domain(const std::string& name) const
  {
    auto found = libvirt->find_domain(name);
    return found && *found;
  }

  // The demo cluster's journal entry (empty when absent).
  std::string
  recorded(const StateDir& state, const std::string& key) const
  {
    auto cache = ClusterCache::load(state.clusters_file());
    EXPECT_TRUE(cache);
    const auto* entry = cache ? cache->find("demo") : nullptr;
    if (entry == nullptr) {
      return "";
    }
    const auto found = entry->state.find(key);
    return found == entry->state.end() ? "" : found->second;
  }

  std::unique_ptr<CapiWorld> world;
  std::unique_ptr<ocne::libvirt::Connection> libvirt;
  std::shared_ptr<std::atomic<bool>> kill_ephemeral_boot = std::make_shared<std::atomic<bool>>(false);
  fs::Path boot;
};

Result<cluster::StartResult>
start(CapiDriver& d, const config::ClusterConfig& c, const StateDir& state)
{
  cluster::StartRequest request;
  request.name = "demo";
  request.provider = c.provider.get();
  request.kubernetes_version = c.kubernetes_version.get();
  request.resumable = true;
  return cluster::start_cluster(d, request, state, null_progress());
}

TEST_P(EphemeralCapiStart, TheEphemeralClusterStaysAndManagesTheCluster)
{
  const StateDir state(world->home() / ".ocne");
  const auto c = load(false);
  auto d = driver(c, state);
  auto started = start(*d, c, state);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_TRUE(d->report().ephemeral);
  EXPECT_TRUE(d->report().ephemeral_created);
  EXPECT_FALSE(d->report().ephemeral_removed);
  EXPECT_EQ(d->report().management_kubeconfig, (world->home() / ".kube" / "kubeconfig.eph.local").string());
  EXPECT_TRUE(has_domain("eph-control-plane-1"));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  ASSERT_TRUE(cache->find("eph"));
  ASSERT_TRUE(cache->find("demo"));
  EXPECT_EQ(cache->find("demo")->state.at("capi.ephemeral"), "created");
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  // The provider's own infrastructure, and its cloud controller manager in the workload cluster.
  if (GetParam() == "oci") {
    EXPECT_EQ(world->count(CapiWorld::management_side, "infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster"), 1U);
    EXPECT_TRUE(world->workload().get("apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager"));
  } else {
    EXPECT_EQ(world->count(CapiWorld::management_side, "infrastructure.cluster.x-k8s.io/v1alpha1", "OxideCluster"), 1U);
    EXPECT_TRUE(world->workload().get("apps/v1", "Deployment", "kube-system", "oxide-cloud-controller-manager"));
  }

  // Delete uses the recorded management cluster and leaves it running.
  auto again = driver(c, state);
  auto deleted = cluster::delete_cluster(*again, { .name = "demo" }, state, null_progress());
  ASSERT_TRUE(deleted) << deleted.error().message();
  EXPECT_TRUE(again->report().cluster_deleted);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_TRUE(has_domain("eph-control-plane-1"));
}

// The ephemeral cluster that manages the cluster is removed (`ocne cluster
// delete -C eph`): its Cluster API objects went with it, so delete cannot
// reach the Cluster and must not forget it.
TEST_P(EphemeralCapiStart, DeleteOfAClusterWhoseEphemeralManagementClusterWasRemovedIsAnError)
{
  const StateDir state(world->home() / ".ocne");
  const auto c = load(false);
  auto d = driver(c, state);
  auto started = start(*d, c, state);
  ASSERT_TRUE(started) << started.error().message();
  ASSERT_TRUE(d->report().ephemeral_created);
  auto removed = libvirt::ephemeral_deleter(c, env(), state, null_progress(), hooks())("eph");
  ASSERT_TRUE(removed) << removed.error().message();
  ASSERT_FALSE(has_domain("eph-control-plane-1"));

  auto again = driver(c, state);
  auto deleted = cluster::delete_cluster(*again, { .name = "demo" }, state, null_progress());
  ASSERT_FALSE(deleted);
  EXPECT_NE(deleted.error().message().find("cluster demo was managed from the ephemeral cluster, which was removed "
                                           "since"),
            std::string::npos)
    << deleted.error().message();
  EXPECT_NE(deleted.error().message().find("(nothing was removed)"), std::string::npos) << deleted.error().message();
  EXPECT_FALSE(again->report().cluster_deleted);
  // Nothing forgotten: the record, the kubeconfig, and the Cluster (in the
  // world's management server, which played the removed cluster's API).
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  ASSERT_TRUE(cache->find("demo"));
  EXPECT_TRUE(std::filesystem::exists(world->home() / ".kube" / "kubeconfig.demo"));
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
}

TEST_P(EphemeralCapiStart, SelfManagedRemovesItAfterThePivotAndDeleteStartsOneToMoveBackInto)
{
  const StateDir state(world->home() / ".ocne");
  const auto c = load(true);
  auto d = driver(c, state);
  auto started = start(*d, c, state);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_TRUE(d->report().pivoted);
  EXPECT_TRUE(d->report().ephemeral_removed);
  EXPECT_FALSE(has_domain("eph-control-plane-1"));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->find("eph"));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);

  // The first delete starts the ephemeral cluster, moves the objects back
  // into it, then fails: Cluster API refuses to delete the Cluster once.
  const auto cluster_path = "/apis/cluster.x-k8s.io/" + std::string(GetParam() == "oxide" ? "v1beta2" : "v1beta1") +
                            "/namespaces/ocne/clusters/demo";
  world->management().faults().fail_next(1, { .status = 403, .message = "refused once" }, "DELETE", cluster_path);
  auto interrupted = driver(c, state);
  auto failed = cluster::delete_cluster(*interrupted, { .name = "demo" }, state, null_progress());
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("refused once"), std::string::npos) << failed.error().message();
  EXPECT_TRUE(interrupted->report().moved_back);
  EXPECT_TRUE(interrupted->report().ephemeral_created);
  EXPECT_FALSE(interrupted->report().ephemeral_removed);
  EXPECT_TRUE(has_domain("eph-control-plane-1"));

  // The next delete reuses it, finishes, and removes it at the end.
  auto again = driver(c, state);
  auto deleted = cluster::delete_cluster(*again, { .name = "demo" }, state, null_progress());
  ASSERT_TRUE(deleted) << deleted.error().message();
  EXPECT_FALSE(again->report().moved_back);
  EXPECT_FALSE(again->report().ephemeral_created);
  EXPECT_TRUE(again->report().ephemeral_removed);
  EXPECT_TRUE(again->report().cluster_deleted);
  EXPECT_FALSE(has_domain("eph-control-plane-1"));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->find("eph"));
  EXPECT_FALSE(cache->find("demo"));
}

// A self-managed start stopped as by a kill while its ephemeral cluster
// boots (the node defined, its API not reached yet): the next run finishes
// that start, counts the ephemeral cluster as its own, and so removes it
// after the pivot; nothing of it is left, in libvirt or in the records.
TEST_P(EphemeralCapiStart, KilledWhileTheEphemeralClusterBootsTheNextRunFinishesItAndThePivotRemovesIt)
{
  const StateDir state(world->home() / ".ocne");
  const auto c = load(true);
  kill_ephemeral_boot->store(true);
  {
    auto d = driver(c, state);
    EXPECT_THROW((void)start(*d, c, state), Killed);
  }
  ASSERT_FALSE(kill_ephemeral_boot->load());
  ASSERT_TRUE(has_domain("eph-control-plane-1")); // left half-started
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);

  auto d = driver(c, state);
  auto started = start(*d, c, state);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_TRUE(d->report().pivoted);
  EXPECT_TRUE(d->report().ephemeral_removed);
  EXPECT_FALSE(has_domain("eph-control-plane-1"));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->find("eph"));
  EXPECT_EQ(recorded(state, "capi.ephemeral"), "");
  EXPECT_EQ(recorded(state, "capi.pivoted"), "true");
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
}

// A self-managed start stopped as by a kill after the move, just before it
// removes the ephemeral cluster it made (checkpoint `release`): the next run
// removes it, and the records forget it.
TEST_P(EphemeralCapiStart, KilledBeforeTheEphemeralClusterIsRemovedTheNextRunRemovesIt)
{
  const StateDir state(world->home() / ".ocne");
  const auto c = load(true);
  {
    auto d = driver(c, state, [](std::string_view point) {
      if (point == "release") {
        throw Killed{};
      }
    });
    EXPECT_THROW((void)start(*d, c, state), Killed);
  }
  ASSERT_TRUE(has_domain("eph-control-plane-1"));
  ASSERT_EQ(recorded(state, "capi.pivoted"), "true");
  ASSERT_EQ(recorded(state, "capi.ephemeral"), "created");
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);

  auto d = driver(c, state);
  auto started = start(*d, c, state);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_TRUE(d->report().pivoted);
  EXPECT_TRUE(d->report().ephemeral_removed);
  EXPECT_FALSE(has_domain("eph-control-plane-1"));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->find("eph"));
  EXPECT_EQ(recorded(state, "capi.ephemeral"), "");
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
}

INSTANTIATE_TEST_SUITE_P(Providers, EphemeralCapiStart, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::providers::capi
