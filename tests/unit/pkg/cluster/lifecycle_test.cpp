#include "pkg/cluster/lifecycle.hpp"

#include "pkg/core/file_lock.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/cluster/fake_driver.hpp"

#include <gtest/gtest.h>

namespace ocne::cluster {
namespace {

class LifecycleTest : public ocne::test::TempDirTest
{
protected:
  StateDir state{ dir() / "ocne" };
  test::FakeDriver driver;

  StartRequest
  request(std::string name = "demo")
  {
    return { .name = std::move(name), .provider = "fake", .kubernetes_version = "1.33", .config_yaml = "name: demo\n" };
  }
  std::optional<ClusterRecord>
  cached(std::string_view name = "demo")
  {
    auto cache = ClusterCache::load(state.clusters_file());
    EXPECT_TRUE(cache);
    const auto* record = cache->find(name);
    return record ? std::optional<ClusterRecord>(*record) : std::nullopt;
  }
};

TEST_F(LifecycleTest, StartRecordsEveryObjectAndMarksRunning)
{
  auto started = start_cluster(driver, request(), state, null_progress());
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(started->outcome, StartOutcome::created);
  auto record = cached();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state.at("phase"), "running");
  EXPECT_EQ(record->state.at("provider"), "fake");
  EXPECT_EQ(record->state.at("kubernetesVersion"), "1.33");
  EXPECT_EQ(record->kubeconfig, "/tmp/kubeconfig.fake.local");
  EXPECT_EQ(record->config_yaml, "name: demo");
  ASSERT_EQ(record->resources.size(), 2u);
  EXPECT_EQ(record->resources[0], (TrackedResource{ "fake", "object", "id-vm-1", "vm-1" }));
}

TEST_F(LifecycleTest, SecondStartFindsItRunningAndChangesNothing)
{
  ASSERT_TRUE(start_cluster(driver, request(), state, null_progress()));
  auto again = start_cluster(driver, request(), state, null_progress());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, StartOutcome::already_running);
  EXPECT_EQ(cached()->resources.size(), 2u);
  EXPECT_EQ(driver.destroys, 0);
}

TEST_F(LifecycleTest, FailedStartIsRolledBack)
{
  driver.fail_after = 1;
  auto started = start_cluster(driver, request(), state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "the fake provider broke");
  EXPECT_EQ(driver.destroys, 1);
  EXPECT_TRUE(driver.objects.empty());
  EXPECT_FALSE(cached());
}

TEST_F(LifecycleTest, ADisposableClusterIsRemovedAfterATimeoutToo)
{
  driver.fail_after = 2;
  driver.failure = Error(ErrorKind::timeout, "the API did not answer");
  auto req = request();
  req.disposable = true;
  auto started = start_cluster(driver, req, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(started.error().message(), "the API did not answer");
  EXPECT_EQ(driver.destroys, 1);
  EXPECT_TRUE(driver.objects.empty());
  EXPECT_FALSE(cached());
}

TEST_F(LifecycleTest, TimeoutKeepsWhatWasCreatedForInspection)
{
  driver.fail_after = 2;
  driver.failure = Error(ErrorKind::timeout, "the API did not answer");
  auto started = start_cluster(driver, request(), state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(started.error().message(),
            "the API did not answer; what was created is kept and recorded: 'ocne "
            "cluster delete -C demo' removes it");
  EXPECT_EQ(driver.destroys, 0);
  auto record = cached();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state.at("phase"), "failed");
  EXPECT_EQ(record->resources.size(), 2u);
  // a later start refuses and says what to do
  auto again = start_cluster(driver, request(), state, null_progress());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(),
            "cluster 'demo' is left failed by an earlier run that did not finish; remove it "
            "with 'ocne cluster delete -C demo' and start it again");
  // and delete removes exactly what was recorded
  auto deleted = delete_cluster(driver, { .name = "demo" }, state, null_progress());
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(deleted->was_cached);
  EXPECT_TRUE(driver.objects.empty());
  EXPECT_FALSE(cached());
}

// The ephemeral cluster's start: one left unfinished is removed by its
// record and started afresh; a failed removal stops the start and keeps the
// record; a running one is left alone.
TEST_F(LifecycleTest, ADisposableClusterLeftUnfinishedIsRemovedAndStartedAfresh)
{
  driver.fail_after = 2;
  driver.failure = Error(ErrorKind::timeout, "the API did not answer");
  ASSERT_FALSE(start_cluster(driver, request(), state, null_progress())); // kept: phase failed
  ASSERT_EQ(cached()->state.at("phase"), "failed");
  driver.fail_after = -1;
  auto req = request();
  req.disposable = true;

  driver.fail_destroy = true;
  auto refused = start_cluster(driver, req, state, null_progress());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "cannot remove the unfinished cluster 'demo': cannot delete disk-1");
  ASSERT_TRUE(cached());

  driver.fail_destroy = false;
  auto started = start_cluster(driver, req, state, null_progress());
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(started->outcome, StartOutcome::created);
  EXPECT_EQ(driver.destroys, 2);
  EXPECT_EQ(cached()->state.at("phase"), "running");
  EXPECT_EQ(cached()->resources.size(), 2u);

  auto again = start_cluster(driver, req, state, null_progress());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, StartOutcome::already_running);
  EXPECT_EQ(driver.destroys, 2);
}

TEST_F(LifecycleTest, RollbackThatFailsKeepsTheRecord)
{
  driver.fail_after = 1;
  driver.fail_destroy = true;
  auto started = start_cluster(driver, request(), state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            "the fake provider broke; what was created is kept and recorded: 'ocne "
            "cluster delete -C demo' removes it");
  auto record = cached();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state.at("phase"), "failed");
  ASSERT_EQ(record->resources.size(), 1u);
  EXPECT_EQ(record->resources[0].name, "vm-1");
}

TEST_F(LifecycleTest, KeepOnFailure)
{
  driver.fail_after = 1;
  auto req = request();
  req.keep_on_failure = true;
  ASSERT_FALSE(start_cluster(driver, req, state, null_progress()));
  EXPECT_EQ(driver.destroys, 0);
  EXPECT_EQ(cached()->state.at("phase"), "failed");
}

TEST_F(LifecycleTest, ProviderAndVersionMismatch)
{
  ASSERT_TRUE(start_cluster(driver, request(), state, null_progress()));
  auto other = request();
  other.provider = "oci";
  auto started = start_cluster(driver, other, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            "a cluster named 'demo' already exists with provider fake; delete it first "
            "(ocne cluster delete -C demo) or choose another name");
  auto newer = request();
  newer.kubernetes_version = "1.32";
  started = start_cluster(driver, newer, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "the Kubernetes version of the existing cluster 'demo' is 1.33, not 1.32");
}

TEST_F(LifecycleTest, DeleteIsIdempotent)
{
  ASSERT_TRUE(start_cluster(driver, request(), state, null_progress()));
  auto first = delete_cluster(driver, { .name = "demo" }, state, null_progress());
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->was_cached);
  auto second = delete_cluster(driver, { .name = "demo" }, state, null_progress());
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->was_cached);
  EXPECT_FALSE(cached());
}

TEST_F(LifecycleTest, FailedDeleteKeepsWhatIsLeft)
{
  ASSERT_TRUE(start_cluster(driver, request(), state, null_progress()));
  driver.fail_destroy = true;
  auto deleted = delete_cluster(driver, { .name = "demo" }, state, null_progress());
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().message(), "cannot delete disk-1");
  auto record = cached();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state.at("phase"), "deleting");
  EXPECT_EQ(record->resources.size(), 2u);
  // A start, even a resumable one, does not take it for a cluster to continue.
  auto r = request();
  r.resumable = true;
  auto started = start_cluster(driver, r, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message().find("half-deleted"), std::string::npos) << started.error().message();
}

TEST_F(LifecycleTest, ClusterInUseByAnotherRun)
{
  ASSERT_TRUE(state.ensure());
  ASSERT_TRUE(fs::ensure_dir(state.locks_dir(), 0700));
  auto held = FileLock::acquire(cluster_lock_path(state, "demo"), std::chrono::milliseconds(100), "cluster 'demo'");
  ASSERT_TRUE(held);
  auto req = request();
  req.lock_timeout = std::chrono::milliseconds(0);
  // flock is per open file description: a second acquire in this process
  // blocks like another process would.
  auto started = start_cluster(driver, req, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(started.error().message().rfind("cluster 'demo' is in use by another ocne run", 0), 0u)
    << started.error().message();
}

TEST_F(LifecycleTest, NameIsRequired)
{
  auto started = start_cluster(driver, request(""), state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "the cluster needs a name");
}

} // namespace
} // namespace ocne::cluster
