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

TEST_F(EphemeralTest, ForcedSettings)
{
  config::ClusterConfig target;
  target.name = std::string("prod");
  target.provider = std::string("oci");
  target.control_plane_nodes = 3;
  target.worker_nodes = 5;
  target.kubernetes_version = std::string("1.31");
  target.os_tag = std::string("1.31");
  target.boot_volume_container_image = std::string("docker://container-registry.oracle.com/olcne/ock:1.31");
  target.virtual_ip = std::string("10.0.0.5");
  target.extra_ignition_inline = std::string("{}");
  target.applications.push_back({ .name = "app" });
  target.ephemeral_cluster.node.cpu = 4;
  target.ephemeral_cluster.node.memory = std::string("8Gi");
  target.proxy.https_proxy = std::string("http://proxy:3128");
  const auto c = ephemeral_cluster_config(target);
  EXPECT_EQ(*c.name, "ocne-ephemeral");
  EXPECT_EQ(*c.provider, "libvirt");
  EXPECT_EQ(*c.control_plane_nodes, 1);
  EXPECT_EQ(*c.worker_nodes, 0);
  EXPECT_TRUE(*c.headless);
  EXPECT_FALSE(*c.catalog);
  EXPECT_FALSE(*c.community_catalog);
  EXPECT_TRUE(*c.quiet);
  EXPECT_EQ(*c.kubernetes_version, "1.31");
  EXPECT_EQ(*c.os_tag, "1.31");
  EXPECT_EQ(*c.boot_volume_container_image, "docker://container-registry.oracle.com/olcne/ock:1.31");
  EXPECT_FALSE(c.virtual_ip.is_set());
  EXPECT_FALSE(c.extra_ignition_inline.is_set());
  EXPECT_TRUE(c.applications.empty());
  EXPECT_EQ(*c.providers.libvirt.control_plane_node.cpu, 4);
  EXPECT_EQ(*c.providers.libvirt.control_plane_node.memory, "8Gi");
  EXPECT_EQ(*c.proxy.https_proxy, "http://proxy:3128");
  config::ClusterConfig named = target;
  named.ephemeral_cluster.name = std::string("bootstrap");
  EXPECT_EQ(*ephemeral_cluster_config(named).name, "bootstrap");
}

TEST_F(EphemeralTest, EnsureStartsOrReusesAndReleaseOnlyRemovesWhatItMade)
{
  int starts = 0;
  StartOutcome outcome = StartOutcome::created;
  auto starter = [&](const config::ClusterConfig& c) -> Result<StartResult> {
    ++starts;
    EXPECT_EQ(*c.name, "ocne-ephemeral");
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
  config::ClusterConfig target;
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
