#include "pkg/config/load.hpp"

#include "providers/registry/registry.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::config {
namespace {

class LoadTest : public test::TempDirTest
{
protected:
  Environment
  env(std::map<std::string, std::string, std::less<>> extra = {}) const
  {
    extra["HOME"] = dir().string();
    return Environment::from_map(std::move(extra));
  }

  void
  defaults(std::string_view text) const
  {
    write(".ocne/defaults.yaml", text);
  }

  // What cmd/ passes: libvirt when nothing names a provider, and every
  // cloud's rules.
  static LoadOptions
  base()
  {
    LoadOptions o;
    o.default_provider = "libvirt";
    o.provider_rules = providers::config_rules();
    return o;
  }

  LoadOptions
  with_cluster(std::string_view text) const
  {
    LoadOptions o = base();
    o.cluster_file = write("capi.yaml", text).string();
    return o;
  }

  static void
  flag(LoadOptions& o, std::string_view key, const std::string& flag_name)
  {
    o.flags.origins[std::string(key)] = flag_origin(flag_name);
  }
};

TEST_F(LoadTest, BuiltinsAloneGiveOcnesDefaults)
{
  const auto l = load(env(), base());
  ASSERT_TRUE(l) << l.error().message();
  const auto& c = l->config;
  EXPECT_EQ(c.name.get(), "ocne");
  EXPECT_EQ(c.provider.get(), "libvirt");
  EXPECT_EQ(c.control_plane_nodes.get(), 1);
  EXPECT_FALSE(c.worker_nodes.is_set());
  EXPECT_EQ(c.boot_volume_container_image.get(), "docker://container-registry.oracle.com/olcne/ock:1.33");
  EXPECT_EQ(c.os_tag.get(), "1.33");
  EXPECT_EQ(c.providers.oxide.image_name.get(), "ocne-1-33");
  EXPECT_FALSE(c.ssh_public_key_path.is_set()); // no ~/.ssh/id_rsa.pub here
  EXPECT_TRUE(l->warnings.empty());
}

TEST_F(LoadTest, EachLayerOverridesTheOneBelow)
{
  defaults("podSubnet: 10.1.0.0/16\nserviceSubnet: 10.2.0.0/16\nregistry: defaults.example\n");
  auto o = with_cluster("serviceSubnet: 10.3.0.0/16\nregistry: cluster.example\n");
  o.flags.config.registry = "flag.example";
  flag(o, "registry", "--registry");
  const auto l = load(env(), o);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->config.pod_subnet.get(), "10.1.0.0/16");     // defaults.yaml
  EXPECT_EQ(l->config.service_subnet.get(), "10.3.0.0/16"); // cluster file beats defaults.yaml
  EXPECT_EQ(l->config.registry.get(), "flag.example");      // flag beats both
  EXPECT_EQ(l->config.kube_proxy_mode.get(), "iptables");   // built-in
  EXPECT_EQ(l->origin("podSubnet").describe(), (dir() / ".ocne/defaults.yaml").string() + ":1");
  EXPECT_EQ(l->origin("serviceSubnet").describe(), (dir() / "capi.yaml").string() + ":1");
  EXPECT_EQ(l->origin("registry").describe(), "--registry");
}

TEST_F(LoadTest, FlagsBeatTheClusterFileEvenForDefaultsOnlyKeys)
{
  // ocne's quirk lets the cluster file beat -s/-o; its docs say flags win.
  auto o =
    with_cluster("bootVolumeContainerImage: registry.example/ock\nproviders:\n  libvirt:\n    uri: qemu:///system\n");
  o.flags.config.providers.libvirt.uri = "qemu+ssh://me@host/system";
  flag(o, "providers.libvirt.uri", "--session");
  o.flags.config.boot_volume_container_image = "docker://mirror.example/ock:custom";
  flag(o, "bootVolumeContainerImage", "--boot-volume-container-image");
  const auto l = load(env(), o);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->config.providers.libvirt.uri.get(), "qemu+ssh://me@host/system");
  EXPECT_EQ(l->config.boot_volume_container_image.get(), "docker://mirror.example/ock:custom");
}

TEST_F(LoadTest, OcneDefaultsVariableNamesTheDefaultsFile)
{
  const auto alt = write("alt/defaults.yaml", "kubernetesVersion: 1.31\n");
  const auto l = load(env({ { "OCNE_DEFAULTS", alt.string() } }), base());
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->config.kubernetes_version.get(), "1.31");
  EXPECT_EQ(l->config.os_tag.get(), "1.31"); // osTag follows the version unless set
  EXPECT_EQ(l->config.boot_volume_container_image.get(), "docker://container-registry.oracle.com/olcne/ock:1.31");
  EXPECT_EQ(l->config.providers.oxide.image_name.get(), "ocne-1-31");

  const auto missing = load(env({ { "OCNE_DEFAULTS", (dir() / "gone.yaml").string() } }), base());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            (dir() / "gone.yaml").string() + ": no such file or directory (named by OCNE_DEFAULTS)");
}

TEST_F(LoadTest, MissingDefaultsFileIsFineButAMissingClusterFileIsNot)
{
  LoadOptions o = base();
  o.cluster_file = "missing.yaml";
  const auto e = Environment::from_map({ { "HOME", dir().string() } });
  const auto l = load(e, o);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message(), "missing.yaml: no such file or directory");
}

TEST_F(LoadTest, MalformedDefaultsFileIsAnErrorWithItsLine)
{
  defaults("proxy:\n  httpsProxy: http://p:3128\n  bogus: 1\n");
  const auto l = load(env(), base());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message(), (dir() / ".ocne/defaults.yaml").string() + ":3: unknown key 'proxy.bogus'");
}

TEST_F(LoadTest, ExplicitOsTagIsKept)
{
  const auto l = load(env(), with_cluster("kubernetesVersion: 1.31\nosTag: 1.31-hotfix\n"));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->config.os_tag.get(), "1.31-hotfix");
}

TEST_F(LoadTest, SshKeyPathDefaultsToIdRsaWhenPresent)
{
  write(".ssh/id_rsa.pub", "ssh-rsa AAAA me\n");
  const auto l = load(env(), base());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->config.ssh_public_key_path.get(), (dir() / ".ssh/id_rsa.pub").string());
}

TEST_F(LoadTest, ValidationNamesFileLineOrFlag)
{
  auto o = with_cluster("provider: oci\ncontrolPlaneNodes: 2\npodSubnet: 10.0.0.0/33\n");
  auto l = load(env(), o);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message(),
            o.cluster_file.value() +
              ":3: podSubnet is invalid: '10.0.0.0/33' is not a CIDR: the prefix length must be 0 to 32");

  // Odd control planes are a start/template rule for oci and oxide.
  o = with_cluster("provider: oci\ncontrolPlaneNodes: 2\n");
  l = load(env(), o);
  ASSERT_TRUE(l) << l.error().message();
  auto st = validate_for(*l, Purpose::template_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(),
            o.cluster_file.value() +
              ":2: controlPlaneNodes must be odd for the oci provider so etcd keeps a majority, got 2");

  o.flags.config.control_plane_nodes = 4;
  flag(o, "controlPlaneNodes", "--control-plane-nodes");
  l = load(env(), o);
  ASSERT_TRUE(l);
  st = validate_for(*l, Purpose::start);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(),
            "--control-plane-nodes must be odd for the oci provider so etcd keeps a majority, got 4\n"
            "providers.oci.compartment is required for the oci provider (a compartment OCID or path such as a/b/c)");
}

TEST_F(LoadTest, UnknownProviderIsRejected)
{
  auto o = with_cluster("provider: olvm\n");
  const auto l = load(env(), o);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message(),
            o.cluster_file.value() + ":1: provider 'olvm' is not supported (supported: libvirt, oci, oxide)");
  LoadOptions f = base();
  f.flags.config.provider = "aws";
  flag(f, "provider", "--provider");
  EXPECT_EQ(load(env(), f).error().message(), "--provider 'aws' is not supported (supported: libvirt, oci, oxide)");
}

TEST_F(LoadTest, EveryProblemIsReportedOncePerLine)
{
  auto o = with_cluster("name: Bad_Name\nkubernetesVersion: 1.40\nvirtualIp: 10.0.0.300\nkubeProxyMode: fast\n"
                        "providers:\n  oxide:\n    workerMachine:\n      memory: 1500Mi\n      diskSize: 2000Gi\n");
  const auto l = load(env(), o);
  ASSERT_FALSE(l);
  const auto& f = o.cluster_file.value();
  EXPECT_EQ(
    l.error().message(),
    f + ":8: providers.oxide.workerMachine.memory must be a whole number of GiB (Oxide requires it), got '1500Mi'\n" +
      f +
      ":1: name 'Bad_Name' is not a valid cluster name (lowercase letters, digits and '-', at most 63 characters)\n" +
      f +
      ":2: kubernetesVersion is invalid: Kubernetes version '1.40' is not supported (supported: 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34)\n" +
      f + ":3: virtualIp must be an IP address, got '10.0.0.300'\n" + f +
      ":4: kubeProxyMode must be iptables, ipvs or nftables, got 'fast'\n" + f +
      ":9: providers.oxide.workerMachine.diskSize must be at most 1023Gi (Oxide's limit), got '2000Gi'");
}

TEST_F(LoadTest, OxideProjectIsRequiredForStartAndTemplate)
{
  const auto l = load(env(), with_cluster("provider: oxide\n"));
  ASSERT_TRUE(l);
  const auto st = validate_for(*l, Purpose::template_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(),
            "providers.oxide.project is required for the oxide provider (the Oxide project to create the cluster in)");
  EXPECT_TRUE(validate_for(*l, Purpose::delete_));
}

// ocne's order when several clouds' values are wrong: each cloud's values
// in registry order, then the namespaces.
TEST_F(LoadTest, CloudValueProblemsKeepOcnesOrderNamespacesLast)
{
  auto o =
    with_cluster("providers:\n  oci:\n    namespace: Bad_NS\n    workerShape:\n      bootVolumeSizeInGBs: \"10\"\n"
                 "  oxide:\n    project: Bad_Project\n    namespace: Also_Bad\n");
  const auto l = load(env(), o);
  ASSERT_FALSE(l);
  const auto& f = o.cluster_file.value();
  EXPECT_EQ(
    l.error().message(),
    f + ":5: providers.oci.workerShape.bootVolumeSizeInGBs must be a whole number of GB from 50 to 32768, got '10'\n" +
      f +
      ":7: providers.oxide.project 'Bad_Project' is not a valid Oxide name (a lowercase letter, then letters, "
      "digits and '-', at most 63)\n" +
      f + ":3: providers.oci.namespace 'Bad_NS' is not a valid Kubernetes namespace name\n" + f +
      ":8: providers.oxide.namespace 'Also_Bad' is not a valid Kubernetes namespace name");
}

TEST_F(LoadTest, VirtualIpAndLoadBalancerExcludeEachOther)
{
  auto o = with_cluster("virtualIp: 192.168.122.240\nloadBalancer: lb.example\n");
  const auto l = load(env(), o);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message(), o.cluster_file.value() + ":1: virtualIp and loadBalancer cannot both be set");
}

TEST(BootImage, OcnesTagRules)
{
  EXPECT_EQ(normalize_boot_image("container-registry.oracle.com/olcne/ock", "1.33"),
            "docker://container-registry.oracle.com/olcne/ock:1.33");
  EXPECT_EQ(normalize_boot_image("docker://container-registry.oracle.com/olcne/ock:1.31", "1.33"),
            "docker://container-registry.oracle.com/olcne/ock:1.33");
  EXPECT_EQ(normalize_boot_image("docker://mirror:5000/olcne/ock:my-build", "1.33"),
            "docker://mirror:5000/olcne/ock:my-build");
  EXPECT_EQ(normalize_boot_image("localhost:5000/ock", "v1.32"), "docker://localhost:5000/ock:1.32");
  EXPECT_EQ(normalize_boot_image("docker://r/ock@sha256:abcd", "1.33"), "docker://r/ock@sha256:abcd");
  EXPECT_EQ(normalize_boot_image("oci:/srv/layout:1.33", "1.31"), "oci:/srv/layout:1.33");
}

TEST(OsRegistry, PrefixIsAdded)
{
  EXPECT_EQ(normalize_os_registry("container-registry.oracle.com/olcne/ock-ostree"),
            "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree");
  EXPECT_EQ(normalize_os_registry("ostree-remote-image:ock:docker://r/x"), "ostree-remote-image:ock:docker://r/x");
}

} // namespace
} // namespace ocne::config
