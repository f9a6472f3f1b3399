#include "pkg/clusterctl/inventory.hpp"

#include "pkg/core/embedded.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/yaml.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::clusterctl {
namespace {

using json = nlohmann::json;

// Field names and types, descriptions aside.
json
shape(const json& schema)
{
  json out = json::object();
  if (schema.contains("type")) {
    out["type"] = schema["type"];
  }
  if (schema.contains("properties")) {
    for (const auto& [name, sub] : schema["properties"].items()) {
      out["properties"][name] = shape(sub);
    }
  }
  return out;
}

TEST(InventoryCrd, HasClusterctlsGroupNamesScopeAndFields)
{
  OCNE_REQUIRE_SHARED();
  const auto ours_text = embedded::find("pkg/clusterctl/data/inventory-crd.yaml");
  ASSERT_TRUE(ours_text);
  auto ours = k8s::parse_yaml(*ours_text, "inventory-crd.yaml");
  ASSERT_TRUE(ours) << ours.error().message();
  auto real_text = fs::read_file(test::shared_path("crds/capi/clusterctl.cluster.x-k8s.io_providers.yaml"));
  ASSERT_TRUE(real_text);
  auto real = k8s::parse_yaml_stream(*real_text, "providers.yaml");
  ASSERT_TRUE(real && real->size() == 1u);
  const json& r = (*real)[0];
  EXPECT_EQ((*ours)["metadata"]["name"], r["metadata"]["name"]);
  EXPECT_EQ((*ours)["spec"]["group"], r["spec"]["group"]);
  EXPECT_EQ((*ours)["spec"]["names"], r["spec"]["names"]);
  EXPECT_EQ((*ours)["spec"]["scope"], r["spec"]["scope"]);
  ASSERT_EQ((*ours)["spec"]["versions"].size(), r["spec"]["versions"].size());
  const json& ov = (*ours)["spec"]["versions"][0];
  const json& rv = r["spec"]["versions"][0];
  EXPECT_EQ(ov["name"], rv["name"]);
  EXPECT_EQ(ov["served"], rv["served"]);
  EXPECT_EQ(ov["storage"], rv["storage"]);
  const auto columns = [](json c) {
    for (auto& column : c) {
      column.erase("description");
    }
    return c;
  };
  EXPECT_EQ(columns(ov["additionalPrinterColumns"]), columns(rv["additionalPrinterColumns"]));
  EXPECT_EQ(shape(ov["schema"]["openAPIV3Schema"]), shape(rv["schema"]["openAPIV3Schema"]));
  // And the Provider objects ocne writes fit it: only its fields.
  const auto& props = ov["schema"]["openAPIV3Schema"]["properties"];
  const json provider = inventory_object(oracle_core(), "capi-system");
  for (const auto& [key, value] : provider.items()) {
    EXPECT_TRUE(props.contains(key)) << key;
  }
}

} // namespace
} // namespace ocne::clusterctl
