// providers/capi/render: which boot images a start uses (configured, found,
// recorded by an earlier run, or built and uploaded, all at once) and what
// stops it (placeholders that are not images).

#include "providers/capi/render.hpp"

#include "providers/oci/cloud_template.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/cluster_templates/support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace ocne::providers::capi {
namespace {

// Knows the compartment; has images only for the architectures it is given.
class PartialResolver final : public oci::Lookups
{
public:
  explicit PartialResolver(std::set<std::string> archs) : m_archs(std::move(archs))
  {
  }

  Result<cluster_templates::Lookup>
  resolve_compartment(std::string_view) override
  {
    return cluster_templates::Lookup::found("ocid1.compartment.oc1..k8s");
  }
  Result<cluster_templates::Lookup>
  find_image(std::string_view, std::string_view version, std::string_view arch) override
  {
    std::lock_guard lock(mutex);
    lookups.push_back(std::string(arch));
    if (m_archs.count(std::string(arch)) != 0) {
      return cluster_templates::Lookup::found(fmt::format("ocid1.image.oc1..found-{}-{}", version, arch));
    }
    return cluster_templates::Lookup::unknown("no image");
  }

  std::mutex mutex;
  std::vector<std::string> lookups;

private:
  std::set<std::string> m_archs;
};

// OCI's session as render_resources sees it: OCI's slots and template, with
// lookups and builds the test controls.
class FakeSession final : public CloudSession
{
public:
  using Build = std::function<Result<std::string>(const std::string& arch)>;

  FakeSession(config::ClusterConfig config, oci::Lookups& lookups, Build build, fs::Path cwd, fs::Path home)
    : m_config(std::move(config)),
      m_lookups(lookups),
      m_build(std::move(build)),
      m_cwd(std::move(cwd)),
      m_home(std::move(home))
  {
  }

  std::string_view
  provider() const override
  {
    return "oci";
  }
  const config::ClusterConfig&
  config() const override
  {
    return m_config;
  }
  fs::Path
  cwd() const override
  {
    return m_cwd;
  }
  fs::Path
  home() const override
  {
    return m_home;
  }
  Status
  check_credentials() override
  {
    return {};
  }
  Result<std::map<std::string, std::string, std::less<>>>
  component_values() override
  {
    return std::map<std::string, std::string, std::less<>>{};
  }
  std::vector<ImageSlot>
  image_slots() const override
  {
    return { { "OCI_IMAGE_ID_ARM64", "arm64" }, { "OCI_IMAGE_ID_AMD64", "amd64" } };
  }
  std::string
  configured_image(const config::ClusterConfig& c, const std::string& arch) const override
  {
    return arch == "arm64" ? c.providers.oci.images.arm64.get() : c.providers.oci.images.amd64.get();
  }
  void
  set_image(config::ClusterConfig& c, const std::string& arch, const std::string& id) const override
  {
    (arch == "arm64" ? c.providers.oci.images.arm64 : c.providers.oci.images.amd64) = id;
  }
  Result<std::string>
  build_and_upload(const std::string& arch, ProgressSink&) override
  {
    return m_build(arch);
  }
  std::string
  image_id_problem(std::string_view, std::string_view) const override
  {
    return {};
  }
  Result<std::vector<std::string>>
  prepare(k8s::Client&, const ClusterResources&) override
  {
    return std::vector<std::string>{};
  }
  Result<addons::Addon>
  cloud_controller_manager(k8s::Client&, const ClusterResources&) override
  {
    return make_error(ErrorKind::internal, "not in this test");
  }
  std::unique_ptr<cluster_templates::CloudTemplate>
  cloud_template() const override
  {
    // Not owned: the test keeps the lookups and reads what they were asked.
    return oci::make_cloud_template(std::shared_ptr<oci::Lookups>(std::shared_ptr<void>(), &m_lookups));
  }

private:
  config::ClusterConfig m_config;
  oci::Lookups& m_lookups;
  Build m_build;
  fs::Path m_cwd;
  fs::Path m_home;
};

class RenderResources : public test::TempDirTest
{
protected:
  std::unique_ptr<FakeSession>
  inputs(const std::string& cluster_yaml, oci::Lookups& resolver)
  {
    const auto file = write("work/cluster.yaml", cluster_yaml);
    auto loaded = test::load_for_template(file, dir() / "home");
    EXPECT_TRUE(loaded) << loaded.error().message();
    auto build = [this](const std::string& arch) -> Result<std::string> {
      // Both builds must be under way together: each waits for the other.
      ++running;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (running.load() < expected_parallel && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      max_running = std::max(max_running.load(), running.load());
      std::lock_guard lock(mutex);
      built.insert(arch);
      if (arch == fail_arch) {
        return make_error(ErrorKind::transient, "upload refused");
      }
      return "ocid1.image.oc1..built-" + arch;
    };
    return std::make_unique<FakeSession>(loaded->config, resolver, build, dir() / "work", dir() / "home");
  }

  std::atomic<int> running{ 0 };
  std::atomic<int> max_running{ 0 };
  int expected_parallel = 1;
  std::string fail_arch;
  std::mutex mutex;
  std::set<std::string> built;
};

const char* k_oci = "provider: oci\nproviders:\n  oci:\n    compartment: projects/k8s\n";

TEST_F(RenderResources, ImagesInTheCloudAreUsedAndNothingIsBuilt)
{
  PartialResolver resolver({ "arm64", "amd64" });
  auto r = render_resources(*inputs(k_oci, resolver), {}, null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(built.empty());
  ASSERT_EQ(r->images.size(), 2U);
  EXPECT_EQ(r->images[0].arch, "arm64");
  EXPECT_EQ(r->images[0].how, "found");
  EXPECT_EQ(r->images[0].id, "ocid1.image.oc1..found-1.33-arm64");
  EXPECT_NE(r->yaml.find("imageId: ocid1.image.oc1..found-1.33-amd64\n"), std::string::npos);
  EXPECT_TRUE(cluster_templates::find_placeholders(r->yaml).empty());
}

TEST_F(RenderResources, MissingArchitecturesAreBuiltTogetherAndTheTemplateRenderedWithTheirIds)
{
  PartialResolver resolver({});
  expected_parallel = 2;
  auto r = render_resources(*inputs(k_oci, resolver), {}, null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(built, (std::set<std::string>{ "arm64", "amd64" }));
  EXPECT_EQ(max_running.load(), 2);
  EXPECT_NE(r->yaml.find("imageId: ocid1.image.oc1..built-arm64\n"), std::string::npos);
  EXPECT_NE(r->yaml.find("imageId: ocid1.image.oc1..built-amd64\n"), std::string::npos);
  for (const auto& image : r->images) {
    EXPECT_EQ(image.how, "uploaded") << image.arch;
  }
}

TEST_F(RenderResources, ConfiguredAndRecordedIdsWinOverLookupsAndBuilds)
{
  PartialResolver resolver({});
  auto r = render_resources(*inputs(std::string(k_oci) + "    images:\n      arm64: ocid1.image.oc1..mine\n", resolver),
                            { { "amd64", "ocid1.image.oc1..recorded" } },
                            null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(built.empty());
  EXPECT_TRUE(resolver.lookups.empty());
  ASSERT_EQ(r->images.size(), 2U);
  EXPECT_EQ(r->images[0].how, "configured");
  EXPECT_EQ(r->images[0].id, "ocid1.image.oc1..mine");
  EXPECT_EQ(r->images[1].how, "found");
  EXPECT_EQ(r->images[1].id, "ocid1.image.oc1..recorded");
}

TEST_F(RenderResources, AFailedBuildNamesItsArchitecture)
{
  PartialResolver resolver({ "amd64" });
  fail_arch = "arm64";
  auto r = render_resources(*inputs(k_oci, resolver), {}, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "the arm64 boot image: upload refused");
  EXPECT_EQ(built, (std::set<std::string>{ "arm64" }));
}

TEST_F(RenderResources, OtherPlaceholdersStopTheStartWithTheirReasons)
{
  test::FakeResolver fake;
  auto in = inputs("provider: oci\n", fake);
  auto r = render_resources(*in, {}, null_progress());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("the cluster's resources cannot be rendered: ${OCI_COMPARTMENT_ID}"),
            std::string::npos)
    << r.error().message();
  EXPECT_TRUE(built.empty());
}

TEST_F(RenderResources, AClusterDefinitionIsUsedAsItIs)
{
  write("work/resources.yaml", "kind: Cluster\n");
  PartialResolver resolver({});
  auto r = render_resources(
    *inputs(std::string(k_oci) + "clusterDefinition: resources.yaml\n", resolver), {}, null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->yaml, "kind: Cluster\n");
  EXPECT_EQ(r->source, (dir() / "work" / "resources.yaml").string());
  EXPECT_TRUE(resolver.lookups.empty());
}

} // namespace
} // namespace ocne::providers::capi
