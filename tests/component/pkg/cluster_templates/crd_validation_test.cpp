// Every rendered object validates against the real CRDs (../shared/crds),
// checked by an independent validator (python3-jsonschema), and the objects
// refer to each other correctly.

#include "pkg/core/fs.hpp"
#include "pkg/template/render.hpp"
#include "tests/component/pkg/cluster_templates/validator.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/cluster_templates/reference_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ocne::test {
namespace {

namespace stdfs = std::filesystem;

std::vector<stdfs::path>
golden_outputs()
{
  std::vector<stdfs::path> out;
  for (const auto& e : stdfs::directory_iterator(fixture_path("templates"))) {
    const auto name = e.path().filename().string();
    if (name.size() > 14 && name.substr(name.size() - 14) == ".expected.yaml") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CrdValidation : public TempDirTest
{};

TEST_F(CrdValidation, EveryGoldenOutputValidatesStrictly)
{
  OCNE_REQUIRE_SHARED();
  OCNE_REQUIRE_VALIDATOR(python);
  const auto files = golden_outputs();
  ASSERT_GE(files.size(), 12U);
  const auto v = validate_against_crds(python, files);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find(" objects in " + std::to_string(files.size()) + " files valid"), std::string::npos)
    << v.output;
}

TEST_F(CrdValidation, EveryGoldenOutputHasResolvingReferences)
{
  for (const auto& f : golden_outputs()) {
    auto text = fs::read_file(f);
    ASSERT_TRUE(text) << text.error().message();
    EXPECT_EQ(check_references(*text), std::vector<std::string>{}) << f;
  }
}

// The validator is strict: typos, wrong types, unserved versions and bad
// references are caught (so a passing run means something).
TEST_F(CrdValidation, ValidatorRejectsWhatTheApiServerWould)
{
  OCNE_REQUIRE_SHARED();
  OCNE_REQUIRE_VALIDATOR(python);
  const auto bad = write("bad.yaml", R"(apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KubeadmControlPlane
metadata:
  name: demo-control-plane
  namespace: ocne
  labels: {"bad label": x}
spec:
  replicas: "3"
  version: v1.33.5
  machineTemplate:
    spec:
      infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: OxideMachineTemplate, name: demo}
  kubeadmConfigSpec:
    format: ignition
    initConfiguration:
      nodeRegistration:
        kubeletExtraArg: [{name: cloud-provider, value: external}]
        kubeletExtraArgs: []
---
apiVersion: cluster.x-k8s.io/v1alpha3
kind: Cluster
metadata: {name: demo, namespace: ocne}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha1
kind: OxideMachineTemplate
metadata: {name: demo, namespace: ocne}
spec:
  template:
    spec: {nCPUs: 2, memory: 8Gi, diskSize: lots, imageID: x, sshPublicKeys: [a, a]}
)");
  const auto v = validate_against_crds(python, { bad });
  EXPECT_EQ(v.exit_code, 1);
  const auto prefix = bad.string() + ": ";
  const std::vector<std::string> expected_lines = {
    "document 1 (KubeadmControlPlane/demo-control-plane): metadata.labels: key 'bad label' is not a valid qualified "
    "name",
    "document 1 (KubeadmControlPlane/demo-control-plane): spec.kubeadmConfigSpec.initConfiguration.nodeRegistration."
    "kubeletExtraArg: unknown field (the API server would drop it)",
    "document 1 (KubeadmControlPlane/demo-control-plane): spec.kubeadmConfigSpec.initConfiguration.nodeRegistration."
    "kubeletExtraArgs: [] is too short",
    "document 1 (KubeadmControlPlane/demo-control-plane): spec.replicas: '3' is not of type 'integer'",
    "document 2 (Cluster/demo): cluster.x-k8s.io/v1alpha3 Cluster is not served",
    "document 3 (OxideMachineTemplate/demo): spec.template.spec.diskSize: 'lots' does not match",
    "document 3 (OxideMachineTemplate/demo): spec.template.spec.sshPublicKeys: ['a', 'a'] has non-unique elements",
  };
  for (const auto& line : expected_lines) {
    EXPECT_NE(v.output.find(prefix + line), std::string::npos) << "missing: " << line << "\nin:\n" << v.output;
  }
  EXPECT_EQ(std::count(v.output.begin(), v.output.end(), '\n'), static_cast<long>(expected_lines.size())) << v.output;
}

TEST_F(CrdValidation, ReferenceCheckerFindsBrokenReferences)
{
  const auto problems = check_references(R"(apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: demo, namespace: ns}
spec:
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: OCICluster, name: demo, namespace: ns}
  controlPlaneRef: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlane, name: cp, namespace: other}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: OCICluster
metadata: {name: demo, namespace: ns, labels: {cluster.x-k8s.io/cluster-name: wrong}}
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata: {name: md, namespace: ns}
spec:
  clusterName: demo
  template:
    spec:
      clusterName: demo
      bootstrap: {configRef: {apiGroup: bootstrap.cluster.x-k8s.io, kind: KubeadmConfigTemplate, name: md}}
      infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: OxideMachineTemplate, name: md}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha1
kind: OxideMachineTemplate
metadata: {name: orphan, namespace: ns}
)");
  EXPECT_EQ(problems,
            (std::vector<std::string>{
              "Cluster/demo: spec.infrastructureRef names infrastructure.cluster.x-k8s.io/v1beta1 OCICluster, but the "
              "object is infrastructure.cluster.x-k8s.io/v1beta2",
              "Cluster/demo: spec.controlPlaneRef points into namespace other, not ns",
              "Cluster/demo: spec.controlPlaneRef names controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlane cp "
              "in namespace other, which is not in the output",
              "OCICluster/demo: label cluster.x-k8s.io/cluster-name is wrong, not the Cluster's name demo",
              "MachineDeployment/md: spec.template.spec.bootstrap.configRef names bootstrap.cluster.x-k8s.io "
              "KubeadmConfigTemplate md in namespace ns, which is not in the output",
              "MachineDeployment/md: spec.template.spec.infrastructureRef names infrastructure.cluster.x-k8s.io "
              "OxideMachineTemplate md in namespace ns, which is not in the output",
              "OxideMachineTemplate/orphan is not referred to by any object of the cluster",
            }));
}

// CAPOCI's own flavour templates render with pkg/template from the values
// clusterctl would take from the environment, and validate.
TEST_F(CrdValidation, UpstreamCapociSamplesRenderAndValidate)
{
  OCNE_REQUIRE_SHARED();
  OCNE_REQUIRE_VALIDATOR(python);
  const auto samples = shared_path("crds/oci/sample-templates");
  tmpl::Variables vars;
  const std::vector<std::pair<std::string, std::string>> values = {
    { "CLUSTER_NAME", "sample" },
    { "NAMESPACE", "default" },
    { "KUBERNETES_VERSION", "v1.33.5" },
    { "CONTROL_PLANE_MACHINE_COUNT", "3" },
    { "NODE_MACHINE_COUNT", "2" },
    { "OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..aaaaaaaasample" },
    { "OCI_IMAGE_ID", "ocid1.image.oc1.iad.aaaaaaaasample" },
    { "OCI_SSH_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIsample user@example.com" },
  };
  for (const auto& [name, value] : values) {
    vars.set(name, tmpl::Value::text(value));
  }
  std::vector<stdfs::path> rendered;
  for (const auto* name :
       { "cluster-template.yaml", "cluster-template-arm-free-tier.yaml", "cluster-template-healthcheck.yaml" }) {
    SCOPED_TRACE(name);
    auto text = fs::read_file(samples / name);
    ASSERT_TRUE(text) << text.error().message();
    // The test supplies exactly the variables the template requires.
    auto info = tmpl::template_variables(*text, { name });
    ASSERT_TRUE(info) << info.error().message();
    for (const auto& v : *info) {
      if (v.required) {
        EXPECT_NE(vars.find(v.name), nullptr) << v.name;
      }
    }
    auto out = tmpl::render(*text, vars, { name });
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out->find("${"), std::string::npos) << *out;
    EXPECT_EQ(check_references(*out, "default"), std::vector<std::string>{});
    rendered.push_back(write(name, *out));
  }
  // arm-free-tier spells isPvEncryptionInTransitEnabled with a capital I, a
  // field the API server drops: the strict validator must say so.
  const auto strict = validate_against_crds(python, rendered);
  EXPECT_EQ(strict.exit_code, 1);
  const auto typo = "spec.template.spec.IsPvEncryptionInTransitEnabled: unknown field (the API server would drop it)";
  EXPECT_EQ(strict.output,
            rendered[1].string() + ": document 4 (OCIMachineTemplate/sample-control-plane): " + typo + "\n" +
              rendered[1].string() + ": document 5 (OCIMachineTemplate/sample-md-0): " + typo + "\n");
  const auto tolerant =
    validate_against_crds(python, rendered, { "OCIMachineTemplate:spec.template.spec.IsPvEncryptionInTransitEnabled" });
  EXPECT_EQ(tolerant.exit_code, 0) << tolerant.output;
  EXPECT_NE(tolerant.output.find("23 objects in 3 files valid"), std::string::npos) << tolerant.output;
}

} // namespace
} // namespace ocne::test
