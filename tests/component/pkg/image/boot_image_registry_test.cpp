// Pulls boot disks from a real registry (docker-registry on 127.0.0.1),
// with anonymous, htpasswd and token auth, and checks the cache, digest
// verification and resumed downloads.

#include "pkg/core/interrupt.hpp"
#include "pkg/image/boot_image.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "tests/servers/registry/tcp_proxy.hpp"
#include "tests/servers/registry/test_registry.hpp"
#include "tests/support/image/test_images.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ocne::image {
namespace {

using test::RegistryAuth;
using test::TestRegistry;

#define REQUIRE_REGISTRY_TOOLS()                                                                                       \
  do {                                                                                                                 \
    if (const auto missing = TestRegistry::missing_tools(); !missing.empty()) {                                        \
      GTEST_SKIP() << "needs " << missing << " (scripts/setup.sh installs them)";                                      \
    }                                                                                                                  \
    if (!test::have_program("qemu-img")) {                                                                             \
      GTEST_SKIP() << "needs qemu-img (qemu-utils)";                                                                   \
    }                                                                                                                  \
  } while (false)

// Records what the library reports, and can interrupt after some bytes.
class RecordingProgress : public ProgressSink
{
public:
  void
  begin(std::uint64_t, std::string_view label, std::uint64_t, ProgressUnit) override
  {
    const std::lock_guard lock(m_mutex);
    labels.emplace_back(label);
  }
  void
  update(std::uint64_t, std::uint64_t done, std::uint64_t) override
  {
    if (interrupt_after > 0 && done >= interrupt_after) {
      request_interrupt();
    }
  }
  void
  end(std::uint64_t, bool, std::string_view) override
  {
  }
  std::vector<std::string> labels;
  std::uint64_t interrupt_after = 0;

private:
  std::mutex m_mutex;
};

class BootImageRegistryTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    reset_interrupt();
  }
  void
  TearDown() override
  {
    reset_interrupt();
  }

  BootImageOptions
  options(const std::string& source, Arch arch = Arch::amd64)
  {
    BootImageOptions o;
    o.source = source;
    o.version = "1.33";
    o.arch = arch;
    o.images_dir = dir() / "home" / ".ocne" / "images";
    o.source_options.registry.retry.initial_backoff = std::chrono::milliseconds(10);
    o.source_options.registry.retry.max_attempts = 2;
    o.source_options.cwd = dir();
    o.source_options.home = dir() / "home";
    return o;
  }

  // Files under the images folder other than blobs, locks and stamps.
  std::vector<std::string>
  cache_files(const BootImageOptions& o)
  {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(o.images_dir, ec)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  RecordingProgress progress;
};

TEST_F(BootImageRegistryTest, PullsTheRequestedArchitectureAnonymouslyAndCachesIt)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");

  auto o = options("docker://" + registry.host() + "/olcne/ock:1.33", Arch::arm64);
  auto image = ensure_boot_image(o, progress);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_FALSE(image->cached);
  EXPECT_EQ(image->path, o.images_dir / "boot.qcow2-1.33-arm64");
  EXPECT_EQ(image->source, registry.host() + "/olcne/ock:1.33");
  EXPECT_EQ(image->manifest_digest, layout.arm64_manifest.digest);
  EXPECT_EQ(image->platform, "linux/arm64");
  EXPECT_TRUE(test::same_file_content(image->path, layout.arm64_disk));
  // The layer blob is not kept: the extracted disk is the cache.
  EXPECT_EQ(
    cache_files(o),
    (std::vector<std::string>{ ".locks", "blobs", "boot.qcow2-1.33-arm64", "boot.qcow2-1.33-arm64.ocne.json" }));
  const auto stamp = read_stamp(image->path);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->manifest_digest, layout.arm64_manifest.digest);

  // A second run needs no network at all: the registry is gone.
  registry.stop();
  auto again = ensure_boot_image(o, progress);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->cached);
  EXPECT_EQ(again->manifest_digest, layout.arm64_manifest.digest);
  // Asking the registry whether the tag moved does need it.
  o.refresh = true;
  auto refreshed = ensure_boot_image(o, progress);
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().kind(), ErrorKind::transient);
}

TEST_F(BootImageRegistryTest, ReusesTheCacheWhenAnotherReferenceHasTheSameDigest)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");

  auto o = options(registry.host() + "/olcne/ock:1.33");
  ASSERT_TRUE(ensure_boot_image(o, progress));
  o.source = registry.host() + "/olcne/ock:1.33-amd64";
  auto same = ensure_boot_image(o, progress);
  ASSERT_TRUE(same) << same.error().message();
  EXPECT_TRUE(same->cached);
  EXPECT_EQ(same->source, registry.host() + "/olcne/ock:1.33-amd64");
  EXPECT_EQ(same->manifest_digest, layout.amd64_manifest.digest);
  // By digest, too.
  o.source = registry.host() + "/olcne/ock@" + layout.amd64_manifest.digest;
  auto by_digest = ensure_boot_image(o, progress);
  ASSERT_TRUE(by_digest) << by_digest.error().message();
  EXPECT_TRUE(by_digest->cached);
}

TEST_F(BootImageRegistryTest, ReadsDockerManifestListsAndZstdLayers)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33", "olcne/ock:1.33-docker", true);
  registry.push(layout.dir, "zstd", "olcne/ock:zstd");

  auto image = ensure_boot_image(options(registry.host() + "/olcne/ock:1.33-docker", Arch::arm64), progress);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_TRUE(test::same_file_content(image->path, layout.arm64_disk));

  auto o = options(registry.host() + "/olcne/ock:zstd");
  o.version = "zstd";
  image = ensure_boot_image(o, progress);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_TRUE(test::same_file_content(image->path, layout.amd64_disk));
}

TEST_F(BootImageRegistryTest, ReportsMissingTagsArchitecturesAndDisks)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  registry.push(layout.dir, "nodisk", "olcne/ock:nodisk");
  registry.push(layout.dir, "corrupt", "olcne/ock:corrupt");
  const auto h = registry.host();

  auto r = ensure_boot_image(options(h + "/olcne/ock:9.99"), progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message(),
            "image " + h + "/olcne/ock:9.99 not found: registry " + h +
              " has no such tag (404 (MANIFEST_UNKNOWN: manifest unknown))");

  r = ensure_boot_image(options(h + "/olcne/ock:1.33-amd64", Arch::arm64), progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            h + "/olcne/ock:1.33-amd64 is a linux/amd64 image (its image config says so), not linux/arm64");

  auto o = options(h + "/olcne/ock:nodisk");
  r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            h + "/olcne/ock:nodisk (linux/amd64): no layer contains disk/boot.qcow2; is this an OCK boot image?");

  r = ensure_boot_image(options(h + "/olcne/ock:corrupt"), progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "disk/boot.qcow2 in " + h + "/olcne/ock:corrupt (linux/amd64): not a usable qcow2 image (bad magic)");
  // Nothing half-written is left, and no blob either.
  EXPECT_EQ(cache_files(o), (std::vector<std::string>{ ".locks", "blobs" }));
}

// An index entry and the config it leads to must agree with --arch and with
// each other; an image that names no platform is refused. Nothing but the
// locks and the (emptied) blob folder is written.
TEST_F(BootImageRegistryTest, ChecksThePlatformOfWhatItPicks)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto platforms = test::make_platform_layout(dir() / "platforms");
  TestRegistry registry(dir() / "registry");
  for (const auto* tag : { "liar", "silent", "silent-arm", "bare-amd" }) {
    registry.push(platforms.dir, tag, std::string("olcne/ock:") + tag);
  }
  const auto h = registry.host() + "/olcne/ock:";
  const auto refused = [&](const std::string& tag, Arch arch, const std::string& message) {
    SCOPED_TRACE(tag);
    const auto o = options(h + tag, arch);
    const auto r = ensure_boot_image(o, progress);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), h + tag + message);
    EXPECT_EQ(cache_files(o), (std::vector<std::string>{ ".locks", "blobs" }));
    // The config blob was read and removed (its lock file stays, as for layers).
    for (const auto& e : std::filesystem::recursive_directory_iterator(o.images_dir / "blobs")) {
      if (e.is_regular_file() && e.path().extension() != ".lock") {
        ADD_FAILURE() << "left behind: " << e.path();
      }
    }
  };
  refused("liar",
          Arch::arm64,
          ": its index entry says linux/arm64 but its image config says linux/amd64; refusing an image whose platform "
          "is unclear");
  refused("silent",
          Arch::arm64,
          ": neither an index entry nor the image config says which platform the image is for, so it cannot be used "
          "as linux/arm64");
  refused("bare-amd", Arch::arm64, " is a linux/amd64 image (its image config says so), not linux/arm64");
  // An index entry is enough when the config says nothing.
  const auto image = ensure_boot_image(options(h + "silent-arm", Arch::arm64), progress);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->platform, "linux/arm64");
}

TEST_F(BootImageRegistryTest, BasicAuthUsesTheAuthFileAndReportsRefusedCredentials)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry", RegistryAuth::htpasswd);
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");
  const auto h = registry.host();
  const auto ref = h + "/olcne/ock:1.33";

  auto o = options(ref);
  auto r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);
  EXPECT_EQ(r.error().message(),
            ref + ": registry " + h +
              " needs credentials: put credentials for it in ~/.docker/config.json or $REGISTRY_AUTH_FILE (skopeo "
              "login --authfile FILE ...)");

  const auto wrong =
    write("wrong.json", R"({"auths":{")" + h + R"(":{"auth":")" + base64_encode("testuser:wrong") + R"("}}})");
  o.source_options.registry.auth_files = { wrong };
  r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            ref + ": registry " + h + " refused the credentials of user 'testuser' (from " + wrong.string() + ")");

  const auto good = write("home/.docker/config.json",
                          R"({"auths":{")" + h + R"(":{"auth":")" + base64_encode("testuser:s3cret") + R"("}}})");
  o.source_options.registry.auth_files = { dir() / "none.json", good };
  r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
}

TEST_F(BootImageRegistryTest, TokenAuthWorksAnonymouslyAndWithCredentials)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry", RegistryAuth::token);
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");
  const auto h = registry.host();
  const auto pushes = registry.tokens()->tokens_issued();

  auto o = options(h + "/olcne/ock:1.33");
  auto r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
  auto subjects = registry.tokens()->subjects();
  ASSERT_GT(subjects.size(), static_cast<std::size_t>(pushes));
  EXPECT_EQ(subjects.back(), ""); // anonymous

  o.arch = Arch::arm64;
  o.source_options.registry.credentials = Credentials{ "testuser", Secret("s3cret"), "test" };
  r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(registry.tokens()->subjects().back(), "testuser");

  o.arch = Arch::amd64;
  o.version = "other";
  o.source_options.registry.credentials = Credentials{ "testuser", Secret("nope"), "the --creds flag" };
  r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);
  EXPECT_EQ(r.error().message(),
            h + "/olcne/ock:1.33: the token service of registry " + h +
              " refused the credentials of user 'testuser' (from the --creds flag)");
}

TEST_F(BootImageRegistryTest, DigestMismatchFailsAndDeletesTheBadBlob)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  // Corrupt the stored layer in place: same size, one byte changed.
  const auto data = registry.blob_data(layout.amd64_layer);
  {
    std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x42');
  }
  auto o = options(registry.host() + "/olcne/ock:1.33-amd64");
  auto r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  const auto brief = layout.amd64_layer.substr(0, 19);
  EXPECT_TRUE(r.error().message().starts_with("blob " + brief + " of " + registry.host() +
                                              "/olcne/ock: the downloaded data has digest sha256:"))
    << r.error().message();
  EXPECT_TRUE(r.error().message().ends_with(", not " + layout.amd64_layer +
                                            "; the bad download was deleted, run the command again"))
    << r.error().message();
  const auto blobs = o.images_dir / "blobs" / "sha256";
  EXPECT_FALSE(std::filesystem::exists(blobs / layout.amd64_layer.substr(7)));
  EXPECT_FALSE(std::filesystem::exists(blobs / (layout.amd64_layer.substr(7) + ".partial")));
  EXPECT_EQ(cache_files(o), (std::vector<std::string>{ ".locks", "blobs" }));
}

TEST_F(BootImageRegistryTest, ResumesADroppedTransferWithARangeRequest)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src", 3 << 20);
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  test::TcpProxy relay(std::stoi(registry.host().substr(10)));
  relay.cut_after("/blobs/" + layout.amd64_layer, 1 << 20);

  auto o = options("127.0.0.1:" + std::to_string(relay.port()) + "/olcne/ock:1.33-amd64");
  auto r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(relay.cuts(), 1);
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
  int ranged = 0;
  for (const auto& req : relay.requests()) {
    if (req.find("/blobs/" + layout.amd64_layer) != std::string::npos &&
        req.find("Range: bytes=") != std::string::npos) {
      ++ranged;
    }
  }
  EXPECT_EQ(ranged, 1);
}

TEST_F(BootImageRegistryTest, AnInterruptedPullResumesInTheNextRun)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src", 4 << 20);
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  test::TcpProxy relay(std::stoi(registry.host().substr(10)));
  auto o = options("127.0.0.1:" + std::to_string(relay.port()) + "/olcne/ock:1.33-amd64");

  // Ctrl-C once a megabyte has arrived.
  progress.interrupt_after = 1 << 20;
  auto r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::cancelled);
  const auto partial = o.images_dir / "blobs" / "sha256" / (layout.amd64_layer.substr(7) + ".partial");
  ASSERT_TRUE(std::filesystem::exists(partial));
  const auto had = std::filesystem::file_size(partial);
  EXPECT_GE(had, 1U << 20);
  EXPECT_FALSE(std::filesystem::exists(o.images_dir / "boot.qcow2-1.33-amd64"));

  reset_interrupt();
  progress.interrupt_after = 0;
  r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
  const auto requests = relay.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(requests.back().find("Range: bytes=" + std::to_string(had) + "-"), std::string::npos) << requests.back();
}

TEST_F(BootImageRegistryTest, DiskFullDuringExtractionLeavesNothingBehind)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src", 3 << 20);
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  auto o = options(registry.host() + "/olcne/ock:1.33-amd64");
  // Blobs go to a roomy folder, the extracted disk to a 2 MiB file system.
  o.source_options.blob_dir = dir() / "blobs";
  std::filesystem::create_directories(o.images_dir);
  if (test::run_process_status({ "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", o.images_dir.string() }) != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root)";
  }
  struct Unmount
  {
    std::string path;
    ~Unmount()
    {
      test::run_process_status({ "umount", path });
    }
  } unmount{ o.images_dir.string() };

  auto r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::io);
  EXPECT_EQ(r.error().message(),
            "extracting disk/boot.qcow2 from layer " + layout.amd64_layer.substr(0, 19) + " of " + registry.host() +
              "/olcne/ock:1.33-amd64 (linux/amd64): " + (o.images_dir / "boot.qcow2-1.33-amd64").string() +
              ": no space left on device");
  EXPECT_EQ(cache_files(o), (std::vector<std::string>{ ".locks" }));
}

TEST_F(BootImageRegistryTest, UsesHttpsWhenTheRegistrySpeaksIt)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry", RegistryAuth::none, true);
  registry.push(layout.dir, "1.33", "olcne/ock:1.33");
  auto o = options(registry.host() + "/olcne/ock:1.33");
  // Without the CA the certificate is refused, and ocne does not fall back
  // to plain HTTP for a registry that speaks HTTPS.
  auto r = ensure_boot_image(o, progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);
  EXPECT_TRUE(r.error().message().starts_with(registry.host() + "/olcne/ock:1.33: GET https://" + registry.host() +
                                              "/v2/olcne/ock/manifests/1.33: TLS verification "
                                              "failed: "))
    << r.error().message();
  o.source_options.registry.tls.ca_pem = registry.ca_pem();
  r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
}

TEST_F(BootImageRegistryTest, HonoursTheProxyFromTheEnvironment)
{
  REQUIRE_REGISTRY_TOOLS();
  const auto layout = test::make_test_layout(dir() / "src");
  TestRegistry registry(dir() / "registry");
  registry.push(layout.dir, "1.33-amd64", "olcne/ock:1.33-amd64");
  test::TcpProxy proxy(std::stoi(registry.host().substr(10)));
  // The registry is named by a host that does not resolve: only the proxy
  // can reach it.
  const auto proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ::setenv("http_proxy", proxy_url.c_str(), 1);
  struct Restore
  {
    ~Restore()
    {
      ::unsetenv("http_proxy");
    }
  } restore;
  auto o = options("registry.invalid:5000/olcne/ock:1.33-amd64");
  o.source_options.registry.plain_http = { "registry.invalid:5000" };
  auto r = ensure_boot_image(o, progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(test::same_file_content(r->path, layout.amd64_disk));
  const auto requests = proxy.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_TRUE(requests.front().starts_with("GET http://registry.invalid:5000/v2/olcne/ock/manifests/1.33-amd64 "))
    << requests.front();
}

} // namespace
} // namespace ocne::image
