#include "providers/libvirt/options.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

class OptionsTest : public ocne::test::TempDirTest
{
protected:
  Environment
  env()
  {
    return Environment::from_map({ { "HOME", dir().string() } });
  }
};

TEST_F(OptionsTest, Defaults)
{
  config::ClusterConfig c;
  auto o = options_from_config(c, env(), StateDir(dir() / ".ocne"));
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->cluster_name, "ocne");
  EXPECT_EQ(o->uri, "qemu:///session");
  EXPECT_EQ(o->storage_pool, "images");
  EXPECT_EQ(o->control_plane_nodes, 1u);
  EXPECT_EQ(o->control_plane.memory_kib, 4194304u);
  EXPECT_EQ(o->control_plane.storage_bytes, 20ULL << 30);
  EXPECT_EQ(o->kubernetes_full_version, "1.33.5");
  EXPECT_EQ(o->etcd_tag, "3.5.23");
  EXPECT_EQ(o->kube_dir, dir() / ".kube");
  EXPECT_EQ(o->image_repository, "container-registry.oracle.com/olcne");
  EXPECT_FALSE(o->boot_image);
}

TEST_F(OptionsTest, ConfigValuesAndFiles)
{
  write("keys/id.pub", "ssh-ed25519 AAAA me@host\n");
  write("extra.ign", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/motd"}]}})");
  write("boot.qcow2", "x");
  config::ClusterConfig c;
  c.name = std::string("demo");
  c.directory = dir().string();
  c.control_plane_nodes = 3;
  c.worker_nodes = 2;
  c.kubernetes_version = std::string("1.31");
  c.ssh_public_key_path = std::string("keys/id.pub");
  c.extra_ignition = std::string("extra.ign");
  c.boot_volume_container_image = std::string("file://boot.qcow2");
  c.providers.libvirt.uri = std::string("qemu:///system");
  c.providers.libvirt.worker_node.cpu = 4;
  c.providers.libvirt.worker_node.memory = std::string("2Gi");
  c.providers.libvirt.worker_node.storage = std::string("30Gi");
  c.registry = std::string("registry.example.com");
  auto o = options_from_config(c, env(), StateDir(dir() / ".ocne"));
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->cluster_name, "demo");
  EXPECT_EQ(o->worker_nodes, 2u);
  EXPECT_EQ(o->worker.cpus, 4u);
  EXPECT_EQ(o->worker.memory_kib, 2097152u);
  EXPECT_EQ(o->worker.storage_bytes, 30ULL << 30);
  EXPECT_EQ(o->kubernetes_full_version, "1.31.0");
  EXPECT_EQ(o->os_tag, "1.31");
  EXPECT_EQ(o->ssh_public_key, "ssh-ed25519 AAAA me@host\n");
  ASSERT_EQ(o->extra_ignition.size(), 1u);
  EXPECT_EQ(o->image_repository, "registry.example.com/olcne");
  ASSERT_TRUE(o->boot_image);
  EXPECT_EQ(*o->boot_image("amd64", null_progress()), dir() / "boot.qcow2");
}

TEST_F(OptionsTest, BadValuesAreNamed)
{
  config::ClusterConfig c;
  c.providers.libvirt.control_plane_node.memory = std::string("lots");
  auto o = options_from_config(c, env(), StateDir(dir() / ".ocne"));
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().message().rfind("providers.libvirt.controlPlaneNode.memory: ", 0), 0u) << o.error().message();
  config::ClusterConfig k;
  k.ssh_public_key_path = std::string("/nope.pub");
  auto key = options_from_config(k, env(), StateDir(dir() / ".ocne"));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message(), "sshPublicKeyPath: /nope.pub: no such file or directory");
}

} // namespace
} // namespace ocne::providers::libvirt
