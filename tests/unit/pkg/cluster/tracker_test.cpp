#include "pkg/cluster/tracker.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::cluster {
namespace {

class TrackerTest : public ocne::test::TempDirTest
{};

TEST_F(TrackerTest, CacheTrackerSavesEachChangeAtOnce)
{
  StateDir state(dir() / "ocne");
  ASSERT_TRUE(ClusterCache::update(state, [](ClusterCache& c) { return c.add({ .name = "demo" }); }));
  CacheTracker tracker(state, "demo");
  ASSERT_TRUE(tracker.add({ "libvirt", "domain", "", "demo-control-plane-1" }));
  ASSERT_TRUE(tracker.set_id("libvirt", "domain", "demo-control-plane-1", "uuid-1"));
  ASSERT_TRUE(tracker.add({ "libvirt", "volume", "images/a.qcow2", "a.qcow2" }));
  ASSERT_TRUE(tracker.set_state("uri", "qemu:///system"));
  ASSERT_TRUE(tracker.set_kubeconfig("/k"));
  // what another process would read now
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  const auto* record = cache->find("demo");
  ASSERT_NE(record, nullptr);
  ASSERT_EQ(record->resources.size(), 2u);
  EXPECT_EQ(record->resources[0].id, "uuid-1");
  EXPECT_EQ(record->state.at("uri"), "qemu:///system");
  EXPECT_EQ(record->kubeconfig, "/k");
  ASSERT_TRUE(tracker.remove("libvirt", "volume", "a.qcow2"));
  auto reloaded = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->find("demo")->resources.size(), 1u);
  EXPECT_EQ(tracker.snapshot().resources.size(), 1u);
}

TEST_F(TrackerTest, EntryRemovedUnderUsIsRecreated)
{
  StateDir state(dir() / "ocne");
  ASSERT_TRUE(ClusterCache::update(state, [](ClusterCache& c) { return c.add({ .name = "demo" }); }));
  CacheTracker tracker(state, "demo");
  ASSERT_TRUE(tracker.add({ "libvirt", "domain", "", "d1" }));
  ASSERT_TRUE(ClusterCache::update(state, [](ClusterCache& c) -> Status {
    c.remove("demo");
    return {};
  }));
  ASSERT_TRUE(tracker.add({ "libvirt", "domain", "", "d2" }));
  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  const auto* record = cache->find("demo");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->resources.size(), 2u);
}

TEST_F(TrackerTest, MemoryTrackerAddIsIdempotent)
{
  MemoryTracker tracker("demo");
  ASSERT_TRUE(tracker.add({ "p", "k", "", "n" }));
  ASSERT_TRUE(tracker.add({ "p", "k", "id", "n" }));
  ASSERT_EQ(tracker.snapshot().resources.size(), 1u);
  EXPECT_EQ(tracker.snapshot().resources[0].id, "id");
}

} // namespace
} // namespace ocne::cluster
