#include "providers/registry/registry.hpp"

#include "tests/support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ocne::providers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ProviderRegistry, ListsTheCloudsInRegistryAndHelpOrder)
{
  EXPECT_THAT(names(), ElementsAre("libvirt", "oci", "oxide"));
  // The image commands' --type lists keep ocne's order.
  EXPECT_THAT(names_by_help_rank(), ElementsAre("oci", "oxide", "libvirt"));
  ASSERT_EQ(all().size(), 3U);
  for (const auto* cloud : all()) {
    EXPECT_EQ(find(cloud->name()), cloud);
  }
}

TEST(ProviderRegistry, FindsACloudByNameOnly)
{
  ASSERT_NE(find("libvirt"), nullptr);
  EXPECT_EQ(find("libvirt")->lifecycle(), Lifecycle::direct);
  EXPECT_EQ(find("oci")->lifecycle(), Lifecycle::cluster_api);
  EXPECT_EQ(find("oxide")->lifecycle(), Lifecycle::cluster_api);
  EXPECT_EQ(find("OCI"), nullptr);
  EXPECT_EQ(find(""), nullptr);
  const auto missing = get("olvm");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::invalid_input);
  EXPECT_THAT(missing.error().message(), HasSubstr("olvm"));
  EXPECT_THAT(missing.error().message(), HasSubstr("(supported: libvirt, oci, oxide)"));
  const auto found = get("oxide");
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ((*found)->name(), "oxide");
}

TEST(ProviderRegistry, OnlyLibvirtAddsFlagsToStartAndDelete)
{
  std::vector<std::string> start;
  std::vector<std::string> start_keys;
  std::vector<std::string> del;
  for (const auto* cloud : all()) {
    for (const auto& f : cloud->start_flags()) {
      start.push_back(std::string(cloud->name()) + " " + f.names);
      start_keys.push_back(f.key);
    }
    for (const auto& f : cloud->delete_flags()) {
      del.push_back(std::string(cloud->name()) + " " + f.names);
    }
  }
  EXPECT_THAT(start, ElementsAre("libvirt -s,--session", "libvirt -i,--key"));
  EXPECT_THAT(start_keys, ElementsAre("providers.libvirt.uri", "providers.libvirt.sshKey"));
  EXPECT_THAT(del, ElementsAre("libvirt -s,--session"));
}

TEST(ProviderRegistry, AskingACloudForTheOtherLifecycleIsAnInternalError)
{
  test::TempDir dir;
  const config::LoadedConfig loaded;
  const auto env = Environment::from_map({ { "HOME", dir.path().string() } });
  const StateDir state(dir.path() / ".ocne");
  ProviderContext context{ loaded, env, state, null_progress(), {} };
  for (const auto* cloud : all()) {
    if (cloud->lifecycle() == Lifecycle::direct) {
      const auto session = cloud->open(context);
      ASSERT_FALSE(session);
      EXPECT_EQ(session.error().kind(), ErrorKind::internal);
    } else {
      const auto start = cloud->start_driver(context);
      ASSERT_FALSE(start);
      EXPECT_EQ(start.error().kind(), ErrorKind::internal);
      const auto del = cloud->delete_driver(context);
      ASSERT_FALSE(del);
      EXPECT_EQ(del.error().kind(), ErrorKind::internal);
    }
  }
}

TEST(ProviderRegistry, EachCloudGivesItsBootImageRecipe)
{
  const auto oci = find("oci")->boot_image_recipe();
  EXPECT_EQ(oci.name, "oci");
  EXPECT_EQ(oci.format, image::DiskFormat::qcow2);
  EXPECT_EQ(oci.platform_id, "oci");
  EXPECT_FALSE(oci.as_is_when_default);
  EXPECT_EQ(oci.files.size(), 3U); // the DHCP hooks
  ASSERT_TRUE(oci.sidecar);
  EXPECT_THAT(oci.sidecar(image::Arch::arm64, false), HasSubstr("UEFI_64"));

  const auto oxide = find("oxide")->boot_image_recipe();
  EXPECT_EQ(oxide.name, "oxide");
  EXPECT_EQ(oxide.format, image::DiskFormat::raw);
  EXPECT_EQ(oxide.platform_id, "ibmcloud");
  EXPECT_FALSE(oxide.as_is_when_default);
  EXPECT_TRUE(oxide.files.empty());
  EXPECT_FALSE(oxide.sidecar);

  const auto libvirt = find("libvirt")->boot_image_recipe();
  EXPECT_EQ(libvirt.name, "libvirt");
  EXPECT_EQ(libvirt.format, image::DiskFormat::qcow2);
  EXPECT_EQ(libvirt.platform_id, "qemu");
  EXPECT_TRUE(libvirt.as_is_when_default);
  EXPECT_TRUE(libvirt.files.empty());
  EXPECT_FALSE(libvirt.sidecar);
}

TEST(ProviderRegistry, DefaultsAreOcnesOwn)
{
  EXPECT_EQ(default_for(Command::start), "libvirt");
  EXPECT_EQ(default_for(Command::image), "libvirt");
  EXPECT_EQ(default_for(Command::template_), "oci");
  for (const auto command : { Command::start, Command::image, Command::template_ }) {
    EXPECT_NE(find(default_for(command)), nullptr);
  }
}

TEST(ProviderRegistry, TheOxideImageNameFollowsTheVersionUnlessSetOtherwise)
{
  config::ClusterConfig c;
  c.providers.oxide.image_name = std::string("ocne-1-33");
  find("oci")->follow_version(c, "1.33", "1.34");
  EXPECT_EQ(c.providers.oxide.image_name.get(), "ocne-1-33");
  find("oxide")->follow_version(c, "1.33", "1.34");
  EXPECT_EQ(c.providers.oxide.image_name.get(), "ocne-1-34");
  c.providers.oxide.image_name = std::string("my-image");
  find("oxide")->follow_version(c, "1.34", "1.35");
  EXPECT_EQ(c.providers.oxide.image_name.get(), "my-image");
}

TEST(ProviderRegistry, EachClusterApiCloudReadsItsOwnManagementSettings)
{
  config::ClusterConfig c;
  c.providers.oci.kubeconfig = std::string("/oci/kubeconfig");
  c.providers.oci.self_managed = true;
  c.providers.oci.proxy.https_proxy = std::string("http://oci-proxy:3128");
  c.providers.oxide.kubeconfig = std::string("/oxide/kubeconfig");
  c.providers.oxide.proxy.no_proxy = std::string("10.0.0.0/8");
  const auto oci = find("oci")->capi_settings(c);
  EXPECT_EQ(oci.kubeconfig, "/oci/kubeconfig");
  EXPECT_EQ(oci.kubeconfig_key, "providers.oci.kubeconfig");
  EXPECT_TRUE(oci.self_managed);
  EXPECT_EQ(oci.https_proxy, "http://oci-proxy:3128");
  EXPECT_EQ(oci.no_proxy, "");
  const auto oxide = find("oxide")->capi_settings(c);
  EXPECT_EQ(oxide.kubeconfig, "/oxide/kubeconfig");
  EXPECT_EQ(oxide.kubeconfig_key, "providers.oxide.kubeconfig");
  EXPECT_FALSE(oxide.self_managed);
  EXPECT_EQ(oxide.https_proxy, "");
  EXPECT_EQ(oxide.no_proxy, "10.0.0.0/8");
}

TEST(ProviderRegistry, LibvirtRunsTheEphemeralManagementCluster)
{
  test::TempDir dir;
  const auto env = Environment::from_map({ { "HOME", dir.path().string() } });
  const StateDir state(dir.path() / ".ocne");
  const config::ClusterConfig target;
  for (const auto* cloud : all()) {
    const auto local = cloud->ephemeral_management(target, env, state, null_progress());
    ASSERT_TRUE(local) << local.error().message();
    EXPECT_EQ(local->has_value(), cloud->name() == "libvirt") << cloud->name();
  }
  const auto local = local_management_cluster(target, env, state, null_progress());
  ASSERT_TRUE(local) << local.error().message();
  EXPECT_TRUE(local->start);
  EXPECT_TRUE(local->remove);
  // A bad libvirt knob is an error naming it, before anything starts.
  const auto bad_env =
    Environment::from_map({ { "HOME", dir.path().string() }, { "OCNE_LIBVIRT_READY_TIMEOUT", "soon" } });
  const auto bad = local_management_cluster(target, bad_env, state, null_progress());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "OCNE_LIBVIRT_READY_TIMEOUT='soon' is not a number from 1 to 604800");
}

} // namespace
} // namespace ocne::providers
