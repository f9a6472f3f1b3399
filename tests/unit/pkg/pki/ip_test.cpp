#include "pkg/pki/ip.hpp"

#include <gtest/gtest.h>

namespace ocne::pki {
namespace {

TEST(Ip, ParseAndFormat)
{
  EXPECT_EQ(IpAddress::parse("192.168.122.1")->to_string(), "192.168.122.1");
  EXPECT_EQ(IpAddress::parse("fd00::1")->url_host(), "[fd00::1]");
  EXPECT_EQ(IpAddress::parse("10.0.0.1")->url_host(), "10.0.0.1");
  EXPECT_FALSE(IpAddress::parse("10.0.0"));
  EXPECT_FALSE(IpAddress::parse("host.example"));
}

TEST(Ip, PlusCarriesAndOverflows)
{
  EXPECT_EQ(IpAddress::parse("192.168.122.1")->plus(200)->to_string(), "192.168.122.201");
  EXPECT_EQ(IpAddress::parse("192.168.122.100")->plus(200)->to_string(), "192.168.123.44");
  EXPECT_FALSE(IpAddress::parse("255.255.255.255")->plus(1));
  EXPECT_EQ(IpAddress::parse("fd00::ffff")->plus(1)->to_string(), "fd00::1:0");
}

TEST(Ip, CidrFirstHostAndContains)
{
  auto cidr = Cidr::parse("10.96.0.0/12");
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->first_host().to_string(), "10.96.0.1");
  EXPECT_TRUE(cidr->contains(*IpAddress::parse("10.111.255.255")));
  EXPECT_FALSE(cidr->contains(*IpAddress::parse("10.112.0.0")));
  EXPECT_EQ(Cidr::parse("192.168.122.1/24")->to_string(), "192.168.122.0/24");
  EXPECT_EQ(Cidr::parse("fd00:96::/108")->first_host().to_string(), "fd00:96::1");
}

TEST(Ip, CidrErrors)
{
  EXPECT_EQ(Cidr::parse("10.0.0.0/33").error().message(),
            "'10.0.0.0/33' is not a CIDR block (expected address/prefix)");
  EXPECT_EQ(Cidr::parse("x/8").error().message(), "'x/8' is not a CIDR block (expected address/prefix)");
}

TEST(Ip, Netmask)
{
  auto cidr = Cidr::from_netmask(*IpAddress::parse("192.168.122.1"), "255.255.255.0");
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->to_string(), "192.168.122.0/24");
  EXPECT_EQ(Cidr::from_netmask(*IpAddress::parse("10.0.0.1"), "255.0.255.0").error().message(),
            "'255.0.255.0' is not a contiguous netmask");
}

} // namespace
} // namespace ocne::pki
