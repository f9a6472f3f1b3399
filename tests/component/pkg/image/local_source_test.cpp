// Boot disks from files, for air-gapped use: OCI layouts (folder or tar) and
// docker-archive tarballs.

#include "pkg/image/boot_image.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "tests/support/image/background_process.hpp"
#include "tests/support/image/test_images.hpp"
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
    test::run_checked({ "skopeo", "copy", "-q", from, to }, { { "HOME", dir().string() } });
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
  EXPECT_EQ(r.error().message(),
            "oci:" + layout.dir.string() +
              " holds 5 images: name one with a tag, as oci:DIR:TAG (tags: 1.33, 1.33-amd64, "
              "nodisk, corrupt, zstd)");
  r = ensure_boot_image(options("oci:" + layout.dir.string() + ":2.0"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message(),
            "oci:" + layout.dir.string() +
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
                                              layout.amd64_layer.substr(0, 19) +
                                              " is corrupt: its content has digest "))
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

  for (const auto& source : { "oci-archive:" + oci_tar.string() + ":1.33", oci_tar.string() }) {
    SCOPED_TRACE(source);
    std::filesystem::remove_all(dir() / "images");
    auto image = ensure_boot_image(options(source), null_progress());
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_EQ(image->manifest_digest, layout.amd64_manifest.digest);
    EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
  }
  for (const auto& source : { "docker-archive:" + docker_tar.string() + ":container-registry.oracle.com/olcne/ock:1.33",
                              docker_tar.string() }) {
    SCOPED_TRACE(source);
    std::filesystem::remove_all(dir() / "images");
    auto image = ensure_boot_image(options(source), null_progress());
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
  }
  auto r = ensure_boot_image(options(docker_tar.string(), Arch::arm64), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "docker-archive:" + docker_tar.string() +
              " is a linux/amd64 image (its image config says so), not linux/arm64");
  r = ensure_boot_image(options("docker-archive:" + docker_tar.string() + ":other:1"), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "docker-archive:" + docker_tar.string() +
              ":other:1: no image is tagged 'other:1' (tags: "
              "container-registry.oracle.com/olcne/ock:1.33)");
}

// What --arch asks for is checked against what the image says before
// anything is written, in an OCI layout folder and in an OCI archive.
TEST_F(LocalSourceTest, LayoutsAndArchivesCheckThePlatformOfWhatTheyPick)
{
  const auto platforms = test::make_platform_layout(dir() / "platforms");
  const auto archive = dir() / "platforms.tar";
  test::tar_folder(platforms.dir, archive);
  for (const auto& base : { "oci:" + platforms.dir.string(), "oci-archive:" + archive.string() }) {
    SCOPED_TRACE(base);
    const auto refused = [&](const std::string& tag, Arch arch, const std::string& message) {
      SCOPED_TRACE(tag);
      auto o = options(base + ":" + tag, arch);
      o.images_dir = dir() / "refused";
      const auto r = ensure_boot_image(o, null_progress());
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().message(), base + ":" + tag + message);
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(o.images_dir, ec)) {
        EXPECT_EQ(e.path().filename(), ".locks") << "written: " << e.path();
      }
    };
    const auto accepted = [&](const std::string& tag, Arch arch, const std::string& platform) {
      SCOPED_TRACE(tag);
      auto o = options(base + ":" + tag, arch);
      o.images_dir = dir() / ("accepted-" + tag);
      const auto image = ensure_boot_image(o, null_progress());
      ASSERT_TRUE(image) << image.error().message();
      EXPECT_EQ(image->platform, platform);
      EXPECT_TRUE(test::same_file_content(image->path, platforms.disk));
    };
    // The issue's case: a single-architecture layout whose index.json entry
    // says linux/amd64, asked for arm64.
    refused("amd-entry", Arch::arm64, " is a linux/amd64 image (its index entry says so), not linux/arm64");
    accepted("amd-entry", Arch::amd64, "linux/amd64");
    accepted("arm-entry", Arch::arm64, "linux/arm64");
    // An entry without platform: the config decides.
    refused("bare-amd", Arch::arm64, " is a linux/amd64 image (its image config says so), not linux/arm64");
    accepted("bare-amd", Arch::amd64, "linux/amd64");
    // The index says arm64, the config amd64: neither is believed.
    refused("liar",
            Arch::arm64,
            ": its index entry says linux/arm64 but its image config says linux/amd64; refusing an image whose "
            "platform is unclear");
    refused("liar", Arch::amd64, " has no linux/amd64 image (it has linux/arm64)");
    // Nothing says what it is, or only the index entry does.
    refused("silent",
            Arch::arm64,
            ": neither an index entry nor the image config says which platform the image is for, so it cannot be "
            "used as linux/arm64");
    accepted("silent-arm", Arch::arm64, "linux/arm64");
  }
}

// The cache file names a version and an architecture: a source tagged with
// another version is refused, and a cached disk whose record says another
// architecture (written before architectures were checked) is not reused.
TEST_F(LocalSourceTest, TheCacheNameAgreesWithWhatTheImageIs)
{
  auto o = options("oci:" + layout.dir.string() + ":1.33", Arch::arm64);
  o.version = "1.34";
  auto r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "oci:" + layout.dir.string() +
              ":1.33 is tagged '1.33', which is Kubernetes 1.33, not 1.34: use a source for 1.34 "
              "or set the version to 1.33");
  EXPECT_FALSE(std::filesystem::exists(o.images_dir / "boot.qcow2-1.34-arm64"));

  o.version = "1.33";
  auto image = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(image) << image.error().message();
  auto stamp = read_stamp(image->path);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->platform, "linux/arm64");
  EXPECT_EQ(stamp->version, "1.33");
  ASSERT_TRUE(cached_boot_image(o.images_dir, "1.33", Arch::arm64));

  // What an older ocne could leave: an amd64 disk under the arm64 name.
  stamp->platform = "linux/amd64";
  ASSERT_TRUE(write_stamp(image->path, *stamp));
  EXPECT_FALSE(cached_boot_image(o.images_dir, "1.33", Arch::arm64));
  image = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_FALSE(image->cached);
  EXPECT_EQ(image->platform, "linux/arm64");
  EXPECT_TRUE(test::same_file_content(image->path, layout.arm64_disk));
  EXPECT_EQ(read_stamp(image->path)->platform, "linux/arm64");
}

// A docker-archive has no platforms in its manifest.json: its config decides.
TEST_F(LocalSourceTest, DockerArchivesCheckTheirConfig)
{
  test::make_test_qcow2(dir() / "boot.qcow2", "32M");
  test::write_tar(
    dir() / "layer.tar", { test::TarEntry{ "disk/boot.qcow2", "", dir() / "boot.qcow2" } }, test::Compression::none);
  const auto archive = [&](const std::string& name, const std::string& config) {
    const auto path = dir() / name;
    test::write_tar(path,
                    { test::TarEntry{ "manifest.json",
                                      R"([{"Config":"config.json","RepoTags":["ock:1.33"],"Layers":["layer.tar"]}])" },
                      test::TarEntry{ "config.json", config },
                      test::TarEntry{ "layer.tar", "", dir() / "layer.tar" } },
                    test::Compression::none);
    return path;
  };
  const auto arm = archive("arm.tar", R"({"architecture":"arm64","os":"linux","rootfs":{"type":"layers"}})");
  const auto silent = archive("silent.tar", R"({"rootfs":{"type":"layers"}})");
  const auto windows = archive("windows.tar", R"({"architecture":"arm64","os":"windows"})");

  auto o = options("docker-archive:" + arm.string(), Arch::arm64);
  auto image = ensure_boot_image(o, null_progress());
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->platform, "linux/arm64");
  o.images_dir = dir() / "refused";
  o.arch = Arch::amd64;
  auto r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "docker-archive:" + arm.string() + " is a linux/arm64 image (its image config says so), not linux/amd64");
  o.source = "docker-archive:" + silent.string();
  r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "docker-archive:" + silent.string() +
              ": neither an index entry nor the image config says which platform the image is "
              "for, so it cannot be used as linux/amd64");
  o.source = "docker-archive:" + windows.string();
  o.arch = Arch::arm64;
  r = ensure_boot_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "docker-archive:" + windows.string() +
              " is a windows/arm64 image (its image config says so), not linux/arm64");
  EXPECT_FALSE(std::filesystem::exists(o.images_dir / "boot.qcow2-1.33-arm64"));
  EXPECT_FALSE(std::filesystem::exists(o.images_dir / "boot.qcow2-1.33-amd64"));
}

} // namespace
} // namespace ocne::image
