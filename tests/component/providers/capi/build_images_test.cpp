// The images step when the cloud has no image for the cluster's Kubernetes
// version: the flavor builds one per missing architecture (here a small
// qcow2 stands in for image create's libguestfs work) and uploads it to the
// OCI or Oxide test server for real (multipart upload and import; bulk
// disk import), the template is rendered with the new ids, and the next
// cluster of that version finds the images instead of uploading again;
// and the same for `cluster upgrade` to a version whose import fails once.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/load.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/upgrade.hpp"
#include "providers/oci/session.hpp"
#include "providers/oci/stack.hpp"
#include "providers/oxide/session.hpp"
#include "providers/oxide/stack.hpp"
#include "providers/registry/registry.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
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

  // The cluster file of `name` at Kubernetes `version`, loaded.
  Result<config::ClusterConfig>
  load_config(const std::string& name, const std::string& version)
  {
    const auto file = world->write_cluster_file(name);
    auto text = fs::read_file(file).value();
    text.replace(text.find("kubernetesVersion: \"1.33\""), 25, "kubernetesVersion: \"" + version + "\"");
    OCNE_TRY(fs::write_file_atomic(file, text));
    config::LoadOptions lo;
    lo.cluster_file = file.string();
    lo.provider_rules = providers::config_rules();
    OCNE_TRY_ASSIGN(auto loaded, config::load(env(), lo));
    return loaded.config;
  }

  CapiOptions
  capi_options(const config::ClusterConfig& c, const std::string& name)
  {
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
    return o;
  }

  // The cloud session of configuration c, building images with a small qcow2.
  std::unique_ptr<CloudSession>
  session(const config::ClusterConfig& c)
  {
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
    if (world->provider() == "oci") {
      oci::OciSessionOptions f;
      f.config = c;
      f.env = env();
      f.build_image = build;
      f.state_dir = state().root();
      return oci::make_session(std::move(f));
    }
    oxide::OxideSessionOptions f;
    f.config = c;
    f.env = env();
    f.build_image = build;
    f.state_dir = state().root();
    return oxide::make_session(std::move(f));
  }

  StateDir
  state() const
  {
    return StateDir(world->home() / ".ocne");
  }

  Result<CapiReport>
  run(const std::string& name, bool remove, const std::string& version = "1.32")
  {
    OCNE_TRY_ASSIGN(auto c, load_config(name, version));
    CapiDriver driver(capi_options(c, name), session(c));
    if (remove) {
      OCNE_TRY(cluster::delete_cluster(driver, { .name = name }, state(), null_progress()));
      return driver.report();
    }
    cluster::StartRequest request;
    request.name = name;
    request.provider = world->provider();
    request.kubernetes_version = c.kubernetes_version.get();
    request.resumable = true;
    OCNE_TRY(cluster::start_cluster(driver, request, state(), null_progress()));
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

// The images step of `cluster upgrade` when the cloud has no image of the
// target version and its import fails: nothing is patched or copied, no
// failed image stays in the cloud, and the next run uploads and upgrades.
class BuildImagesOnUpgrade : public BuildImagesOnStart
{
protected:
  Result<UpgradeReport>
  upgrade(const std::string& name, const std::string& target)
  {
    OCNE_TRY_ASSIGN(auto c, load_config(name, "1.33"));
    UpgradeOptions u;
    u.capi = capi_options(c, name);
    u.cluster_name = name;
    u.target = target;
    // What `ocne cluster upgrade` gives a hop: the configuration at its minor.
    u.flavor_for = [this, c](const std::string& minor) -> Result<std::unique_ptr<CloudSession>> {
      auto at = c;
      at.kubernetes_version = minor;
      if (at.os_tag.get() == c.kubernetes_version.get()) {
        at.os_tag = minor;
      }
      at.boot_volume_container_image = config::normalize_boot_image(at.boot_volume_container_image.get(), minor);
      return session(at);
    };
    return upgrade_cluster(state(), u, null_progress());
  }

  std::string
  served(const std::string& group, const std::string& kind)
  {
    for (const char* v : { "v1beta2", "v1beta1", "v1alpha1" }) {
      if (world->count(CapiWorld::management_side, group + "/" + v, kind, "ocne") > 0) {
        return group + "/" + v;
      }
    }
    return group + "/none";
  }

  // Every pool and template of the management cluster, by kind and name.
  std::map<std::string, nlohmann::json>
  pools_and_templates()
  {
    std::map<std::string, nlohmann::json> out;
    const std::pair<const char*, const char*> kinds[] = {
      { "controlplane.cluster.x-k8s.io", "KubeadmControlPlane" },
      { "cluster.x-k8s.io", "MachineDeployment" },
      { "infrastructure.cluster.x-k8s.io", "OCIMachineTemplate" },
      { "bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate" },
    };
    for (const auto& [group, kind] : kinds) {
      for (const auto& o : world->management().list(served(group, kind), kind, "ocne")) {
        out[std::string(kind) + "/" + o["metadata"].value("name", "")] = o["spec"];
      }
    }
    return out;
  }
};

TEST_F(BuildImagesOnUpgrade, OciImportFailurePatchesNothingLeavesNoFailedImageAndTheRerunUploadsAndUpgrades)
{
  start_world("oci");
  auto started = run("demo", false, "1.33");
  ASSERT_TRUE(started) << started.error().message();
  ASSERT_TRUE(builds.empty()); // the world has the 1.33 images
  world->settle();
  const auto before = pools_and_templates();
  ASSERT_EQ(before.count("KubeadmControlPlane/demo-control-plane"), 1U);
  const auto images_before = world->oci().images();
  world->oci().reset_counters();
  world->management().clear_requests();

  world->oci().fail_next_import("the image could not be converted");
  auto failed = upgrade("demo", "1.34");
  ASSERT_FALSE(failed);
  const auto message = failed.error().message();
  EXPECT_NE(message.find("boot image"), std::string::npos) << message;
  EXPECT_NE(message.find("ImageImportFailed: the image could not be converted"), std::string::npos) << message;
  // Nothing patched, no template copied.
  EXPECT_EQ(pools_and_templates(), before);
  for (const auto& r : world->requests(CapiWorld::management_side)) {
    EXPECT_TRUE(r.method == "GET" || r.method == "HEAD") << r.method << " " << r.target;
  }
  // The failed image is gone; an image that imported (the other
  // architecture builds at the same time) is tagged for 1.34, so the next
  // run finds it.
  EXPECT_EQ(world->oci().count("DeleteImage"), 1);
  std::set<std::string> old_ids;
  for (const auto& i : images_before) {
    old_ids.insert(i.id);
  }
  std::set<std::string> left;
  for (const auto& i : world->oci().images()) {
    EXPECT_EQ(i.lifecycle_state, "AVAILABLE") << i.id;
    if (old_ids.count(i.id) == 0) {
      EXPECT_EQ(i.freeform_tags.at("ocne/kubernetes"), "1.34") << i.id;
      left.insert(i.id);
    }
  }
  EXPECT_EQ(left.size(), 1U);
  // The upgrade is recorded as unfinished at the images step.
  auto cache = ClusterCache::load(state().clusters_file());
  ASSERT_TRUE(cache);
  const auto* record = cache->find("demo");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->state.count("upgrade.step.images"), 0U);

  builds.clear();
  auto rerun = upgrade("demo", "1.34");
  ASSERT_TRUE(rerun) << rerun.error().message();
  EXPECT_EQ(rerun->outcome, "upgraded");
  ASSERT_EQ(rerun->hops.size(), 1U);
  ASSERT_EQ(rerun->hops[0].images.size(), 2U);
  std::set<std::string> rerun_ids;
  for (const auto& image : rerun->hops[0].images) {
    rerun_ids.insert(image.id);
    EXPECT_EQ(image.how, left.count(image.id) > 0 ? "found" : "uploaded") << image.arch;
  }
  EXPECT_EQ(builds.size(), 2U - left.size());
  for (const auto& id : left) {
    EXPECT_EQ(rerun_ids.count(id), 1U) << id;
  }
  EXPECT_EQ(world->image_count(), images_before.size() + 2);
  const auto after = pools_and_templates();
  EXPECT_EQ(after.at("KubeadmControlPlane/demo-control-plane").value("version", "").rfind("v1.34.", 0), 0U);
  EXPECT_EQ(after.count("OCIMachineTemplate/demo-control-plane-v1-34"), 1U);
  EXPECT_EQ(after.count("OCIMachineTemplate/demo-md-0-v1-34"), 1U);
  EXPECT_EQ(after.count("KubeadmConfigTemplate/demo-md-0-v1-34"), 1U);
}

} // namespace
} // namespace ocne::providers::capi
