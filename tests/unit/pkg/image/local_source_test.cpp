// Boot disks from files, for air-gapped use: OCI layouts (folder or tar) and
// docker-archive tarballs.

#include "pkg/image/boot_image.hpp"
#include "tests/fixtures/image/background_process.hpp"
#include "tests/fixtures/image/test_images.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ocne::image {
namespace {

class LocalSourceTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    if (!test::have_program("qemu-img")) {
      GTEST_SKIP() << "needs qemu-img (qemu-utils)";
    }
    layout = test::make_test_layout(dir() / "src");
  }

  BootImageOptions
  options(const std::string& source, Arch arch = Arch::amd64)
  {
    BootImageOptions o;
    o.source = source;
    o.version = "1.33";
    o.arch = arch;
    o.images_dir = dir() / "images";
    o.source_options.cwd = dir();
    o.source_options.home = dir();
    return o;
  }

  void
  skopeo_copy(const std::string& from, const std::string& to)
  {
    test::run_checked({"skopeo", "copy", "-q", from, to}, {{"HOME", dir().string()}});
  }

  test::TestLayout layout;
};

TEST_F(LocalSourceTest, ReadsAnOciLayoutFolderByTagAndArchitecture)
{
  auto o = options("oci:" + layout.dir.string() + ":1.33", Arch::arm64);
  auto image = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_FALSE(image->cached);
  EXPECT_EQ(image->source, "oci:" + layout.dir.string() + ":1.33");
  EXPECT_EQ(image->manifest_digest, layout.arm64_manifest.digest);
  EXPECT_TRUE(test::same_file_content(image->path, layout.arm64_disk));
  // A local source is resolved again (cheap), but not extracted again.
  const auto mtime = std::filesystem::last_write_time(image->path);
  auto again = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->cached);
  EXPECT_EQ(std::filesystem::last_write_time(image->path), mtime);
  // A relative path works too, and a zstd layer under another layer.
  o = options("oci:src/layout:zstd");
  o.version = "1.34";
  image = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
}

TEST_F(LocalSourceTest, ReportsBadLayouts)
{
  auto r = ensure_boot_image(options(layout.dir.string()), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "oci:" + layout.dir.string() +
                                   " holds 5 images: name one with a tag, as oci:DIR:TAG (tags: 1.33, 1.33-amd64, "
                                   "nodisk, corrupt, zstd)");
  r = ensure_boot_image(options("oci:" + layout.dir.string() + ":2.0"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message(), "oci:" + layout.dir.string() +
                                   ":2.0: no image is tagged '2.0' (tags: 1.33, 1.33-amd64, nodisk, corrupt, zstd)");
  r = ensure_boot_image(options("oci:missing:1.33"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "image source 'oci:missing:1.33': " + (dir() / "missing").string() + ": no such file or directory");
  r = ensure_boot_image(options("./src"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "image source './src': the folder is not an OCI image layout (it has no oci-layout file)");
  const auto not_tar = write("notes.txt", "hello");
  r = ensure_boot_image(options(not_tar.string()), null_progress());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("image source '" + not_tar.string() +
                                              "': not an OCI archive or a docker-archive ("))
    << r.error().message();
  auto o = options("oci:" + layout.dir.string() + ":1.33");
  o.version = "../x";
  r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "invalid version '../x': use letters, digits, '.', '_' and '-' (for example 1.33)");
}

TEST_F(LocalSourceTest, ACorruptLayerIsRefusedAndNothingIsCached)
{
  const auto blob = layout.dir / "blobs" / "sha256" / layout.amd64_layer.substr(7);
  std::filesystem::permissions(blob, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('\x01'); // the gzip trailer's size: the tar reads fine, the digest does not match
  }
  auto o = options("oci:" + layout.dir.string() + ":1.33-amd64");
  auto r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("oci:" + layout.dir.string() + ":1.33-amd64: layer " +
                                              layout.amd64_layer.substr(0, 19) + " is corrupt: its content has digest "))
    << r.error().message();
  EXPECT_FALSE(std::filesystem::exists(o.images_dir / "boot.qcow2-1.33-amd64"));
}

TEST_F(LocalSourceTest, ReadsOciArchivesAndDockerArchives)
{
  if (!test::have_program("skopeo")) {
    GTEST_SKIP() << "needs skopeo to write the archives";
  }
  const auto oci_tar = dir() / "ock-oci.tar";
  const auto docker_tar = dir() / "ock-docker.tar";
  skopeo_copy("oci:" + layout.dir.string() + ":1.33-amd64", "oci-archive:" + oci_tar.string() + ":1.33");
  skopeo_copy("oci:" + layout.dir.string() + ":1.33-amd64",
              "docker-archive:" + docker_tar.string() + ":container-registry.oracle.com/olcne/ock:1.33");

  for (const auto& source : {"oci-archive:" + oci_tar.string() + ":1.33", oci_tar.string()}) {
    SCOPED_TRACE(source);
    std::filesystem::remove_all(dir() / "images");
    auto image = ensure_boot_image(options(source), null_progress());
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_EQ(image->manifest_digest, layout.amd64_manifest.digest);
    EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
  }
  for (const auto& source : {"docker-archive:" + docker_tar.string() + ":container-registry.oracle.com/olcne/ock:1.33",
                             docker_tar.string()}) {
    SCOPED_TRACE(source);
    std::filesystem::remove_all(dir() / "images");
    auto image = ensure_boot_image(options(source), null_progress());
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
  }
  auto r = ensure_boot_image(options(docker_tar.string(), Arch::arm64), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "docker-archive:" + docker_tar.string() + " has no linux/arm64 image (it has linux/amd64)");
  r = ensure_boot_image(options("docker-archive:" + docker_tar.string() + ":other:1"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "docker-archive:" + docker_tar.string() +
                                   ":other:1: no image is tagged 'other:1' (tags: "
                                   "container-registry.oracle.com/olcne/ock:1.33)");
}

} // namespace
} // namespace ocne::image
