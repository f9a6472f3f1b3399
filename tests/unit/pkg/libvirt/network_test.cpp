#include "pkg/libvirt/connection.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

TEST(Network, DefaultNetworkAddresses)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto net = conn->find_network("default");
  ASSERT_TRUE(net && *net);
  EXPECT_TRUE(*(*net)->is_active());
  auto addresses = (*net)->addresses();
  ASSERT_TRUE(addresses) << addresses.error().message();
  ASSERT_FALSE(addresses->empty());
  EXPECT_EQ((*addresses)[0].address, "192.168.122.1");
  EXPECT_EQ((*addresses)[0].netmask, "255.255.255.0");
  EXPECT_EQ((*addresses)[0].family, "ipv4");
}

TEST(Network, Lifecycle)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto net = conn->define_network("<network><name>ocne-test</name><forward mode='nat'/>"
                                  "<ip family='ipv6' address='fd00:1::1' prefix='64'/></network>");
  ASSERT_TRUE(net) << net.error().message();
  ASSERT_TRUE(net->start());
  ASSERT_TRUE(net->set_autostart(false));
  auto addresses = net->addresses();
  ASSERT_TRUE(addresses);
  EXPECT_EQ((*addresses)[0].prefix, 64u);
  EXPECT_EQ((*addresses)[0].family, "ipv6");
  auto all = conn->networks();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  ASSERT_TRUE(net->stop());
  ASSERT_TRUE(net->undefine());
  EXPECT_FALSE(*conn->find_network("ocne-test"));
}

TEST(Network, LeasesAreUnsupportedByTheTestDriver)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto net = conn->find_network("default");
  ASSERT_TRUE(net && *net);
  auto leases = (*net)->dhcp_leases();
  ASSERT_FALSE(leases);
  EXPECT_EQ(leases.error().kind(), ErrorKind::unavailable);
  EXPECT_EQ(leases.error().message(),
            "cannot read the DHCP leases of network default: this function is not "
            "supported by the connection driver: virNetworkGetDHCPLeases");
}

} // namespace
} // namespace ocne::libvirt
