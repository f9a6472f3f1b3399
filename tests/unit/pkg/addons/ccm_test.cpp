#include "pkg/addons/ccm.hpp"

#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/yaml.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::addons {
namespace {

using json = nlohmann::json;

class CcmRender : public test::TempDirTest
{
protected:
  Environment
  env() const
  {
    return Environment::from_map({ { "HOME", dir().string() } });
  }
};

TEST_F(CcmRender, OxideSecretComesFirstWithTheThreeKeysTheDeploymentReads)
{
  auto a =
    render_oxide_ccm({ "https://silo.example", Secret("oxide-token-123"), "k8s", "mirror/oxide-ccm:0.7.1" }, env());
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->namespace_, "kube-system");
  const json& secret = a->objects.front();
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["metadata"]["name"], "oxide-cloud-controller-manager");
  EXPECT_EQ(k8s::base64_decode(secret["data"]["oxide-host"].get<std::string>()), "https://silo.example");
  EXPECT_EQ(k8s::base64_decode(secret["data"]["oxide-token"].get<std::string>()), "oxide-token-123");
  EXPECT_EQ(k8s::base64_decode(secret["data"]["oxide-project"].get<std::string>()), "k8s");
  const json& deployment = a->objects.back();
  ASSERT_EQ(deployment["kind"], "Deployment");
  const json& container = deployment["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "mirror/oxide-ccm:0.7.1");
  std::set<std::string> keys;
  for (const auto& e : container["env"]) {
    EXPECT_EQ(e["valueFrom"]["secretKeyRef"]["name"], "oxide-cloud-controller-manager");
    keys.insert(e["valueFrom"]["secretKeyRef"]["key"].get<std::string>());
  }
  EXPECT_EQ(keys, (std::set<std::string>{ "oxide-host", "oxide-token", "oxide-project" }));
  // The rendered text the objects came from never held the token.
  EXPECT_EQ(json(std::vector<json>(a->objects.begin() + 1, a->objects.end())).dump().find("oxide-token-123"),
            std::string::npos);
}

TEST_F(CcmRender, OxideNeedsEveryValueAndSaysSoWithoutTheToken)
{
  auto a = render_oxide_ccm({ "", Secret("tok-secret"), "k8s", "img" }, env());
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(), "the Oxide cloud controller manager needs the silo URL, a token and the project");
}

TEST_F(CcmRender, OciSecretsHoldTheCloudProviderYamlUnderTheKeysEachReader)
{
  OciCcmOptions o{ "us-ashburn-1",
                   "ocid1.tenancy.oc1..t",
                   "ocid1.user.oc1..u",
                   "aa:bb",
                   Secret("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"),
                   Secret("pw"),
                   "ocid1.compartment.oc1..c",
                   "ocid1.vcn.oc1..v",
                   "ocid1.subnet.oc1..s1",
                   "ocid1.subnet.oc1..s2" };
  const auto secrets = oci_ccm_secrets(o);
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0]["metadata"]["name"], "oci-cloud-controller-manager");
  EXPECT_EQ(secrets[1]["metadata"]["name"], "oci-volume-provisioner");
  const auto yaml = k8s::base64_decode(secrets[0]["data"]["cloud-provider.yaml"].get<std::string>());
  ASSERT_TRUE(yaml);
  EXPECT_EQ(k8s::base64_decode(secrets[1]["data"]["config.yaml"].get<std::string>()), yaml);
  auto config = k8s::parse_yaml(*yaml, "cloud-provider.yaml");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ((*config)["auth"]["key"], "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ((*config)["auth"]["passphrase"], "pw");
  EXPECT_EQ((*config)["auth"]["useInstancePrincipals"], false);
  EXPECT_EQ((*config)["compartment"], "ocid1.compartment.oc1..c");
  EXPECT_EQ((*config)["vcn"], "ocid1.vcn.oc1..v");
  EXPECT_EQ((*config)["loadBalancer"]["subnet2"], "ocid1.subnet.oc1..s2");
  EXPECT_EQ((*config)["loadBalancer"]["securityListManagementMode"], "None");
}

TEST_F(CcmRender, OciCcmRunsOnTheControlPlaneWithItsSecretMountedFirst)
{
  OciCcmOptions o;
  o.region = "us-ashburn-1";
  o.key = Secret("-----BEGIN PRIVATE KEY-----\nxyz\n-----END PRIVATE KEY-----\n");
  o.compartment = "ocid1.compartment.oc1..c";
  o.vcn = "ocid1.vcn.oc1..v";
  auto a = render_oci_ccm(o, env());
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_GE(a->objects.size(), 6u);
  EXPECT_EQ(a->objects[0]["metadata"]["name"], "oci-cloud-controller-manager");
  EXPECT_EQ(a->objects[1]["metadata"]["name"], "oci-volume-provisioner");
  const json& ds = a->objects.back();
  ASSERT_EQ(ds["kind"], "DaemonSet");
  const json& spec = ds["spec"]["template"]["spec"];
  EXPECT_EQ(spec["containers"][0]["image"], "ghcr.io/oracle/cloud-provider-oci:v1.30.0");
  EXPECT_EQ(spec["containers"][0]["args"][0], "--cloud-config=/etc/oci/cloud-provider.yaml");
  EXPECT_EQ(spec["volumes"][0]["secret"]["secretName"], "oci-cloud-controller-manager");
  EXPECT_TRUE(spec["nodeSelector"].contains("node-role.kubernetes.io/control-plane"));
  // Only the Secrets hold the key.
  EXPECT_EQ(json(std::vector<json>(a->objects.begin() + 2, a->objects.end())).dump().find("xyz"), std::string::npos);

  o.vcn.clear();
  auto missing = render_oci_ccm(o, env());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "the OCI cloud controller manager needs the cluster's compartment and VCN");
}

} // namespace
} // namespace ocne::addons
