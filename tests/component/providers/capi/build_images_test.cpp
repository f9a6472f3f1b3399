// The images step when the cloud has no image for the cluster's Kubernetes
// version: the flavor builds one per missing architecture (here a small
// qcow2 stands in for image create's libguestfs work) and uploads it to the
// OCI or Oxide test server for real (multipart upload and import; bulk
// disk import), the template is rendered with the new ids, and the next
// cluster of that version finds the images instead of uploading again.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/load.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "providers/capi/driver.hpp"
#include "providers/oci/session.hpp"
#include "providers/oci/stack.hpp"
#include "providers/oxide/session.hpp"
#include "providers/oxide/stack.hpp"
#include "providers/registry/registry.hpp"
#include "tests/support/capi_world.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

namespace ocne::providers::capi {
namespace {

using ocne::test::CapiWorld;

class BuildImagesOnStart : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED(); // the world installs its real manifests
    if (!program_exists("qemu-img")) {
      GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    }
  }

  void
  start_world(const std::string& provider)
  {
    world = std::make_unique<CapiWorld>(dir(), ocne::test::CapiWorldOptions{ .provider = provider });
  }

  Environment
  env() const
  {
    const auto world_env = world->env();
    std::map<std::string, std::string, std::less<>> vars(world_env.begin(), world_env.end());
    vars["PATH"] = "/usr/bin:/bin";
    return Environment::from_map(std::move(vars));
  }

  // Starts cluster `name` of Kubernetes 1.32 (the world has images for 1.33 only).
  Result<CapiReport>
  start(const std::string& name)
  {
    return run(name, false);
  }

  // Deletes it (as `ocne cluster delete -C name`).
  Status
  remove(const std::string& name)
  {
    OCNE_TRY(run(name, true));
    return {};
  }

  Result<CapiReport>
  run(const std::string& name, bool remove)
  {
    const auto file = world->write_cluster_file(name);
    auto text = fs::read_file(file).value();
    text.replace(text.find("kubernetesVersion: \"1.33\""), 25, "kubernetesVersion: \"1.32\"");
    OCNE_TRY(fs::write_file_atomic(file, text));
    config::LoadOptions lo;
    lo.cluster_file = file.string();
    lo.provider_rules = providers::config_rules();
    OCNE_TRY_ASSIGN(auto loaded, config::load(env(), lo));
    const auto& c = loaded.config;
    const StateDir state(world->home() / ".ocne");
    auto build = [this](const std::string& arch, ProgressSink&) -> Result<fs::Path> {
      const auto path = dir() / ("boot-" + arch + ".qcow2");
      {
        const std::lock_guard lock(builds_mutex); // the architectures build in parallel
        builds.push_back(arch);
      }
      auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", path.string(), "64M" } });
      if (!made || !made->ok()) {
        return make_error(ErrorKind::io, "qemu-img create failed");
      }
      return path;
    };
    CapiOptions o;
    o.config = c;
    o.env = env();
    o.configured_kubeconfig = world->management_kubeconfig().string();
    o.kubeconfig_path = world->home() / ".kube" / ("kubeconfig." + name);
    o.interval = std::chrono::milliseconds(100);
    o.stack = world->provider() == "oci" ? &oci::stack() : &oxide::stack();
    for (auto* t :
         { &o.components_timeout, &o.workload_timeout, &o.nodes_timeout, &o.addons_timeout, &o.delete_timeout }) {
      *t = std::chrono::seconds(60);
    }
    std::unique_ptr<CloudSession> flavor;
    if (world->provider() == "oci") {
      oci::OciSessionOptions f;
      f.config = c;
      f.env = o.env;
      f.build_image = build;
      f.state_dir = state.root();
      flavor = oci::make_session(std::move(f));
    } else {
      oxide::OxideSessionOptions f;
      f.config = c;
      f.env = o.env;
      f.build_image = build;
      f.state_dir = state.root();
      flavor = oxide::make_session(std::move(f));
    }
    CapiDriver driver(std::move(o), std::move(flavor));
    if (remove) {
      OCNE_TRY(cluster::delete_cluster(driver, { .name = name }, state, null_progress()));
      return driver.report();
    }
    cluster::StartRequest request;
    request.name = name;
    request.provider = world->provider();
    request.kubernetes_version = c.kubernetes_version.get();
    request.resumable = true;
    OCNE_TRY(cluster::start_cluster(driver, request, state, null_progress()));
    return driver.report();
  }

  std::unique_ptr<CapiWorld> world;
  std::mutex builds_mutex;
  std::vector<std::string> builds;
};

TEST_F(BuildImagesOnStart, OciBuildsAndUploadsBothArchitecturesThenTheNextClusterFindsThem)
{
  start_world("oci");
  const auto before = world->image_count();
  auto first = start("one");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(std::set<std::string>(builds.begin(), builds.end()), (std::set<std::string>{ "amd64", "arm64" }));
  EXPECT_EQ(world->image_count(), before + 2);
  ASSERT_EQ(first->images.size(), 2U);
  for (const auto& image : first->images) {
    EXPECT_EQ(image.how, "uploaded") << image.arch;
    EXPECT_EQ(image.id.rfind("ocid1.image.", 0), 0U) << image.id;
  }

  builds.clear();
  auto second = start("two");
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(builds.empty());
  EXPECT_EQ(world->image_count(), before + 2);
  for (const auto& image : second->images) {
    EXPECT_EQ(image.how, "found") << image.arch;
  }
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 2U);
}

TEST_F(BuildImagesOnStart, OxideBuildsAndImportsTheImageWhichOutlivesTheClusterAndTheNextClusterFindsIt)
{
  start_world("oxide");
  const auto before = world->image_count();
  auto first = start("one");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(builds, std::vector<std::string>{ "amd64" });
  EXPECT_EQ(world->image_count(), before + 1);
  ASSERT_EQ(first->images.size(), 1U);
  EXPECT_EQ(first->images[0].how, "uploaded");
  // Deleting the cluster keeps its boot image (docs/cluster-api.md, Delete).
  auto removed = remove("one");
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->image_count(), before + 1);

  builds.clear();
  auto second = start("two");
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(builds.empty());
  EXPECT_EQ(world->image_count(), before + 1);
  ASSERT_EQ(second->images.size(), 1U);
  EXPECT_EQ(second->images[0].how, "found");
  EXPECT_EQ(second->images[0].id, first->images[0].id);
}

} // namespace
} // namespace ocne::providers::capi
