// providers/oci/cloud_template: OCI's shapes, and what every OCI node gets on
// top of the shared Ignition (the instance-id hook behind the kubelet's
// provider ID, the metadata service in no_proxy).

#include "providers/oci/cloud_template.hpp"

#include "providers/oci/shapes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::oci {
namespace {

TEST(ShapeArchitecture, AmpereShapesAreArm)
{
  EXPECT_EQ(shape_architecture("VM.Standard.A1.Flex"), "arm64");
  EXPECT_EQ(shape_architecture("VM.Standard.A2.Flex"), "arm64");
  EXPECT_EQ(shape_architecture("BM.Standard.A1.160"), "arm64");
  EXPECT_EQ(shape_architecture("VM.Standard.E4.Flex"), "amd64");
  EXPECT_EQ(shape_architecture("VM.Standard3.Flex"), "amd64");
  EXPECT_EQ(shape_architecture("VM.GPU.A10.1"), "arm64") << "A10 is read as an Ampere part; documented";
  EXPECT_EQ(shape_architecture(""), "amd64");
}

TEST(OciNodeExtras, TheInstanceIdHookFillsTheKubeletsProviderId)
{
  const auto extras = make_cloud_template(nullptr)->node_extras();
  ASSERT_EQ(extras.kubelet_args.size(), 1U);
  EXPECT_EQ(extras.kubelet_args[0].first, "provider-id");
  EXPECT_EQ(extras.kubelet_args[0].second, "oci://{{ ds[\"id\"] }}");
  EXPECT_EQ(extras.no_proxy, std::vector<std::string>{ "169.254.169.254" });

  cluster_templates::NodeIgnitionOptions o;
  o.registry = "container-registry.oracle.com";
  o.os_registry = "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree";
  o.os_tag = "1.33";
  o.cloud_files = extras.files;
  o.cloud_dropins = extras.dropins;
  auto text = cluster_templates::node_ignition(o);
  ASSERT_TRUE(text) << text.error().message();
  const auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["storage"]["files"][0]["path"], "/etc/ocne/oci-instance-id.sh");
  EXPECT_EQ(j["storage"]["files"][0]["mode"], 0555);
  bool dropin = false;
  for (const auto& unit : j["systemd"]["units"]) {
    if (unit["name"] == "crio.service") {
      for (const auto& d : unit["dropins"]) {
        dropin = dropin || (d["name"] == "oci-instance-id.conf" &&
                            d["contents"] == "[Service]\nExecStartPre=/etc/ocne/oci-instance-id.sh\n");
      }
    }
  }
  EXPECT_TRUE(dropin) << *text;
}

} // namespace
} // namespace ocne::providers::oci
