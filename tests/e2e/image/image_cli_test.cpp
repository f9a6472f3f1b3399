// `ocne image create` and `ocne image info` as a user runs them: the boot
// disk comes from a real registry with token auth, the images are edited
// with libguestfs, and guestfish reads them back.

#include "pkg/core/process.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "tests/servers/registry/test_registry.hpp"
#include "tests/support/image/ock_disk.hpp"
#include "tests/support/image/test_images.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

struct Run
{
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Like run_ocne, with room for libguestfs launches on a busy machine.
Run
ocne(const std::vector<std::string>& args, const std::filesystem::path& home)
{
  ProcessOptions p;
  p.argv = { ocne_binary().string() };
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env;
  for (const char* name : { "PATH",
                            "ASAN_OPTIONS",
                            "UBSAN_OPTIONS",
                            "LSAN_OPTIONS",
                            "LIBGUESTFS_BACKEND",
                            "LIBGUESTFS_BACKEND_SETTINGS",
                            "TMPDIR" }) {
    if (const char* v = std::getenv(name)) {
      env[name] = v;
    }
  }
  env["HOME"] = home.string();
  env["OCNE_HOME"] = (home / ".ocne").string();
  p.env = env;
  p.timeout = std::chrono::seconds(600);
  auto r = run_process(p);
  if (!r) {
    return { -1, "", r.error().message() };
  }
  return { r->exit_code, r->out, r->err };
}

std::string
last_line(const std::string& text)
{
  auto t = text;
  while (!t.empty() && t.back() == '\n') {
    t.pop_back();
  }
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

class ImageCliTest : public TempDirTest
{
protected:
  void
  require_registry()
  {
    if (const auto missing = TestRegistry::missing_tools(); !missing.empty()) {
      GTEST_SKIP() << "needs " << missing;
    }
  }
};

TEST_F(ImageCliTest, CreatesOciAndOxideImagesFromARegistryAndReadsThemBack)
{
  require_registry();
  OCNE_REQUIRE_GUESTFS();
  const auto disks = ock_disks();
  OciLayoutBuilder b(dir() / "layout");
  const auto amd = b.add_image("amd64", { LayerSpec{ { TarEntry{ "disk/boot.qcow2", "", disks.ock } } } });
  const auto arm = b.add_image("arm64", { LayerSpec{ { TarEntry{ "disk/boot.qcow2", "", disks.plain } } } });
  b.tag("1.33", b.add_index({ amd, arm }));
  TestRegistry registry(dir() / "registry", RegistryAuth::token);
  registry.push(b.dir(), "1.33", "olcne/ock:1.33");
  const auto source = "docker://" + registry.host() + "/olcne/ock:1.33";
  const auto images = dir() / ".ocne" / "images";

  auto r = ocne({ "image", "create", "--type", "oci", "--version", "1.33", "--source", source }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto oci = images / "boot.qcow2-1.33-amd64.oci";
  EXPECT_EQ(r.out, oci.string() + "\n");
  EXPECT_NE(r.err.find("New boot image was created successfully at " + oci.string()), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(images / "boot.qcow2-1.33-amd64.oci.json"));

  r = ocne({ "image", "create", "--type", "oxide", "--version", "1.33", "--source", source }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto oxide = images / "boot.qcow2-1.33-amd64.oxide";
  EXPECT_EQ(r.out, oxide.string() + "\n");

  // The registry is gone: a second create, and the libvirt image, are served
  // from the cache.
  registry.stop();
  r = ocne({ "image", "create", "--type", "oci", "--version", "1.33", "--source", source }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("The oci image is up to date: " + oci.string()), std::string::npos) << r.err;
  r = ocne({ "image", "create", "--type", "libvirt", "--version", "1.33", "--source", source }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, (images / "boot.qcow2-1.33-amd64").string() + "\n");

  // Read both images back, independently of ocne.
  const auto oci_stamp = image::read_stamp(oci);
  const auto oxide_stamp = image::read_stamp(oxide);
  ASSERT_TRUE(oci_stamp && oxide_stamp);
  const auto& d = disks.deployment;
  std::string script;
  for (const std::string dev : { "sda", "sdb" }) {
    script += "echo ==" + dev + "==\nvfs-uuid /dev/" + dev + "2\nvfs-uuid /dev/" + dev + "3\nmount /dev/" + dev +
              "2 /\ncat /loader/entries/ostree-1-ock.conf\numount /\nmount /dev/" + dev + "3 /\ncat " + d +
              "/etc/fstab\nexists " + d + "/etc/machine-id\nexists " + d + "/etc/oci-dhclient.sh\numount /\n";
  }
  const auto out = guestfish({ oci, oxide }, script);
  const auto oci_part = out.substr(out.find("==sda==\n") + 8, out.find("==sdb==") - out.find("==sda==") - 8);
  const auto oxide_part = out.substr(out.find("==sdb==\n") + 8);
  for (const auto& [part, stamp, platform, hooks] :
       { std::tuple{ oci_part, *oci_stamp, std::string("oci"), std::string("true") },
         std::tuple{ oxide_part, *oxide_stamp, std::string("ibmcloud"), std::string("false") } }) {
    SCOPED_TRACE(platform);
    const auto boot = stamp.uuids.at(disks.boot_uuid);
    const auto root = stamp.uuids.at(disks.root_uuid);
    EXPECT_TRUE(part.starts_with(boot + "\n" + root + "\n")) << part;
    EXPECT_NE(part.find(" ignition.platform.id=" + platform + " "), std::string::npos) << part;
    EXPECT_EQ(part.find("ignition.platform.id=qemu"), std::string::npos) << part;
    EXPECT_NE(part.find("root=UUID=" + root + " "), std::string::npos) << part;
    EXPECT_NE(part.find("UUID=" + root + " / xfs"), std::string::npos) << part;
    EXPECT_NE(part.find("UUID=" + boot + " /boot xfs"), std::string::npos) << part;
    EXPECT_EQ(part.find(disks.boot_uuid), std::string::npos) << part;
    EXPECT_EQ(part.find(disks.root_uuid), std::string::npos) << part;
    EXPECT_TRUE(part.ends_with("false\n" + hooks + "\n")) << part; // no machine id
  }
  // The raw image is the same disk: its virtual size and partition layout.
  EXPECT_EQ(std::filesystem::file_size(oxide), 720ULL << 20);

  // image info reads the OCI image.
  r = ocne({ "image", "info", "--type", "oci", "--version", "1.33", "-p", d + "/etc", "-L", "root" }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Image:        " + oci.string() + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Format:       qcow2, virtual size 720.0 MiB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Source:       " + registry.host() + "/olcne/ock:1.33 (linux/amd64)"), std::string::npos)
    << r.out;
  EXPECT_NE(r.out.find("Built:        oci image, platform id oci, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(oci_stamp->uuids.at(disks.boot_uuid)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    platform id: oci\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Machine ids: none\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  " + d + "/etc/oci-dhclient.sh\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  " + d + "/etc/fstab\n"), std::string::npos) << r.out;
}

TEST_F(ImageCliTest, BadInputGetsOneClearLineAndLeavesNothingBehind)
{
  require_registry();
  if (!have_program("qemu-img")) {
    GTEST_SKIP() << "needs qemu-img";
  }
  const auto layout = make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry", RegistryAuth::htpasswd);
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");
  registry.push(layout.dir, "nodisk", "olcne/ock:nodisk");
  const auto h = registry.host();
  const auto images = dir() / ".ocne" / "images";
  const auto expect_error = [&](const std::vector<std::string>& args, const std::string& message) {
    SCOPED_TRACE(message);
    const auto r = ocne(args, dir());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(last_line(r.err), "ocne: error: " + message) << r.err;
    EXPECT_EQ(r.out, "");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(images, ec)) {
      const auto name = e.path().filename().string();
      EXPECT_TRUE(name == ".locks" || name == "blobs") << "left behind: " << name;
    }
  };

  expect_error({ "image", "create", "--source", "reg.example/Olcne/ock" },
               "invalid image reference 'reg.example/Olcne/ock': repository names must be lower case");
  expect_error({ "image", "create", "--source", h + "/olcne/ock:1.33" },
               h + "/olcne/ock:1.33: registry " + h +
                 " needs credentials: put credentials for it in ~/.docker/config.json or $REGISTRY_AUTH_FILE "
                 "(skopeo login --authfile FILE ...)");
  write(".docker/config.json", R"({"auths":{")" + h + R"(":{"auth":"dGVzdHVzZXI6d3Jvbmc="}}})");
  expect_error({ "image", "create", "--source", h + "/olcne/ock:1.33" },
               h + "/olcne/ock:1.33: registry " + h + " refused the credentials of user 'testuser' (from " +
                 (dir() / ".docker" / "config.json").string() + ")");
  write(".docker/config.json", R"({"auths":{")" + h + R"(":{"auth":"dGVzdHVzZXI6czNjcmV0"}}})");
  expect_error({ "image", "create", "--source", h + "/olcne/ock:9.99" },
               "image " + h + "/olcne/ock:9.99 not found: registry " + h +
                 " has no such tag (404 (MANIFEST_UNKNOWN: manifest unknown))");
  expect_error({ "image", "create", "--source", h + "/olcne/ock:nodisk" },
               h + "/olcne/ock:nodisk (linux/amd64): no layer contains disk/boot.qcow2; is this an OCK boot image?");
  expect_error({ "image", "create", "--source", h + "/olcne/ock:1.33", "--ignition-provider", "o ci" },
               "invalid Ignition platform id 'o ci': use a lower-case word such as oci, ibmcloud or qemu");
  expect_error({ "image", "create", "--source", "oci:" + (dir() / "nowhere").string() },
               "image source 'oci:" + (dir() / "nowhere").string() + "': " + (dir() / "nowhere").string() +
                 ": no such file or directory");
  expect_error({ "image", "info", "--file", (dir() / "none.qcow2").string() },
               "--file " + (dir() / "none.qcow2").string() + ": no such file");
  const auto r = ocne({ "image", "create", "--type", "vmdk" }, dir());
  EXPECT_EQ(r.exit_code, 2);
}

} // namespace
} // namespace ocne::test
