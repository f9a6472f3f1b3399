// `ocne cluster start -P oxide` when the cloud has no image for the cluster's
// Kubernetes version, through the binary: the boot image is built from an
// OCK disk (an OCI image layout, libguestfs for the edits, as `image create`
// does), uploaded with Oxide's bulk import, and the run is killed with
// SIGKILL half-way through the upload. The next run reuses the built image
// file, finishes the import and starts the cluster: one image, no disk or
// snapshot left behind, and the next cluster of that version finds it.

#include "pkg/core/fs.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/child.hpp"
#include "tests/support/image/oci_layout_builder.hpp"
#include "tests/support/image/ock_disk.hpp"

#include <csignal>
#include <cstdlib>
#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;

class CapiBuild : public CapiCliTest
{
protected:
  // libguestfs' settings of this process (ock_disks() sets them), for ocne.
  static std::map<std::string, std::string>
  guestfs_env()
  {
    std::map<std::string, std::string> env;
    for (const char* name : { "LIBGUESTFS_BACKEND", "LIBGUESTFS_BACKEND_SETTINGS", "TMPDIR" }) {
      if (const char* v = std::getenv(name)) {
        env[name] = v;
      }
    }
    return env;
  }

  // A cluster file of Kubernetes 1.32 (the world has images for 1.33 only)
  // whose boot disk is the layout.
  std::filesystem::path
  cluster_file(const std::string& name, const std::filesystem::path& layout)
  {
    const auto file = world->write_cluster_file(name, "bootVolumeContainerImage: oci:" + layout.string() + ":1.32\n");
    auto text = fs::read_file(file).value();
    text.replace(text.find("kubernetesVersion: \"1.33\""), 25, "kubernetesVersion: \"1.32\"");
    EXPECT_TRUE(fs::write_file_atomic(file, text));
    return file;
  }
};

TEST_F(CapiBuild, OxideBuildsAndImportsKilledMidUploadThenTheNextRunFinishesIt)
{
  OCNE_REQUIRE_GUESTFS();
  start_world({ .provider = "oxide" });
  const auto disks = ock_disks(); // also sets the libguestfs backend of this process, passed on to ocne
  OciLayoutBuilder layout(dir() / "layout");
  layout.tag("1.32", layout.add_image("amd64", { LayerSpec{ { TarEntry{ "disk/boot.qcow2", "", disks.ock } } } }));
  const auto file = cluster_file("built", layout.dir());
  auto& oxide = world->oxide();
  const auto images_before = oxide.images().size();

  // Slow bulk writes, so the kill lands in the middle of the upload.
  oxide.faults().fail_next(
    100000, Fault{ .kind = Fault::Kind::slow, .delay = std::chrono::milliseconds(200) }, "POST", "/v1/disks/");
  auto env = world->env();
  env["OCNE_CAPI_POLL_MS"] = "100";
  env["OCNE_CAPI_TIMEOUT"] = "120";
  env.merge(guestfs_env());
  Child first(
    { ocne_binary().string(), "cluster", "start", "-c", file.string() }, env, dir() / "first.out", dir() / "first.err");
  for (int i = 0; i < 3000 && first.running() && oxide.count("disk_bulk_write_import") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto first_err = fs::read_file(dir() / "first.err").value_or("");
  ASSERT_TRUE(first.running()) << first_err;
  ASSERT_GE(oxide.count("disk_bulk_write_import"), 2) << first_err;
  first.kill(SIGKILL);
  EXPECT_EQ(first.wait(), -SIGKILL);
  EXPECT_EQ(oxide.images().size(), images_before) << "killed before the image was made";
  const auto built = world->home() / ".ocne" / "images" / "boot.qcow2-1.32-amd64.oxide";
  ASSERT_TRUE(std::filesystem::exists(built)) << first_err;
  const auto built_time = std::filesystem::last_write_time(built);

  oxide.faults().clear();
  auto r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" }, guestfs_env(), 120);
  ASSERT_EQ(r.exit_code, 0) << first_err << "\n---\n" << r.err;
  EXPECT_TRUE(has(r.err, "Continuing the start of cluster built")) << r.err;
  // The built image is reused (not rebuilt) and its upload resumed into the
  // same import disk.
  EXPECT_EQ(std::filesystem::last_write_time(built), built_time);
  EXPECT_TRUE(has(r.err, "resuming the interrupted upload of " + built.string())) << r.err;
  const auto result = json::parse(r.out);
  ASSERT_EQ(result["images"].size(), 1U);
  EXPECT_EQ(result["images"][0]["source"], "uploaded");
  const auto images = oxide.images();
  ASSERT_EQ(images.size(), images_before + 1);
  std::string image_id;
  for (const auto& image : images) {
    if (image.name == "ocne-1-32") {
      image_id = image.id;
    }
  }
  EXPECT_EQ(result["images"][0]["id"], image_id);
  EXPECT_TRUE(oxide.disks().empty()) << oxide.disks().size() << " disks left";
  EXPECT_TRUE(oxide.snapshot_names().empty()) << oxide.snapshot_names().size() << " snapshots left";
  EXPECT_TRUE(nodes_ready());

  // The next cluster of 1.32 finds the image: no build, no upload.
  const int writes_before = oxide.count("disk_bulk_write_import");
  const auto other = cluster_file("again", layout.dir());
  r = ocne({ "cluster", "start", "-c", other.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["images"][0]["source"], "found");
  EXPECT_EQ(json::parse(r.out)["images"][0]["id"], image_id);
  EXPECT_EQ(oxide.count("disk_bulk_write_import"), writes_before);
  EXPECT_EQ(oxide.images().size(), images_before + 1);
}

} // namespace
} // namespace ocne::test
