#include "pkg/config/layer.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::config {
namespace {

const std::filesystem::path k_home = "/home/u";

Origin
flag_origin_for_test(std::string flag)
{
  Origin o;
  o.source = Origin::Source::flag;
  o.flag = std::move(flag);
  return o;
}

Result<Layer>
parse(std::string_view text, FileKind kind = FileKind::cluster, const std::string& name = "capi.yaml")
{
  return parse_config(text, name, kind, "/work/clusters", k_home);
}

TEST(Layer, ReadsNestedKeysWithTheirTypes)
{
  const auto layer = parse("name: demo\n"
                           "workerNodes: 3\n"
                           "headless: true\n"
                           "providers:\n"
                           "  oci:\n"
                           "    compartment: prod/k8s\n"
                           "    controlPlaneShape:\n"
                           "      ocpus: 8\n"
                           "  oxide:\n"
                           "    sshKeys: [laptop, ci]\n");
  ASSERT_TRUE(layer) << layer.error().message();
  const auto& c = layer->config;
  EXPECT_EQ(c.name.get(), "demo");
  EXPECT_EQ(c.worker_nodes.get(), 3);
  EXPECT_TRUE(c.headless.get());
  EXPECT_EQ(c.providers.oci.compartment.get(), "prod/k8s");
  EXPECT_EQ(c.providers.oci.control_plane_shape.ocpus.get(), 8);
  EXPECT_EQ(c.providers.oxide.ssh_keys.get(), (std::vector<std::string>{ "laptop", "ci" }));
  EXPECT_FALSE(c.providers.oci.worker_shape.ocpus.is_set());
  EXPECT_EQ(layer->origins.at("providers.oci.controlPlaneShape.ocpus").describe(), "capi.yaml:8");
}

TEST(Layer, EmptyStringsAndNullsMeanUnset)
{
  const auto layer = parse("podSubnet: \"\"\nserviceSubnet:\nregistry: ~\n");
  ASSERT_TRUE(layer);
  EXPECT_FALSE(layer->config.pod_subnet.is_set());
  EXPECT_FALSE(layer->config.service_subnet.is_set());
  EXPECT_FALSE(layer->config.registry.is_set());
}

TEST(Layer, FalseIsSetNotUnset)
{
  const auto layer = parse("catalog: false\n");
  ASSERT_TRUE(layer);
  EXPECT_TRUE(layer->config.catalog.is_set());
  EXPECT_FALSE(layer->config.catalog.get());
}

TEST(Layer, UnknownKeysWarnInClusterFilesWithFileAndLine)
{
  const auto layer =
    parse("name: demo\nworkerNode: 2\nproviders:\n  oci:\n    compartmnet: x\n  olvm:\n    namespace: a\n");
  ASSERT_TRUE(layer) << layer.error().message();
  ASSERT_EQ(layer->warnings.size(), 2U);
  EXPECT_EQ(layer->warnings[0], "capi.yaml:2: unknown key 'workerNode' is ignored (did you mean 'workerNodes'?)");
  EXPECT_EQ(
    layer->warnings[1],
    "capi.yaml:5: unknown key 'providers.oci.compartmnet' is ignored (did you mean 'providers.oci.compartment'?)");
  EXPECT_EQ(layer->config.providers.olvm.get(), "namespace: a");
}

TEST(Layer, UnknownKeysAreErrorsInTheDefaultsFile)
{
  const auto layer = parse("kubernetesVersion: 1.32\nbogus: 1\n", FileKind::defaults, "/home/u/.ocne/defaults.yaml");
  ASSERT_FALSE(layer);
  EXPECT_EQ(layer.error().message(), "/home/u/.ocne/defaults.yaml:2: unknown key 'bogus'");
}

TEST(Layer, ScopeRules)
{
  // Cluster-only keys are errors in defaults.yaml (as ocne), except the two
  // that ocne's documentation lists there.
  const auto defaults = parse("name: x\nclusterDefinition: capi.yaml\n", FileKind::defaults, "defaults.yaml");
  ASSERT_FALSE(defaults);
  EXPECT_EQ(defaults.error().message(), "defaults.yaml:1: 'name' belongs in a cluster file, not in the defaults file");
  EXPECT_TRUE(parse("clusterDefinition: capi.yaml\n", FileKind::defaults, "defaults.yaml"));

  // Defaults-only keys in a cluster file are ignored with a warning.
  const auto cluster = parse("kubeconfig: /tmp/k\n");
  ASSERT_TRUE(cluster);
  EXPECT_FALSE(cluster->config.kubeconfig.is_set());
  ASSERT_EQ(cluster->warnings.size(), 1U);
  EXPECT_EQ(cluster->warnings[0],
            "capi.yaml:1: 'kubeconfig' is only read from the defaults file and flags; ignored here");
}

// Found by the fuzzer: a value with a control character did not survive a
// write and a re-read. No setting needs one, so it is refused.
TEST(Layer, ControlCharactersAreRefusedButNewlinesAndTabsAreKept)
{
  auto r = parse("name: a\npodSubnet: \"10.0.0.0/8\\x16\"\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "capi.yaml:2: podSubnet holds a control character (byte 0x16), which no setting can hold");
  r = parse("name: a\nproviders:\n  oxide:\n    sshKeys:\n      - \"k\\0\"\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "capi.yaml:5: providers.oxide.sshKeys holds a control character (byte 0x00), which no setting can hold");
  r = parse("name: a\nextraIgnitionInline: \"line 1\\n\\tline 2\\r\\n\"\n");
  ASSERT_TRUE(r) << r.error().message();
}

TEST(Layer, TypeAndRangeErrorsNameKeyAndLine)
{
  auto r = parse("name: a\nworkerNodes: -1\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:2: workerNodes must be between 0 and 65535, got -1");
  r = parse("controlPlaneNodes: three\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:1: controlPlaneNodes must be an integer, got 'three'");
  r = parse("headless: maybe\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:1: headless must be true or false, got 'maybe'");
  r = parse("podSubnet:\n  - 10.0.0.0/8\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:1: podSubnet must be a string, not a list");
  r = parse("providers: oci\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:1: 'providers' must be a mapping of keys");
}

TEST(Layer, AllProblemsAreReportedAtOnce)
{
  const auto r = parse("workerNodes: x\nkubeApiServerBindPort: 70000\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "capi.yaml:1: workerNodes must be an integer, got 'x'\n"
            "capi.yaml:2: kubeApiServerBindPort must be between 1 and 65535, got 70000");
}

TEST(Layer, MalformedYamlNamesTheLine)
{
  const auto r = parse("name: demo\nproviders:\n  oci: [unclosed\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("capi.yaml:", 0), 0U) << r.error().message();
  EXPECT_EQ(parse("- a\n- b\n").error().message(), "capi.yaml:1: expected a mapping of configuration keys");
}

TEST(Layer, DuplicateKeysAreErrors)
{
  const auto r = parse("name: a\nname: b\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "capi.yaml:2: duplicate key 'name'");
}

TEST(Layer, RelativePathsFollowTheFileOrItsDirectoryKey)
{
  auto r = parse("extraIgnition: ign/extra.ign\nclusterDefinition: ../capi.yaml\nsshPublicKeyPath: ~/.ssh/k.pub\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config.extra_ignition.get(), "/work/clusters/ign/extra.ign");
  EXPECT_EQ(r->config.cluster_definition.get(), "/work/capi.yaml");
  EXPECT_EQ(r->config.ssh_public_key_path.get(), "/home/u/.ssh/k.pub");
  r = parse("directory: /srv/c\nextraIgnition: x.ign\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config.extra_ignition.get(), "/srv/c/x.ign");
}

TEST(Layer, CompanionKeysFromOcnesCacheAreSkipped)
{
  const auto r = parse("headless: true\nheadlessfake: true\nproviders:\n  oci:\n    selfmanagedfake: false\n");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(Layer, AliasFromOcnesManualPages)
{
  const auto r = parse("ephemeralCluster:\n  node:\n    cpus: 4\n", FileKind::defaults);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->config.ephemeral_cluster.node.cpu.get(), 4);
}

TEST(Layer, CatalogsAndApplications)
{
  const auto r = parse("catalogs:\n"
                       "  - name: mine\n"
                       "    uri: https://charts.example\n"
                       "applications:\n"
                       "  - name: demo\n"
                       "    release: demo\n"
                       "    config:\n"
                       "      replicas: 2\n"
                       "    configFrom: values.yaml\n");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->config.catalogs.size(), 1U);
  EXPECT_EQ(r->config.catalogs[0].uri, "https://charts.example");
  ASSERT_EQ(r->config.applications.size(), 1U);
  EXPECT_EQ(r->config.applications[0].config, "replicas: 2");
  EXPECT_EQ(r->config.applications[0].config_from, "/work/clusters/values.yaml");
}

TEST(Layer, MergeOverridesOnlySetValuesAndConcatenatesLists)
{
  auto base = *parse(
    "podSubnet: 10.1.0.0/16\ncatalog: true\ncatalogs:\n  - name: a\nproviders:\n  oxide:\n    sshKeys: [a, b]\n");
  const auto over = *parse("catalog: false\ncatalogs:\n  - name: b\nproviders:\n  oxide:\n    sshKeys: [b, c]\n",
                           FileKind::cluster,
                           "over.yaml");
  merge_into(base, over);
  EXPECT_EQ(base.config.pod_subnet.get(), "10.1.0.0/16");
  EXPECT_FALSE(base.config.catalog.get());
  EXPECT_EQ(base.origins.at("catalog").describe(), "over.yaml:1");
  ASSERT_EQ(base.config.catalogs.size(), 2U);
  EXPECT_EQ(base.config.catalogs[1].name, "b");
  EXPECT_EQ(base.config.providers.oxide.ssh_keys.get(), (std::vector<std::string>{ "a", "b", "c" }));
}

TEST(Layer, YamlRoundTrip)
{
  const auto first = *parse("name: demo\n"
                            "workerNodes: 0\n"
                            "headless: false\n"
                            "providers:\n"
                            "  oci:\n"
                            "    compartment: a/b\n"
                            "  oxide:\n"
                            "    sshKeys: [k1]\n"
                            "applications:\n"
                            "  - name: app\n"
                            "    config:\n"
                            "      x: 1\n");
  const auto text = to_yaml(first.config);
  const auto second = parse_config(text, "cache", FileKind::cache, "/", k_home);
  ASSERT_TRUE(second) << second.error().message() << "\n" << text;
  EXPECT_EQ(second->config, first.config) << text;
  EXPECT_NE(text.find("providers:\n  oci:\n    compartment: a/b"), std::string::npos) << text;
}

class LayerFileTest : public test::TempDirTest
{};

TEST_F(LayerFileTest, MissingFileNamesItAsGiven)
{
  const auto r = load_config_file(dir() / "nope.yaml", "nope.yaml", FileKind::cluster, k_home);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "nope.yaml: no such file or directory");
}

TEST_F(LayerFileTest, ClusterFileSetsItsDirectory)
{
  const auto file = write("c/capi.yaml", "name: demo\n");
  const auto r = load_config_file(file, "c/capi.yaml", FileKind::cluster, k_home);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config.directory.get(), (dir() / "c").string());
}

} // namespace
} // namespace ocne::config

namespace ocne::config {
namespace {

Origin flag_origin_for_test(std::string flag);

TEST(LayerFlags, SetFromTextUsesTheFileRulesAndNamesTheFlag)
{
  Layer flags;
  ASSERT_TRUE(set_from_text(flags, "workerNodes", "3", flag_origin_for_test("--worker-nodes")));
  EXPECT_EQ(flags.config.worker_nodes.get(), 3);
  EXPECT_EQ(flags.origins.at("workerNodes").describe(), "--worker-nodes");
  auto st = set_from_text(flags, "workerNodes", "-1", flag_origin_for_test("--worker-nodes"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "--worker-nodes must be between 0 and 65535, got -1");
  st = set_from_text(flags, "controlPlaneNodes", "x", flag_origin_for_test("-n"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "-n must be an integer, got 'x'");
  ASSERT_TRUE(set_from_text(flags, "providers.oxide.sshKeys", "a, b", flag_origin_for_test("--ssh-keys")));
  EXPECT_EQ(flags.config.providers.oxide.ssh_keys.get(), (std::vector<std::string>{ "a", "b" }));
  ASSERT_TRUE(set_from_text(flags, "name", "", flag_origin_for_test("-C")));
  EXPECT_FALSE(flags.config.name.is_set());
}

} // namespace
} // namespace ocne::config
