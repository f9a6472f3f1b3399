#include "providers/libvirt/ephemeral.hpp"

#include "pkg/core/process.hpp"
#include "pkg/libvirt/connection.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/providers/libvirt/fakes.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

class EphemeralTest : public ocne::test::TempDirTest
{};

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

class EphemeralLibvirtTest : public ocne::test::TempDirTest
{};

TEST_F(EphemeralLibvirtTest, StartReuseAndRemove)
{
  if (!program_exists("qemu-img")) {
    GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
  }
  const auto boot = dir() / "boot.qcow2";
  auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", boot.string(), "64M" } });
  ASSERT_TRUE(made && made->ok());
  // test:///default keeps its objects only while a connection is open.
  auto conn = ocne::libvirt::Connection::open("test:///default");
  ASSERT_TRUE(conn);
  const auto env = Environment::from_map({ { "HOME", dir().string() } });
  const StateDir state(dir() / ".ocne");
  auto probe = std::make_shared<test::ProbeScript>();
  auto written = std::make_shared<test::Written>();
  EphemeralHooks hooks;
  hooks.deps = [&] { return test::fake_deps(probe, written); };
  hooks.adjust = [](Options& o) { o.arch = "x86_64"; };

  config::ClusterConfig target;
  target.name = std::string("prod");
  target.provider = std::string("oci");
  target.worker_nodes = 3;
  target.boot_volume_container_image = "file://" + boot.string();
  target.providers.libvirt.uri = std::string("test:///default");
  target.providers.libvirt.boot_volume_name = std::string("ephemeral-test-boot.qcow2");
  target.ephemeral_cluster.name = std::string("eph-test");
  target.ephemeral_cluster.node.memory = std::string("512Mi");

  auto mc = cluster::ensure_management_cluster(
    target, "", "providers.oci.kubeconfig", env, ephemeral_starter(env, state, null_progress(), hooks));
  ASSERT_TRUE(mc) << mc.error().message();
  EXPECT_TRUE(mc->ephemeral);
  EXPECT_TRUE(mc->created);
  EXPECT_EQ(mc->kubeconfig, dir() / ".kube" / "kubeconfig.eph-test.local");
  auto node = conn->find_domain("eph-test-control-plane-1");
  ASSERT_TRUE(node && *node);
  EXPECT_NE((*node)->xml(true)->find("<memory unit='KiB'>524288</memory>"), std::string::npos);
  // one control plane and no workers, whatever the target asked for
  EXPECT_FALSE(*conn->find_domain("eph-test-worker-1"));

  // reused when present, and then never removed by release
  auto reused = cluster::ensure_management_cluster(
    target, "", "providers.oci.kubeconfig", env, ephemeral_starter(env, state, null_progress(), hooks));
  ASSERT_TRUE(reused) << reused.error().message();
  EXPECT_FALSE(reused->created);
  auto deleter = ephemeral_deleter(target, env, state, null_progress(), hooks);
  ASSERT_TRUE(cluster::release_management_cluster(*reused, false, false, deleter));
  EXPECT_TRUE(*conn->find_domain("eph-test-control-plane-1"));
  // kept while still needed; removed when not
  ASSERT_TRUE(cluster::release_management_cluster(*mc, true, false, deleter));
  EXPECT_TRUE(*conn->find_domain("eph-test-control-plane-1"));
  ASSERT_TRUE(cluster::release_management_cluster(*mc, false, false, deleter));
  EXPECT_FALSE(*conn->find_domain("eph-test-control-plane-1"));
  EXPECT_FALSE(std::filesystem::exists(mc->kubeconfig));
}

} // namespace
} // namespace ocne::providers::libvirt
