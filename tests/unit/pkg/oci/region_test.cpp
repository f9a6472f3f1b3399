#include "pkg/oci/region.hpp"

#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/oci/signing_vectors.hpp"

#include <gtest/gtest.h>

namespace ocne::oci {
namespace {

TEST(RegionTest, BuiltinTableEqualsTheSharedRegionList)
{
  OCNE_REQUIRE_SHARED();
  const auto doc =
    nlohmann::json::parse(test::read_text(::ocne::test::shared_path("testdata/oci-regions/regions.json")));
  ASSERT_EQ(doc.size(), builtin_regions().size());
  for (const auto& e : doc) {
    auto r = find_region(e["regionIdentifier"].get<std::string>());
    ASSERT_TRUE(r) << e.dump();
    EXPECT_EQ(r->key, e["regionKey"].get<std::string>());
    EXPECT_EQ(r->realm, e["realmKey"].get<std::string>());
    EXPECT_EQ(r->domain, e["realmDomainComponent"].get<std::string>());
    auto by_key = find_region(e["regionKey"].get<std::string>());
    ASSERT_TRUE(by_key);
    EXPECT_EQ(by_key->identifier, e["regionIdentifier"].get<std::string>());
  }
}

TEST(RegionTest, EndpointsFromRegionAndRealm)
{
  auto e = resolve_endpoints("IAD", {}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->identity, "https://identity.us-ashburn-1.oci.oraclecloud.com");
  EXPECT_EQ(e->object_storage, "https://objectstorage.us-ashburn-1.oraclecloud.com");
  EXPECT_EQ(e->iaas, "https://iaas.us-ashburn-1.oraclecloud.com");
  e = resolve_endpoints("uk-gov-london-1", {}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->iaas, "https://iaas.uk-gov-london-1.oraclegovcloud.uk");
  EXPECT_EQ(e->identity, "https://identity.uk-gov-london-1.oci.oraclegovcloud.uk");
}

TEST(RegionTest, OverridesPerServiceAndForAll)
{
  EndpointOverrides o;
  o.object_storage = "http://127.0.0.1:9000/";
  auto e = resolve_endpoints("phx", {}, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->object_storage, "http://127.0.0.1:9000");
  EXPECT_EQ(e->iaas, "https://iaas.us-phoenix-1.oraclecloud.com");
  o.all = "http://127.0.0.1:7000";
  // With every service overridden the region is not needed at all.
  e = resolve_endpoints("", {}, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->identity, "http://127.0.0.1:7000");
  EXPECT_EQ(e->object_storage, "http://127.0.0.1:9000");
  EXPECT_EQ(e->iaas, "http://127.0.0.1:7000");
}

TEST(RegionTest, UnknownRegionIsOneClearLine)
{
  auto e = resolve_endpoints("mars-north-1", {}, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(),
            "unknown OCI region 'mars-north-1': not a known region name or short code (a newer region can be added "
            "to ~/.oci/regions-config.json or OCI_REGION_METADATA)");
  e = resolve_endpoints(" ", {}, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "no OCI region is configured (set region in the OCI config)");
}

class RegionSourcesTest : public ::ocne::test::TempDirTest
{};

TEST_F(RegionSourcesTest, ConfigFileAndEnvironmentAddRegions)
{
  write(
    ".oci/regions-config.json",
    R"([{"regionKey":"mnq","regionIdentifier":"mars-north-1","realmKey":"oc99","realmDomainComponent":"mars.example"}])");
  auto env = Environment::from_map(
    { { "HOME", dir().string() },
      { "OCI_REGION_METADATA",
        R"({"regionKey":"vsq","regionIdentifier":"venus-south-1","realmKey":"oc98","realmDomainComponent":"venus.example"})" } });
  auto sources = load_region_sources(env);
  ASSERT_TRUE(sources) << sources.error().message();
  auto e = resolve_endpoints("MNQ", *sources, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->iaas, "https://iaas.mars-north-1.mars.example");
  e = resolve_endpoints("venus-south-1", *sources, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->identity, "https://identity.venus-south-1.oci.venus.example");
}

TEST_F(RegionSourcesTest, BadMetadataNamesItsOrigin)
{
  const auto file = write(".oci/regions-config.json", R"([{"regionKey":"x"}])");
  auto env = Environment::from_map({ { "HOME", dir().string() } });
  auto sources = load_region_sources(env);
  ASSERT_FALSE(sources);
  EXPECT_EQ(sources.error().message(), file.string() + ": region entry 1 has no regionIdentifier");
  env = Environment::from_map({ { "HOME", (dir() / "none").string() }, { "OCI_REGION_METADATA", "{" } });
  sources = load_region_sources(env);
  ASSERT_FALSE(sources);
  EXPECT_EQ(sources.error().message().rfind("OCI_REGION_METADATA: not valid JSON: ", 0), 0u);
}

} // namespace
} // namespace ocne::oci
