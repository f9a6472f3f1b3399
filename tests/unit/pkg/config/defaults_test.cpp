// Every key's built-in default, written out here independently of the key
// table (from ocne's documented defaults), so a changed default fails a test.
#include "pkg/config/layer.hpp"
#include "pkg/config/schema.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace ocne::config {
namespace {

// key -> expected default as YAML text ("" = no built-in default).
const std::map<std::string, std::string>&
expected_defaults()
{
  static const std::map<std::string, std::string> k = {
    { "name", "" },
    { "provider", "" },
    { "directory", "" },
    { "workerNodes", "" },
    { "controlPlaneNodes", "" },
    { "virtualIp", "" },
    { "loadBalancer", "" },
    { "kubeconfig", "" },
    { "autoStartUI", "true" },
    { "quiet", "false" },
    { "ephemeralCluster.name", "ocne-ephemeral" },
    { "ephemeralCluster.preserve", "false" },
    { "ephemeralCluster.node.cpu", "2" },
    { "ephemeralCluster.node.memory", "4194304Ki" },
    { "ephemeralCluster.node.storage", "30Gi" },
    { "proxy.httpsProxy", "" },
    { "proxy.httpProxy", "" },
    { "proxy.noProxy", "" },
    { "kubeApiServerBindPort", "6443" },
    { "kubeApiServerBindPortAlt", "6444" },
    { "podSubnet", "10.244.0.0/16" },
    { "serviceSubnet", "10.96.0.0/12" },
    { "registry", "container-registry.oracle.com" },
    { "certificateInformation.country", "US" },
    { "certificateInformation.org", "OCNE" },
    { "certificateInformation.orgUnit", "OCNE" },
    { "certificateInformation.state", "TX" },
    { "osRegistry", "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree" },
    { "osTag", "1.33" },
    { "kubeProxyMode", "iptables" },
    { "bootVolumeContainerImage", "docker://container-registry.oracle.com/olcne/ock" },
    { "cni", "" },
    { "headless", "false" },
    { "catalog", "true" },
    { "communityCatalog", "false" },
    { "kubernetesVersion", "1.33" },
    { "sshPublicKeyPath", "" },
    { "sshPublicKey", "" },
    { "password", "" },
    { "extraIgnition", "" },
    { "extraIgnitionInline", "" },
    { "cipherSuites", "" },
    { "clusterDefinition", "" },
    { "clusterDefinitionInline", "" },
    { "providerComponents", "" },
    { "catalogs", "" },
    { "applications", "" },
    { "providers.libvirt.uri", "qemu:///session" },
    { "providers.libvirt.sshKey", "" },
    { "providers.libvirt.storagePool", "images" },
    { "providers.libvirt.network", "default" },
    { "providers.libvirt.slirpSubnet", "192.18.255.0/24" },
    { "providers.libvirt.bootVolumeName", "boot.qcow2" },
    { "providers.libvirt.bootVolumeContainerImagePath", "disk/boot.qcow2" },
    { "providers.libvirt.secureBoot", "false" },
    { "providers.libvirt.smm", "false" },
    { "providers.libvirt.controlPlaneNode.cpu", "2" },
    { "providers.libvirt.controlPlaneNode.memory", "4194304Ki" },
    { "providers.libvirt.controlPlaneNode.storage", "20Gi" },
    { "providers.libvirt.workerNode.cpu", "2" },
    { "providers.libvirt.workerNode.memory", "4194304Ki" },
    { "providers.libvirt.workerNode.storage", "20Gi" },
    { "providers.oci.kubeconfig", "" },
    { "providers.oci.compartment", "" },
    { "providers.oci.profile", "DEFAULT" },
    { "providers.oci.template", "" },
    { "providers.oci.namespace", "ocne" },
    { "providers.oci.images.amd64", "" },
    { "providers.oci.images.arm64", "" },
    { "providers.oci.imageBucket", "ocne-images" },
    { "providers.oci.controlPlaneShape.shape", "VM.Standard.A1.Flex" },
    { "providers.oci.controlPlaneShape.ocpus", "2" },
    { "providers.oci.controlPlaneShape.bootVolumeSizeInGBs", "50" },
    { "providers.oci.workerShape.shape", "VM.Standard.E4.Flex" },
    { "providers.oci.workerShape.ocpus", "4" },
    { "providers.oci.workerShape.bootVolumeSizeInGBs", "50" },
    { "providers.oci.selfManaged", "false" },
    { "providers.oci.loadBalancer.subnet1", "" },
    { "providers.oci.loadBalancer.subnet2", "" },
    { "providers.oci.vcn", "" },
    { "providers.oci.proxy.httpsProxy", "" },
    { "providers.oci.proxy.httpProxy", "" },
    { "providers.oci.proxy.noProxy", "" },
    { "providers.oxide.kubeconfig", "" },
    { "providers.oxide.profile", "" },
    { "providers.oxide.template", "" },
    { "providers.oxide.host", "" },
    { "providers.oxide.project", "" },
    { "providers.oxide.vpc", "default" },
    { "providers.oxide.subnet", "default" },
    { "providers.oxide.namespace", "ocne" },
    { "providers.oxide.images.amd64", "" },
    { "providers.oxide.imageName", "" },
    { "providers.oxide.controlPlaneMachine.cpus", "2" },
    { "providers.oxide.controlPlaneMachine.memory", "8Gi" },
    { "providers.oxide.controlPlaneMachine.diskSize", "50Gi" },
    { "providers.oxide.workerMachine.cpus", "4" },
    { "providers.oxide.workerMachine.memory", "16Gi" },
    { "providers.oxide.workerMachine.diskSize", "50Gi" },
    { "providers.oxide.ipPool", "" },
    { "providers.oxide.controlPlaneEndpoint", "" },
    { "providers.oxide.sshKeys", "" },
    { "providers.oxide.selfManaged", "false" },
    { "providers.oxide.proxy.httpsProxy", "" },
    { "providers.oxide.proxy.httpProxy", "" },
    { "providers.oxide.proxy.noProxy", "" },
    { "providers.olvm", "" },
    { "providers.byo", "" },
  };
  return k;
}

TEST(Defaults, EveryKeyIsListedAndHasItsDocumentedDefault)
{
  const auto& expected = expected_defaults();
  EXPECT_EQ(fields().size(), expected.size()) << "a key was added or removed: update this list and docs";
  for (const auto& f : fields()) {
    const auto it = expected.find(std::string(f.key));
    ASSERT_NE(it, expected.end()) << "key without an expected default: " << f.key;
    EXPECT_EQ(f.default_value, it->second) << f.key;
  }
}

TEST(Defaults, BuiltinLayerHoldsTypedValues)
{
  const auto layer = builtin_defaults();
  const auto& c = layer.config;
  EXPECT_EQ(c.kube_api_server_bind_port.get(), 6443);
  EXPECT_EQ(c.providers.oci.worker_shape.ocpus.get(), 4);
  EXPECT_TRUE(c.catalog.get());
  EXPECT_TRUE(c.catalog.is_set());
  EXPECT_FALSE(c.headless.get());
  EXPECT_TRUE(c.headless.is_set());
  EXPECT_FALSE(c.worker_nodes.is_set());
  EXPECT_FALSE(c.name.is_set());
  EXPECT_EQ(c.providers.oxide.control_plane_machine.memory.get(), "8Gi");
  EXPECT_EQ(layer.origins.at("podSubnet").describe(), "built-in default");
}

TEST(Defaults, AliasesAndGroups)
{
  EXPECT_EQ(canonical_key("ephemeralCluster.node.cpus"), "ephemeralCluster.node.cpu");
  EXPECT_NE(find_field("ephemeralCluster.node.cpus"), nullptr);
  EXPECT_TRUE(is_group("providers"));
  EXPECT_TRUE(is_group("providers.oci.controlPlaneShape"));
  EXPECT_FALSE(is_group("providers.oci.compartment"));
  EXPECT_EQ(find_field("providers.nope"), nullptr);
}

TEST(Defaults, DocumentationListsEveryKey)
{
  const auto docs = ocne::test::source_dir() / "docs" / "configuration.md";
  std::ifstream in(docs);
  ASSERT_TRUE(in) << docs;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& f : fields()) {
    const auto cell = "| `" + std::string(f.key) + "` |";
    EXPECT_NE(text.find(cell), std::string::npos) << "docs/configuration.md has no row for " << f.key;
    if (!f.default_value.empty()) {
      const auto row_start = text.find(cell);
      const auto row = text.substr(row_start, text.find('\n', row_start) - row_start);
      EXPECT_NE(row.find("`" + std::string(f.default_value) + "`"), std::string::npos)
        << "docs/configuration.md row for " << f.key << " lacks its default " << f.default_value;
    }
  }
}

} // namespace
} // namespace ocne::config
