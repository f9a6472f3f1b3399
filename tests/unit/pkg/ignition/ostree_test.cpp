#include "pkg/ignition/ostree.hpp"

#include <gtest/gtest.h>

namespace ocne::ignition {
namespace {

TEST(Ostree, UnverifiedRegistry)
{
  auto r = parse_ostree_reference("ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, "ostree-unverified-registry");
  EXPECT_EQ(r->image, "container-registry.oracle.com/olcne/ock-ostree");
}

TEST(Ostree, PlainImageIsNormalised)
{
  auto r = parse_ostree_reference("registry.example.com:5000/ock-ostree");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, "ostree-unverified-registry");
  EXPECT_EQ(r->image, "registry.example.com:5000/ock-ostree");
}

TEST(Ostree, ImageAndRemoteForms)
{
  auto a = parse_ostree_reference("ostree-unverified-image:docker://quay.io/x/y");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->transport, "ostree-unverified-image:docker://");
  EXPECT_EQ(a->image, "quay.io/x/y");
  auto b = parse_ostree_reference("ostree-remote-image:fedora:registry:quay.io/x/y");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->transport, "ostree-remote-image:fedora:registry");
  EXPECT_EQ(b->image, "quay.io/x/y");
  auto c = parse_ostree_reference("ostree-unverified-image:oci-archive:/tmp/x.tar");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->transport, "ostree-unverified-image:oci-archive");
  EXPECT_EQ(c->image, "/tmp/x.tar");
}

TEST(Ostree, TagsAreRejected)
{
  EXPECT_EQ(parse_ostree_reference("ostree-unverified-registry:example.com/ock:1.33").error().message(),
            "osRegistry 'ostree-unverified-registry:example.com/ock:1.33' cannot have a tag or digest; the tag comes "
            "from osTag");
  EXPECT_EQ(parse_ostree_reference("ostree-unverified-registry:").error().message(),
            "osRegistry 'ostree-unverified-registry:' names no image");
}

} // namespace
} // namespace ocne::ignition
