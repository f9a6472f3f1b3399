#include "providers/capi/resources.hpp"

#include "pkg/k8s/yaml.hpp"
#include "providers/oci/image_id.hpp"
#include "providers/oxide/image_id.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::capi {
namespace {

using json = nlohmann::json;

// The cloud's image-id rule, as its flavor gives it to the driver.
ImageIdRule
rule_of(const std::string& provider)
{
  return provider == "oci" ? ImageIdRule(oci::image_id_problem) : ImageIdRule(oxide::image_id_problem);
}

class ClusterResourcesTest : public test::TempDirTest
{
protected:
  std::vector<json>
  template_objects(const std::string& provider)
  {
    const auto r = test::run_ocne({ "cluster",
                                    "template",
                                    "-P",
                                    provider,
                                    "-c",
                                    (test::source_dir() / "examples" / (provider + ".yaml")).string() },
                                  dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto objects = k8s::parse_yaml_stream(r.out, "template");
    EXPECT_TRUE(objects) << objects.error().message();
    return objects ? *objects : std::vector<json>{};
  }
};

TEST_F(ClusterResourcesTest, AnOfflineTemplateIsRefusedForItsPlaceholders)
{
  auto objects = template_objects("oci");
  ASSERT_FALSE(objects.empty());
  auto checked = check_resources(objects, rule_of("oci"));
  ASSERT_FALSE(checked);
  const auto& m = checked.error().message();
  EXPECT_NE(m.find("OCICluster demo/demo: spec.compartmentId still holds the placeholder ${OCI_COMPARTMENT_ID}"),
            std::string::npos)
    << m;
  EXPECT_NE(m.find("still holds the placeholder ${OCI_IMAGE_ID_"), std::string::npos) << m;
}

TEST_F(ClusterResourcesTest, ResolvedResourcesPassAndNameTheirClusterAndNamespace)
{
  for (const auto& provider : { std::string("oci"), std::string("oxide") }) {
    auto objects = template_objects(provider);
    ASSERT_FALSE(objects.empty());
    // What the lookups would have filled in.
    for (auto& o : objects) {
      std::string text = o.dump();
      for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             { "${OCI_COMPARTMENT_ID}", "ocid1.compartment.oc1..c" },
             { "${OCI_IMAGE_ID_AMD64}", "ocid1.image.oc1.iad.amd" },
             { "${OCI_IMAGE_ID_ARM64}", "ocid1.image.oc1.iad.arm" },
             { "${OXIDE_IMAGE_ID}", "0b1ed0b6-4f3c-4f5e-9d3e-1e2f3a4b5c6d" } }) {
        for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from)) {
          text.replace(pos, from.size(), to);
        }
      }
      o = json::parse(text);
    }
    auto checked = check_resources(objects, rule_of(provider));
    ASSERT_TRUE(checked) << provider << ": " << checked.error().message();
    EXPECT_EQ(checked->cluster_name, "demo");
    EXPECT_FALSE(checked->namespace_.empty());
  }
}

TEST_F(ClusterResourcesTest, BadImageIdsAndClusterCountsAreNamed)
{
  const auto cluster = json::parse(R"({"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Cluster",
    "metadata":{"name":"c","namespace":"ns","labels":{"cluster.x-k8s.io/cluster-name":"c"}}})");
  const auto machine =
    json::parse(R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OCIMachineTemplate",
    "metadata":{"name":"m","namespace":"ns"},"spec":{"template":{"spec":{"imageId":"my-image"}}}})");
  auto bad = check_resources({ cluster, machine }, rule_of("oci"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "OCIMachineTemplate ns/m: spec.template.spec.imageId is my-image, not an OCI image OCID");
  auto machine_x =
    json::parse(R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1alpha2","kind":"OxideMachineTemplate",
    "metadata":{"name":"x","namespace":"ns"},"spec":{"template":{"spec":{"imageID":"ocne-1-33"}}}})");
  auto bad_oxide = check_resources({ cluster, machine_x }, rule_of("oxide"));
  ASSERT_FALSE(bad_oxide);
  EXPECT_EQ(bad_oxide.error().message(),
            "OxideMachineTemplate ns/x: spec.template.spec.imageID is ocne-1-33, not an Oxide image UUID");
  // Each rule reads its own cloud's field only.
  EXPECT_TRUE(check_resources({ cluster, machine }, rule_of("oxide")));
  EXPECT_TRUE(check_resources({ cluster, machine_x }, rule_of("oci")));
  auto none = check_resources({ machine }, rule_of("oxide"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "the resources hold 0 cluster.x-k8s.io Cluster objects; exactly one is needed");
  auto unlabelled = cluster;
  unlabelled["metadata"].erase("labels");
  auto missing_label = check_resources({ unlabelled }, rule_of("oci"));
  ASSERT_FALSE(missing_label);
  EXPECT_EQ(missing_label.error().message(), "Cluster ns/c: needs the label cluster.x-k8s.io/cluster-name: c");
}

} // namespace
} // namespace ocne::providers::capi
