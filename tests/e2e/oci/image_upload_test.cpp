// `ocne image upload --type oci` end to end against the OCI test server: a
// multi-GiB sparse image, killed mid-upload and resumed under injected
// faults, imported, then found and reused by a later run; and bad input
// refused in one line with nothing left behind.

#include "tests/servers/oci/file_md5.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oci/test_keys.hpp"
#include "tests/support/child.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace ocne::test {
namespace {

using oci::OciTestServer;
using ::ocne::test::Fault;

constexpr std::uint64_t k_mib = 1ULL << 20;

std::string
read_text(const std::filesystem::path& p)
{
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class OciImageUploadTest : public TempDirTest
{
protected:
  void
  SetUp() override
  {
    oci::ServerOptions so;
    so.storage_dir = dir() / "server";
    so.import_duration = std::chrono::milliseconds(1500);
    so.page_size = 3;
    server = std::make_unique<OciTestServer>(so);
    const auto& key = oci::shared_test_key();
    server->add_api_key(so.tenancy + "/" + k_user + "/" + key.fingerprint, key.public_pem);
    const auto dev = server->add_compartment(so.tenancy, "dev");
    server->add_compartment(so.tenancy, "prod");
    compartment = server->add_compartment(dev, "ocne");
    server->start();

    home = dir() / "home";
    write("home/.oci/key.pem", key.private_pem, 0600);
    write_oci_config(key.fingerprint, "us-ashburn-1");
  }

  void
  write_oci_config(const std::string& fingerprint, const std::string& region, const std::string& extra = "")
  {
    write("home/.oci/config",
          "[DEFAULT]\nuser=" + k_user + "\nfingerprint=" + fingerprint + "\ntenancy=" + server->options().tenancy +
            "\nregion=" + region + "\nkey_file=~/.oci/key.pem\n" + extra,
          0600);
  }

  std::map<std::string, std::string>
  env(bool endpoint = true) const
  {
    std::map<std::string, std::string> e = { { "OCNE_OCI_PART_SIZE_MIB", "64" }, { "OCNE_OCI_PARALLEL_UPLOADS", "4" } };
    if (endpoint) {
      e["OCNE_OCI_ENDPOINT"] = server->url();
    }
    return e;
  }

  // The environment run_ocne gives ocne, for runs the test drives itself.
  std::map<std::string, std::string>
  child_env() const
  {
    std::map<std::string, std::string> vars = env();
    vars["HOME"] = home.string();
    vars["OCNE_HOME"] = (home / ".ocne").string();
    vars["PATH"] = std::getenv("PATH");
    for (const char* name : { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" }) {
      if (const char* v = std::getenv(name)) {
        vars[name] = v;
      }
    }
    return vars;
  }

  std::vector<std::string>
  upload_args(const std::string& file,
              const std::vector<std::string>& extra = {},
              const std::string& compartment_path = "dev/ocne",
              const std::string& arch = "amd64") const
  {
    std::vector<std::string> a = { "image",         "upload",         "--type", "oci", "--file",    file,
                                   "--compartment", compartment_path, "--arch", arch,  "--version", "1.33" };
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // A sparse QCOW2-looking file with a distinct stamp every 32 MiB.
  std::string
  image_file(const std::string& name, std::uint64_t size)
  {
    const auto path = (dir() / name).string();
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    const std::string magic("QFI\xfb\0\0\0\3", 8);
    EXPECT_EQ(::pwrite(fd, magic.data(), magic.size(), 0), 8);
    for (std::uint64_t off = 32 * k_mib; off < size; off += 32 * k_mib) {
      const auto stamp = "stamp@" + std::to_string(off);
      EXPECT_EQ(::pwrite(fd, stamp.data(), stamp.size(), static_cast<off_t>(off)), static_cast<ssize_t>(stamp.size()));
    }
    ::close(fd);
    return path;
  }

  const std::string k_user = "ocid1.user.oc1..aaaaaaaaocnetestuser";
  std::unique_ptr<OciTestServer> server;
  std::string compartment;
  std::filesystem::path home;
};

TEST_F(OciImageUploadTest, KilledUploadResumesUnderFaultsImportsAndIsReused)
{
  // 2 GiB + 100 MiB + 123 bytes: offsets past 2^31, an odd last part.
  const std::uint64_t size = (2048 + 100) * k_mib + 123;
  const auto file = image_file("boot.qcow2-1.33-amd64.oci", size);
  const std::string object = "ocne_boot.qcow2-1.33-amd64.oci";
  const int parts = static_cast<int>((size + 64 * k_mib - 1) / (64 * k_mib));

  // Run 1: slowed down so it can be killed mid-way with SIGKILL (no cleanup).
  server->upload_faults().fail_randomly(
    1.0, Fault{ .kind = Fault::Kind::slow, .delay = std::chrono::milliseconds(150) }, "PUT");
  {
    const auto vars = child_env();
    std::vector<std::string> argv = { ocne_binary().string() };
    const auto args = upload_args(file);
    argv.insert(argv.end(), args.begin(), args.end());
    Child child(argv, vars, dir() / "run1.out", dir() / "run1.err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (server->uploaded_parts().size() < 6 && std::chrono::steady_clock::now() < deadline && child.running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    child.kill(SIGKILL);
    EXPECT_EQ(child.wait(), -SIGKILL) << read_text(dir() / "run1.err");
  }
  // Taken and cleared at once: a part whose body was already sent when the
  // child died may still be recorded; it then counts among run 2's.
  const auto before = server->take_uploaded_parts();
  ASSERT_GE(before.size(), 6u) << read_text(dir() / "run1.err");
  ASSERT_LT(static_cast<int>(before.size()), parts);
  ASSERT_EQ(server->multipart_uploads("ocne-images").size(), 1u);
  EXPECT_FALSE(server->object("ocne-images", object));
  EXPECT_TRUE(server->images().empty());

  // Run 2: about 10% of part requests fail (503 with Retry-After, or the
  // connection reset mid-body); it resumes, sends only what is missing, and
  // imports.
  server->upload_faults().clear();
  server->upload_faults().fail_randomly(
    0.05, Fault{ .kind = Fault::Kind::status, .status = 503, .retry_after = 1 }, "PUT", "/n/", 3);
  server->upload_faults().fail_randomly(0.05, Fault{ .kind = Fault::Kind::drop_mid_body }, "PUT", "/n/", 5);
  const auto run2 = run_ocne(upload_args(file), home, env());
  ASSERT_EQ(run2.exit_code, 0) << run2.err;
  EXPECT_GT(server->upload_faults().injected(), 0);
  EXPECT_NE(run2.err.find("Resuming upload"), std::string::npos) << run2.err;
  const auto after = server->uploaded_parts();
  const std::set<int> first(before.begin(), before.end());
  std::set<int> all(first);
  for (const int p : after) {
    EXPECT_EQ(first.count(p), 0u) << "part " << p << " was sent again";
    all.insert(p);
  }
  EXPECT_EQ(static_cast<int>(all.size()), parts);
  EXPECT_EQ(*all.rbegin(), parts);

  const auto obj = server->object("ocne-images", object);
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->size, size);
  EXPECT_EQ(obj->part_count, parts);
  EXPECT_EQ(server->object_content_md5("ocne-images", object), oci::file_md5_hex(file));
  EXPECT_TRUE(server->multipart_uploads("ocne-images").empty());

  const auto images = server->images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].lifecycle_state, "AVAILABLE");
  EXPECT_EQ(images[0].compartment_id, compartment);
  EXPECT_EQ(images[0].freeform_tags.at("ocne/kubernetes"), "1.33");
  EXPECT_EQ(images[0].freeform_tags.at("ocne/architecture"), "amd64");
  EXPECT_EQ(nlohmann::json::parse(images[0].capability_schema_json)["Compute.Firmware"]["defaultValue"], "UEFI_64");
  EXPECT_EQ(run2.out, images[0].id + "\n");
  EXPECT_NE(run2.err.find("Image OCID is " + images[0].id), std::string::npos);

  // Run 3: the image exists; nothing is uploaded or imported again.
  server->upload_faults().clear();
  server->reset_counters();
  const auto run3 = run_ocne(upload_args(file), home, env());
  ASSERT_EQ(run3.exit_code, 0) << run3.err;
  EXPECT_EQ(run3.out, images[0].id + "\n");
  EXPECT_NE(run3.err.find("already exists; reusing it"), std::string::npos) << run3.err;
  for (const auto* op : { "UploadPart", "PutObject", "CreateMultipartUpload", "CreateImage", "HeadObject" }) {
    EXPECT_EQ(server->count(op), 0) << op;
  }
  EXPECT_EQ(server->images().size(), 1u);
}

// A small arm64 image through a named session-token profile whose key is
// encrypted, at debug log level: one PutObject, the Arm shapes only, and no
// secret (pass phrase, token, key, signature) in anything ocne prints.
TEST_F(OciImageUploadTest, SmallArmImageThroughSessionProfileKeepsSecretsOut)
{
  OCNE_REQUIRE_SHARED();
  const auto signing = shared_path("testdata/oci-signing");
  const std::string token = "session-token-7f3a9c-do-not-print";
  const std::string pass = "oci-test-passphrase";
  server->add_session_token(token, read_text(signing / "sample_key_public.pem"));
  const auto enc_key = read_text(signing / "sample_key_pkcs8_aes256_encrypted.pem");
  write("home/.oci/enc.pem", enc_key, 0600);
  write("home/.oci/token", token + "\n", 0600);
  write_oci_config(oci::shared_test_key().fingerprint,
                   "us-ashburn-1",
                   "\n[session]\nfingerprint=73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7\nkey_file=~/.oci/enc.pem\n"
                   "pass_phrase=" +
                     pass + "\nsecurity_token_file=~/.oci/token\nregion=iad\n");

  const auto file = image_file("boot-arm.qcow2", 3 * k_mib + 7);
  std::vector<std::string> args = { "--log-level", "debug" };
  const auto upload = upload_args(file, { "--profile", "session", "--bucket", "arm-images" }, "dev/ocne", "arm64");
  args.insert(args.end(), upload.begin(), upload.end());
  const auto r = run_ocne(args, home, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  EXPECT_EQ(server->count("PutObject"), 1);
  EXPECT_EQ(server->count("CreateMultipartUpload"), 0);
  const auto obj = server->object("arm-images", "ocne_boot-arm.qcow2");
  ASSERT_TRUE(obj);
  EXPECT_EQ(server->object_content_md5("arm-images", "ocne_boot-arm.qcow2"), oci::file_md5_hex(file));
  const auto images = server->images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(r.out, images[0].id + "\n");
  EXPECT_EQ(images[0].freeform_tags.at("ocne/architecture"), "arm64");
  EXPECT_EQ(std::set<std::string>(images[0].shapes.begin(), images[0].shapes.end()),
            (std::set<std::string>{ "VM.Standard.A1.Flex", "VM.Standard.A2.Flex", "BM.Standard.A1.160" }));
  EXPECT_EQ(nlohmann::json::parse(images[0].capability_schema_json)["Compute.LaunchMode"]["defaultValue"],
            "PARAVIRTUALIZED");
  // Plain progress lines (stderr is not a terminal) and debug request logs.
  EXPECT_NE(r.err.find("Importing compute image"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("opc-request-id"), std::string::npos) << r.err;

  const auto all = r.out + r.err;
  std::vector<std::string> secrets = { pass, token, "signature=", "Signature version" };
  std::istringstream pem(enc_key + oci::shared_test_key().private_pem);
  for (std::string line; std::getline(pem, line);) {
    if (line.size() > 40 && line.find("-----") == std::string::npos) {
      secrets.push_back(line);
    }
  }
  for (const auto& secret : secrets) {
    EXPECT_EQ(all.find(secret), std::string::npos) << "'" << secret << "' was printed:\n" << all;
  }
}

// An image ocne built carries a record of what it is (<file>.ocne.json):
// without --arch and --version, the upload takes them from it.
TEST_F(OciImageUploadTest, AnImagesOwnRecordGivesItsArchitectureAndVersion)
{
  const auto file = image_file("boot.qcow2-1.32-arm64.oci", 2 * k_mib);
  write("boot.qcow2-1.32-arm64.oci.ocne.json", R"({"platform":"linux/arm64","version":"1.32","type":"oci"})");
  const auto r =
    run_ocne({ "image", "upload", "--type", "oci", "--file", file, "--compartment", "dev/ocne" }, home, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto images = server->images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].freeform_tags.at("ocne/architecture"), "arm64");
  EXPECT_EQ(images[0].freeform_tags.at("ocne/kubernetes"), "1.32");
  EXPECT_NE(r.err.find(file + " is an image for arm64 (from " + file + ".ocne.json)"), std::string::npos) << r.err;
}

// On a terminal, the upload and the import are drawn as progress bars that
// reach 100%; stdout still carries only the OCID.
TEST_F(OciImageUploadTest, ProgressBarsOnATerminal)
{
  const auto file = image_file("boot-tty.qcow2", 150 * k_mib);
  std::vector<std::string> argv = { ocne_binary().string() };
  const auto args = upload_args(file);
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_with_stderr_tty(argv, child_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto images = server->images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(r.out, images[0].id + "\n");
  EXPECT_EQ(server->count("UploadPart"), 3);
  EXPECT_NE(r.err.find("Uploading ocne_boot-tty.qcow2 (150.0 MiB) ["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Importing compute image ["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[" + std::string(30, '#') + "] 100%"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\x1b[1A\x1b[2K"), std::string::npos) << "bars are redrawn in place";
}

// `ocne cluster template` with a usable profile resolves what ocne resolves:
// the compartment path (every page of every level) and the newest ocne image
// per architecture by its tags. Nothing is left as a placeholder, and a path
// that does not exist is an error naming the level.
TEST_F(OciImageUploadTest, ClusterTemplateResolvesTheCompartmentAndImagesByTag)
{
  const auto now = std::chrono::system_clock::now();
  const auto ocne_dir = server->add_compartment(server->options().tenancy, "k8s");
  const auto old_arm = server->add_image(
    ocne_dir, "ock", { { "ocne/kubernetes", "1.33" }, { "ocne/architecture", "arm64" } }, now - std::chrono::hours(48));
  const auto arm = server->add_image(
    ocne_dir, "ock", { { "ocne/kubernetes", "1.33" }, { "ocne/architecture", "arm64" } }, now - std::chrono::hours(1));
  const auto amd = server->add_image(
    ocne_dir, "ock", { { "ocne/kubernetes", "1.33" }, { "ocne/architecture", "amd64" } }, now - std::chrono::hours(2));
  server->add_image(ocne_dir, "ock", { { "ocne/kubernetes", "1.32" }, { "ocne/architecture", "amd64" } }, now);
  write("cluster.yaml",
        "name: demo\nprovider: oci\nproviders:\n  oci:\n    compartment: k8s\n"
        "    controlPlaneShape:\n      shape: VM.Standard.A1.Flex\n      ocpus: 2\n"
        "    workerShape:\n      shape: VM.Standard.E4.Flex\n      ocpus: 2\n");
  auto r = run_ocne({ "cluster", "template", "-c", (dir() / "cluster.yaml").string() }, home, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("placeholder"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("compartmentId: " + ocne_dir + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imageId: " + arm + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imageId: " + amd + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(old_arm), std::string::npos);
  EXPECT_EQ(r.out.find("${"), std::string::npos);

  write("missing.yaml", "name: demo\nprovider: oci\nproviders:\n  oci:\n    compartment: dev/nope\n");
  r = run_ocne({ "cluster", "template", "-c", (dir() / "missing.yaml").string() }, home, env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

// Each bad input: exit 1, one "ocne: error:" line, nothing created.
class OciBadInputTest : public OciImageUploadTest
{
protected:
  void
  expect_refused(const OcneRun& r, const std::string& message)
  {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "");
    const auto at = r.err.find("ocne: error: ");
    ASSERT_NE(at, std::string::npos) << r.err;
    const auto line = r.err.substr(at + 13, r.err.find('\n', at) - at - 13);
    EXPECT_EQ(line, message);
    EXPECT_TRUE(server->bucket_names().empty());
    EXPECT_TRUE(server->images().empty());
    EXPECT_EQ(server->count("CreateMultipartUpload") + server->count("PutObject"), 0);
  }
};

TEST_F(OciBadInputTest, EachProblemIsOneClearLine)
{
  const auto file = image_file("boot.qcow2", 2 * k_mib);
  const auto key = (home / ".oci" / "key.pem").string();

  expect_refused(run_ocne(upload_args(file, { "--bucket", "no/slashes" }), home, env()),
                 "bucket name 'no/slashes' is invalid: use only letters, digits, '-', '_' and '.'");
  expect_refused(run_ocne(upload_args(file, {}, "dev/nope"), home, env()),
                 "compartment path 'dev/nope': 'dev' has no active compartment named 'nope'");
  const auto text = write("notes.txt", "not an image").string();
  expect_refused(run_ocne(upload_args(text), home, env()),
                 text + " is not a QCOW2 image or an OCI export (.oci: a gzipped tar of output.QCOW2 and "
                        "image_metadata.json): unknown content");
  auto r = run_ocne({ "image", "upload", "--file", file }, home, env());
  expect_refused(r, "--arch is required for --type oci: use amd64 or arm64");

  // Flags that contradict the record ocne wrote when it built the file.
  const auto built = image_file("boot.qcow2-1.33-amd64.oci", 2 * k_mib);
  write("boot.qcow2-1.33-amd64.oci.ocne.json", R"({"platform":"linux/amd64","version":"1.33"})");
  expect_refused(run_ocne(upload_args(built, {}, "dev/ocne", "arm64"), home, env()),
                 "--arch arm64: " + built +
                   " was built from a linux/amd64 image (ocne's record of it says so); give "
                   "--arch amd64");
  auto args = upload_args(built);
  args[args.size() - 1] = "1.32";
  expect_refused(run_ocne(args, home, env()),
                 "--version 1.32: " + built +
                   " holds Kubernetes 1.33 (ocne's record of it says so); give --version 1.33");

  // Unknown region (no endpoint override, so the region matters).
  write_oci_config(oci::shared_test_key().fingerprint, "mars-north-1");
  expect_refused(run_ocne(upload_args(file), home, env(false)),
                 (home / ".oci" / "config").string() +
                   ":5: unknown OCI region 'mars-north-1': not a known region name or short code (a newer region "
                   "can be added to ~/.oci/regions-config.json or OCI_REGION_METADATA)");

  // A fingerprint that is not the key's: the 401 says which and what to fix.
  const std::string wrong = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";
  write_oci_config(wrong, "us-ashburn-1");
  r = run_ocne(upload_args(file), home, env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HTTP 401 NotAuthenticated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the configured fingerprint " + wrong + " does not match key file " + key +
                       " (its fingerprint is " + oci::shared_test_key().fingerprint +
                       "): fix fingerprint or key_file in the OCI config\n"),
            std::string::npos)
    << r.err;

  // A missing key file, then an encrypted key with the wrong pass phrase.
  write_oci_config(oci::shared_test_key().fingerprint, "us-ashburn-1");
  std::filesystem::rename(key, key + ".moved");
  expect_refused(run_ocne(upload_args(file), home, env()), key + ": no such file or directory");
  std::filesystem::rename(key + ".moved", key);
  if (const auto shared = shared_dir()) {
    const auto enc = *shared / "testdata" / "oci-signing" / "sample_key_pkcs8_aes256_encrypted.pem";
    write("home/.oci/enc.pem", read_text(enc), 0600);
    write("home/.oci/config",
          "[DEFAULT]\nuser=" + k_user + "\nfingerprint=73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7\ntenancy=" +
            server->options().tenancy + "\nregion=iad\nkey_file=~/.oci/enc.pem\npass_phrase=not-it\n",
          0600);
    r = run_ocne({ "--log-level",
                   "trace",
                   "image",
                   "upload",
                   "--type",
                   "oci",
                   "--file",
                   file,
                   "--compartment",
                   "dev/ocne",
                   "--arch",
                   "amd64" },
                 home,
                 env());
    expect_refused(r, "cannot decrypt key file " + (home / ".oci" / "enc.pem").string() + ": wrong pass phrase");
    EXPECT_EQ((r.out + r.err).find("not-it"), std::string::npos) << r.err;
  }
}

} // namespace
} // namespace ocne::test
