#include "providers/libvirt/naming.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

TEST(Naming, OcneNames)
{
  EXPECT_EQ(domain_name("demo", Role::control_plane, 1), "demo-control-plane-1");
  EXPECT_EQ(domain_name("demo", Role::worker, 3), "demo-worker-3");
  EXPECT_EQ(disk_volume_name("demo-worker-3"), "demo-worker-3.qcow2");
  EXPECT_EQ(ignition_volume_name("demo-worker-3"), "demo-worker-3-init.ign");
  EXPECT_EQ(base_volume_name("boot.qcow2", "1.33"), "boot.qcow2-1.33");
  EXPECT_EQ(base_volume_name("", "1.33"), "boot.qcow2-1.33");
  EXPECT_EQ(base_volume_name("my-boot.qcow2", "1.33"), "my-boot.qcow2");
  EXPECT_EQ(local_kubeconfig_path("/h/.kube", "demo"), "/h/.kube/kubeconfig.demo.local");
  EXPECT_EQ(vm_kubeconfig_path("/h/.kube", "demo"), "/h/.kube/kubeconfig.demo.vm");
}

TEST(Naming, ClusterOfDomain)
{
  EXPECT_EQ(cluster_of_domain("demo-control-plane-1"), "demo");
  EXPECT_EQ(cluster_of_domain("my-demo-worker-12"), "my-demo");
  EXPECT_EQ(cluster_of_domain("a-b-control-plane-2"), "a-b");
  EXPECT_FALSE(cluster_of_domain("demo-worker-x"));
  EXPECT_FALSE(cluster_of_domain("worker-1"));
  EXPECT_FALSE(cluster_of_domain("demo-node-1"));
  EXPECT_FALSE(cluster_of_domain("control-plane-1"));
}

TEST(Naming, ValidClusterNames)
{
  EXPECT_TRUE(is_valid_cluster_name("ocne-ephemeral"));
  EXPECT_TRUE(is_valid_cluster_name("a_b.c"));
  EXPECT_FALSE(is_valid_cluster_name(""));
  EXPECT_FALSE(is_valid_cluster_name("-x"));
  EXPECT_FALSE(is_valid_cluster_name("a/b"));
  EXPECT_FALSE(is_valid_cluster_name("a b"));
  EXPECT_FALSE(is_valid_cluster_name(std::string(64, 'a')));
}

} // namespace
} // namespace ocne::providers::libvirt
