#include "pkg/oci/identity.hpp"

#include "tests/component/pkg/oci/oci_fixture.hpp"

#include <gtest/gtest.h>

namespace ocne::oci {
namespace {

class IdentityTest : public test::OciServerTest
{};

TEST_F(IdentityTest, ResolvesAPathFollowingEveryPage)
{
  // Pages of two, and the wanted names sit behind several pages of siblings.
  for (int i = 0; i < 7; ++i) {
    server->add_compartment(tenancy(), "sibling-" + std::to_string(i));
  }
  const auto dev = server->add_compartment(tenancy(), "dev");
  for (int i = 0; i < 5; ++i) {
    server->add_compartment(dev, "team-" + std::to_string(i));
  }
  server->add_compartment(dev, "ocne", /*active=*/false); // a deleted namesake comes first
  const auto ocne = server->add_compartment(dev, "ocne");
  const auto images = server->add_compartment(ocne, "images");

  auto id = resolve_compartment(*client, tenancy(), "dev/ocne/images");
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(*id, images);
  // Pages of two: 8 children of the tenancy, 7 of dev, 1 of ocne.
  EXPECT_EQ(server->count("ListCompartments"), 4 + 4 + 1);
  EXPECT_EQ(resolve_compartment(*client, tenancy(), "dev").value(), dev);
}

TEST_F(IdentityTest, OcidsPassThrough)
{
  EXPECT_EQ(resolve_compartment(*client, tenancy(), "ocid1.compartment.oc1..abc").value(),
            "ocid1.compartment.oc1..abc");
  EXPECT_EQ(resolve_compartment(*client, tenancy(), tenancy()).value(), tenancy());
  EXPECT_EQ(server->count("ListCompartments"), 0);
  auto bad = resolve_compartment(*client, tenancy(), "ocid1.image.oc1..abc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "'ocid1.image.oc1..abc' is not a compartment or tenancy OCID");
}

TEST_F(IdentityTest, MissingLevelIsNamed)
{
  const auto dev = server->add_compartment(tenancy(), "dev");
  server->add_compartment(dev, "other");
  auto id = resolve_compartment(*client, tenancy(), "dev/ocne/images");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(id.error().message(), "compartment path 'dev/ocne/images': 'dev' has no active compartment named 'ocne'");

  // A level with no children at all is an error too (ocne returned the parent).
  const auto leaf = server->add_compartment(tenancy(), "leaf");
  (void)leaf;
  id = resolve_compartment(*client, tenancy(), "leaf/child");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(), "compartment path 'leaf/child': 'leaf' has no active compartment named 'child'");

  id = resolve_compartment(*client, tenancy(), "nope");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(),
            "compartment path 'nope': the tenancy (" + tenancy() + ") has no active compartment named 'nope'");

  id = resolve_compartment(*client, tenancy(), "dev//x");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(), "compartment path 'dev//x' has an empty element");
  id = resolve_compartment(*client, tenancy(), " ");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(), "no compartment given (a name path like parent/child, or an OCID)");
}

TEST_F(IdentityTest, ListsOnlyActiveChildren)
{
  const auto dev = server->add_compartment(tenancy(), "dev");
  server->add_compartment(dev, "a");
  server->add_compartment(dev, "gone", false);
  server->add_compartment(dev, "b");
  auto list = list_compartments(*client, dev);
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a");
  EXPECT_EQ((*list)[1].name, "b");
  EXPECT_EQ((*list)[1].parent_id, dev);
}

} // namespace
} // namespace ocne::oci
