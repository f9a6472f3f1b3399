// The names and patches of an upgrade hop (providers/capi/upgrade_run.hpp).

#include "providers/capi/upgrade_run.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::capi {
namespace {

using json = nlohmann::json;

TEST(UpgradeTemplates, CopiesAreNamedAfterTheBaseAndTheMinor)
{
  EXPECT_EQ(copy_name("demo-md-0", "1.34"), "demo-md-0-v1-34");
  EXPECT_EQ(copy_name("demo-md-0-v1-33", "1.34"), "demo-md-0-v1-34");
  EXPECT_EQ(copy_name("demo-md-0-v1-34", "1.34"), "demo-md-0-v1-34");
  EXPECT_EQ(base_name("demo-control-plane-v1-33"), "demo-control-plane");
  EXPECT_EQ(base_name("v1-33-pool"), "v1-33-pool");
}

json
kcp_v1beta1()
{
  return json::parse(R"({"apiVersion":"controlplane.cluster.x-k8s.io/v1beta1","kind":"KubeadmControlPlane",
    "metadata":{"name":"demo-control-plane","namespace":"ocne"},
    "spec":{"version":"v1.33.5","replicas":3,
      "machineTemplate":{"infrastructureRef":{"kind":"OCIMachineTemplate","name":"demo-control-plane"}},
      "kubeadmConfigSpec":{"clusterConfiguration":{"kubernetesVersion":"v1.33.5","etcd":{"local":{"imageTag":"3.5.23"}}}}}})");
}

TEST(UpgradeTemplates, TheControlPlanePatchTestsTheOldVersionAndChangesVersionTemplateAndKubeadmParts)
{
  const json rendered =
    json::parse(R"({"kind":"KubeadmControlPlane","spec":{"kubeadmConfigSpec":{"clusterConfiguration":
    {"kubernetesVersion":"v1.34.1","etcd":{"local":{"imageTag":"3.6.4"}},"dns":{"imageTag":"current"}}}}})");
  const auto ops = control_plane_patch(kcp_v1beta1(), "v1.34.1", "1.34", { rendered });
  const json expected = json::parse(R"([
    {"op":"test","path":"/spec/version","value":"v1.33.5"},
    {"op":"replace","path":"/spec/version","value":"v1.34.1"},
    {"op":"replace","path":"/spec/machineTemplate/infrastructureRef/name","value":"demo-control-plane-v1-34"},
    {"op":"replace","path":"/spec/kubeadmConfigSpec/clusterConfiguration/kubernetesVersion","value":"v1.34.1"},
    {"op":"replace","path":"/spec/kubeadmConfigSpec/clusterConfiguration/etcd/local/imageTag","value":"3.6.4"}])");
  EXPECT_EQ(ops, expected) << ops.dump(2);
  // Applied, nothing is left to patch.
  const auto patched = kcp_v1beta1().patch(ops);
  EXPECT_TRUE(control_plane_patch(patched, "v1.34.1", "1.34", { rendered }).empty());
}

TEST(UpgradeTemplates, AV1beta2ControlPlaneHasItsReferenceUnderSpec)
{
  json kcp = kcp_v1beta1();
  kcp["spec"]["machineTemplate"] = { { "spec",
                                       { { "infrastructureRef",
                                           { { "apiGroup", "infrastructure.cluster.x-k8s.io" },
                                             { "kind", "OxideMachineTemplate" },
                                             { "name", "demo-control-plane" } } } } } };
  EXPECT_EQ(infra_ref_pointer(kcp), "/spec/machineTemplate/spec/infrastructureRef");
  const auto ops = control_plane_patch(kcp, "v1.34.1", "1.34", {});
  EXPECT_EQ(ops[2]["path"], "/spec/machineTemplate/spec/infrastructureRef/name");
}

TEST(UpgradeTemplates, ADeploymentPatchChangesVersionAndBothReferencesOnce)
{
  const json md = json::parse(R"({"kind":"MachineDeployment","metadata":{"name":"demo-md-0","namespace":"ocne"},
    "spec":{"template":{"spec":{"version":"v1.33.5",
      "bootstrap":{"configRef":{"kind":"KubeadmConfigTemplate","name":"demo-md-0"}},
      "infrastructureRef":{"kind":"OCIMachineTemplate","name":"demo-md-0"}}}}})");
  const auto ops = deployment_patch(md, "v1.34.1", "1.34");
  ASSERT_EQ(ops.size(), 4U) << ops.dump();
  EXPECT_EQ(ops[0], json::parse(R"({"op":"test","path":"/spec/template/spec/version","value":"v1.33.5"})"));
  const auto patched = md.patch(ops);
  EXPECT_EQ(patched["spec"]["template"]["spec"]["bootstrap"]["configRef"]["name"], "demo-md-0-v1-34");
  EXPECT_EQ(patched["spec"]["template"]["spec"]["infrastructureRef"]["name"], "demo-md-0-v1-34");
  EXPECT_TRUE(deployment_patch(patched, "v1.34.1", "1.34").empty());
}

} // namespace
} // namespace ocne::providers::capi
