#include "providers/libvirt/networking.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

class NetworkingTest : public ocne::test::TempDirTest
{};

TEST_F(NetworkingTest, VirtualIpIs200PastTheGateway)
{
  EXPECT_EQ(*pick_virtual_ip("192.168.122.1", 24, {}, {}, "default"), "192.168.122.201");
  EXPECT_EQ(*pick_virtual_ip("192.168.122.1", 24, { "192.168.122.201" }, { "192.168.122.202" }, "default"),
            "192.168.122.203");
  EXPECT_EQ(*pick_virtual_ip("10.0.0.1", 16, {}, {}, "big"), "10.0.0.201");
  auto full = pick_virtual_ip("192.168.122.100", 24, {}, {}, "default");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().message(),
            "no free address 200 or more past 192.168.122.100 in network default for the virtual IP; set virtualIp");
}

TEST_F(NetworkingTest, BridgeModeOnTheDefaultNetwork)
{
  auto conn = ocne::libvirt::Connection::open("test:///default");
  ASSERT_TRUE(conn);
  Options o;
  o.worker_nodes = 2;
  auto plan = plan_networking(*conn, o);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->mode, NetworkMode::bridge);
  EXPECT_EQ(plan->gateway, "192.168.122.1");
  EXPECT_EQ(plan->gateway_prefix, 24u);
  EXPECT_EQ(plan->net_interface, "enp1s0");
  EXPECT_EQ(plan->api_address, "");
  EXPECT_TRUE(plan->internal_load_balancer);
  o.load_balancer = "lb.example.com";
  plan = plan_networking(*conn, o);
  EXPECT_EQ(plan->api_address, "lb.example.com");
  EXPECT_FALSE(plan->internal_load_balancer);
  o.virtual_ip = "192.168.122.50";
  auto both = plan_networking(*conn, o);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message(), "virtualIp and loadBalancer cannot both be set");
}

TEST_F(NetworkingTest, MissingNetworkAmongOthers)
{
  auto conn = ocne::libvirt::Connection::open("test:///default");
  ASSERT_TRUE(conn);
  Options o;
  o.network = "nope";
  auto plan = plan_networking(*conn, o);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message(),
            "network nope does not exist on test:///default (it has: default); set "
            "providers.libvirt.network to one of them");
}

TEST_F(NetworkingTest, InactiveNetworkIsStarted)
{
  const auto node = write("node.xml", R"(<node>
  <network><name>default</name><forward mode='nat'/><bridge name='virbr9'/>
    <ip address='192.168.160.1' netmask='255.255.255.0'/></network>
</node>)");
  auto conn = ocne::libvirt::Connection::open("test://" + node.string());
  ASSERT_TRUE(conn);
  auto net = conn->find_network("default");
  ASSERT_TRUE(net && *net);
  if (*(*net)->is_active()) {
    ASSERT_TRUE((*net)->stop());
  }
  auto plan = plan_networking(*conn, {});
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_TRUE(*(*net)->is_active());
  EXPECT_EQ(plan->gateway, "192.168.160.1");
}

TEST_F(NetworkingTest, UserModeWithoutNetworks)
{
  const auto node = write("node.xml", "<node><memory>8388608</memory></node>");
  auto conn = ocne::libvirt::Connection::open("test://" + node.string());
  ASSERT_TRUE(conn);
  auto plan = plan_networking(*conn, {});
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->mode, NetworkMode::user);
  EXPECT_EQ(plan->net_interface, "enp0s2");
  EXPECT_EQ(plan->api_address, "127.0.0.1");
  EXPECT_FALSE(plan->internal_load_balancer);
  Options workers;
  workers.worker_nodes = 1;
  auto refused = plan_networking(*conn, workers);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(),
            "test://" + node.string() +
              " has no libvirt networks, so nodes use user networking, and adding worker nodes to user-networking "
              "clusters is not supported");
  Options three;
  three.control_plane_nodes = 3;
  EXPECT_FALSE(plan_networking(*conn, three));
}

} // namespace
} // namespace ocne::providers::libvirt
