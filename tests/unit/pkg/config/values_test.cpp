#include "pkg/config/values.hpp"

#include "pkg/config/versions.hpp"

#include <gtest/gtest.h>

namespace ocne::config {
namespace {

TEST(Values, Quantities)
{
  EXPECT_EQ(*parse_quantity("4194304Ki"), 4294967296ULL);
  EXPECT_EQ(*parse_quantity("20Gi"), 20ULL << 30);
  EXPECT_EQ(*parse_quantity("8G"), 8000000000ULL);
  EXPECT_EQ(*parse_quantity("1024"), 1024ULL);
  EXPECT_EQ(parse_quantity("1.5Gi").error().message(),
            "'1.5Gi' has an unknown unit '.5Gi' (use Ki, Mi, Gi, Ti or k, M, G, T)");
  EXPECT_EQ(parse_quantity("Gi").error().message(),
            "'Gi' is not a quantity (expected a whole number with an optional suffix such as Gi or Mi)");
  EXPECT_FALSE(parse_quantity("99999999999999999999Gi"));
}

TEST(Values, Cidrs)
{
  EXPECT_TRUE(check_cidr("10.244.0.0/16"));
  EXPECT_TRUE(check_cidr("fd00::/64"));
  EXPECT_TRUE(check_cidr_list("10.244.0.0/16,fd00:10:244::/56"));
  EXPECT_EQ(check_cidr("10.244.0.0").error().message(),
            "'10.244.0.0' is not a CIDR (expected address/prefix, e.g. 10.244.0.0/16)");
  EXPECT_EQ(check_cidr("300.1.1.1/8").error().message(),
            "'300.1.1.1/8' is not a CIDR: '300.1.1.1' is not an IP address");
  EXPECT_EQ(check_cidr("fd00::/129").error().message(),
            "'fd00::/129' is not a CIDR: the prefix length must be 0 to 128");
  EXPECT_EQ(check_cidr_list("10.0.0.0/8,10.1.0.0/16").error().message(),
            "'10.0.0.0/8,10.1.0.0/16' lists more than one IPv4 or IPv6 CIDR (at most one of each for dual stack)");
  EXPECT_EQ(check_cidr_list("10.0.0.0/8,").error().message(), "'10.0.0.0/8,' has an empty entry");
}

TEST(Values, Names)
{
  EXPECT_TRUE(is_dns_label("ocne-1"));
  EXPECT_FALSE(is_dns_label("-a"));
  EXPECT_FALSE(is_dns_label("A"));
  EXPECT_FALSE(is_dns_label(std::string(64, 'a')));
  EXPECT_TRUE(is_uuid("0b5d6a9e-1234-4a5b-9c6d-0123456789ab"));
}

TEST(Versions, Table)
{
  EXPECT_EQ(find_kube_version("1.33")->full, "1.33.5");
  EXPECT_EQ(find_kube_version("v1.30.3")->etcd, "3.5.12");
  EXPECT_EQ(find_kube_version("1.26")->coredns, "v1.9.3-4");
  EXPECT_FALSE(is_supported_kube_version("1.25"));
}

} // namespace
} // namespace ocne::config
