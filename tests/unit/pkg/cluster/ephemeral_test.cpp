#include "pkg/cluster/ephemeral.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::cluster {
namespace {

class EphemeralTest : public ocne::test::TempDirTest
{
protected:
  Environment
  env(std::map<std::string, std::string, std::less<>> vars = {})
  {
    vars["HOME"] = dir().string();
    return Environment::from_map(std::move(vars));
  }
};

TEST_F(EphemeralTest, ConfiguredKubeconfigWinsAndMustExist)
{
  const auto file = write("mgmt.kubeconfig", "x");
  auto found = management_kubeconfig(file.string(), "providers.oci.kubeconfig", env({ { "KUBECONFIG", "/nope" } }));
  ASSERT_TRUE(found);
  EXPECT_EQ(**found, file);
  auto missing = management_kubeconfig((dir() / "nope").string(), "providers.oci.kubeconfig", env());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "providers.oci.kubeconfig: the kubeconfig " + (dir() / "nope").string() + " does not exist");
}

TEST_F(EphemeralTest, EnvironmentOrder)
{
  const auto a = write("a", "x");
  const auto b = write("b", "x");
  EXPECT_EQ(**management_kubeconfig("", "k", env({ { "TEST_KUBECONFIG", a.string() }, { "KUBECONFIG", b.string() } })),
            a);
  EXPECT_EQ(**management_kubeconfig("", "k", env({ { "KUBECONFIG", "/missing:" + b.string() } })), b);
  auto none = management_kubeconfig("", "k", env({ { "KUBECONFIG", "/missing" } }));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "KUBECONFIG: none of its files exist (/missing)");
  // ~/.kube/config is never used implicitly: the ephemeral cluster is
  write(".kube/config", "x");
  auto ephemeral = management_kubeconfig("", "k", env());
  ASSERT_TRUE(ephemeral);
  EXPECT_FALSE(*ephemeral);
}

TEST_F(EphemeralTest, EnsureStartsOrReusesAndReleaseOnlyRemovesWhatItMade)
{
  int starts = 0;
  StartOutcome outcome = StartOutcome::created;
  config::ClusterConfig target;
  auto starter = [&](const config::ClusterConfig& c) -> Result<StartResult> {
    ++starts;
    // The starter gets the cluster that needs a management cluster.
    EXPECT_EQ(&c, &target);
    StartResult r;
    r.outcome = outcome;
    r.kubeconfigs.host = "/home/u/.kube/kubeconfig.ocne-ephemeral.local";
    return r;
  };
  std::vector<std::string> deleted;
  auto deleter = [&](const std::string& name) -> Status {
    deleted.push_back(name);
    return {};
  };
  auto mc = ensure_management_cluster(target, "", "providers.oci.kubeconfig", env(), starter);
  ASSERT_TRUE(mc);
  EXPECT_TRUE(mc->ephemeral);
  EXPECT_TRUE(mc->created);
  EXPECT_EQ(mc->kubeconfig, "/home/u/.kube/kubeconfig.ocne-ephemeral.local");
  // still needed (an OCI cluster that is not self-managed) or preserved: kept
  ASSERT_TRUE(release_management_cluster(*mc, true, false, deleter));
  ASSERT_TRUE(release_management_cluster(*mc, false, true, deleter));
  EXPECT_TRUE(deleted.empty());
  ASSERT_TRUE(release_management_cluster(*mc, false, false, deleter));
  EXPECT_EQ(deleted, std::vector<std::string>{ "ocne-ephemeral" });

  // an ephemeral cluster that existed before is reused and never removed here
  outcome = StartOutcome::already_running;
  auto reused = ensure_management_cluster(target, "", "k", env(), starter);
  ASSERT_TRUE(reused);
  EXPECT_FALSE(reused->created);
  ASSERT_TRUE(release_management_cluster(*reused, false, false, deleter));
  EXPECT_EQ(deleted.size(), 1u);

  // a configured management cluster: no ephemeral one at all
  const auto file = write("mgmt", "x");
  auto configured = ensure_management_cluster(target, file.string(), "k", env(), starter);
  ASSERT_TRUE(configured);
  EXPECT_FALSE(configured->ephemeral);
  EXPECT_EQ(starts, 2);
}

TEST_F(EphemeralTest, TheEphemeralClusterIsNamedByTheTarget)
{
  config::ClusterConfig target;
  EXPECT_EQ(ephemeral_cluster_name(target), "ocne-ephemeral");
  target.ephemeral_cluster.name = std::string("bootstrap");
  EXPECT_EQ(ephemeral_cluster_name(target), "bootstrap");
  auto mc = ensure_management_cluster(
    target, "", "k", env(), [&](const config::ClusterConfig&) -> Result<StartResult> { return StartResult{}; });
  ASSERT_TRUE(mc) << mc.error().message();
  EXPECT_EQ(mc->name, "bootstrap");
}

TEST_F(EphemeralTest, StartFailureIsPassedOn)
{
  auto starter = [](const config::ClusterConfig&) -> Result<StartResult> {
    return make_error(ErrorKind::unavailable, "cannot connect to libvirt at qemu:///session: no daemon");
  };
  auto mc = ensure_management_cluster({}, "", "k", env(), starter);
  ASSERT_FALSE(mc);
  EXPECT_EQ(mc.error().message(),
            "cannot start the ephemeral cluster ocne-ephemeral (no management cluster is "
            "configured): cannot connect to libvirt at qemu:///session: no daemon");
  EXPECT_EQ(mc.error().kind(), ErrorKind::unavailable);
}

} // namespace
} // namespace ocne::cluster
