// `ocne image upload --type oxide` as a user runs it, against the Oxide test
// server (which checks every request against Oxide's OpenAPI document).

#include "pkg/core/process.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace ocne::test {
namespace {

constexpr std::uint64_t k_gib = 1ULL << 30;

class OxideUploadTest : public TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    if (!program_exists("qemu-img") || !program_exists("qemu-io")) {
      GTEST_SKIP() << "qemu-img/qemu-io not installed (package qemu-utils)";
    }
    OxideServerOptions options;
    options.storage_dir = dir();
    m_server = std::make_unique<OxideServer>(options);
    m_server->start();
    std::filesystem::create_directories(dir() / "home");
  }

  void
  TearDown() override
  {
    if (m_server) {
      EXPECT_EQ(m_server->violations(), std::vector<std::string>{});
    }
  }

  std::map<std::string, std::string>
  env() const
  {
    return { { "OXIDE_HOST", m_server->url() },
             { "OXIDE_TOKEN", "oxide-token-test" },
             { "OCNE_OXIDE_UPLOAD_WORKERS", "4" } };
  }

  OcneRun
  upload(const std::string& file,
         const std::string& image = "ocne-1-33",
         std::map<std::string, std::string> extra_env = {},
         std::vector<std::string> extra_args = {})
  {
    auto e = env();
    for (auto& [k, v] : extra_env) {
      e[k] = v;
    }
    std::vector<std::string> args = { "image", "upload",    "--type", "oxide",        "--file",
                                      file,    "--project", "k8s",    "--image-name", image };
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run_ocne(args, dir() / "home", e);
  }

  void
  run(const std::vector<std::string>& argv)
  {
    auto r = run_process(ProcessOptions{ .argv = argv });
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->exit_code, 0) << argv[0] << ": " << r->err;
  }

  // A qcow2 of `size` with data written by qemu-io, and its raw twin.
  std::string
  make_qcow2(const std::string& name, const std::string& size, const std::vector<std::string>& writes)
  {
    const auto path = (dir() / name).string();
    run({ "qemu-img", "create", "-q", "-f", "qcow2", path, size });
    std::vector<std::string> io = { "qemu-io", "-f", "qcow2" };
    for (const auto& w : writes) {
      io.push_back("-c");
      io.push_back(w);
    }
    io.push_back(path);
    run(io);
    run({ "qemu-img", "convert", "-O", "raw", path, path + ".raw" });
    return path;
  }

  std::string
  trimmed(const std::string& s)
  {
    auto out = s;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
      out.pop_back();
    }
    return out;
  }

  // The error ocne ended with: the last line of stderr (progress and info
  // lines come before it). Fails unless it is the only "ocne: error" line.
  std::string
  error_line(const std::string& err)
  {
    EXPECT_TRUE(!err.empty() && err.back() == '\n') << err;
    std::string text = trimmed(err);
    const auto nl = text.rfind('\n');
    const std::string last = nl == std::string::npos ? text : text.substr(nl + 1);
    std::size_t errors = 0;
    for (std::size_t at = err.find("ocne: error:"); at != std::string::npos; at = err.find("ocne: error:", at + 1)) {
      ++errors;
    }
    EXPECT_EQ(errors, 1U) << err;
    return last;
  }

  // Nothing temporary is left on the rack.
  void
  expect_no_leftovers()
  {
    EXPECT_TRUE(m_server->disks().empty());
    EXPECT_TRUE(m_server->snapshot_names().empty());
  }

  std::unique_ptr<OxideServer> m_server;
};

TEST_F(OxideUploadTest, MultiGiBSparseQcow2ThenReuse)
{
  const auto qcow = make_qcow2("node.qcow2",
                               "3G",
                               { "write -P 0x11 0 2M",
                                 "write -P 0x22 1G 300k",
                                 "write -P 0x33 2047M 2M", // across the 2 GiB mark
                                 "write -z 2M 1M",
                                 "write -P 0x44 3071M 1M" });
  auto r = upload(qcow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto images = m_server->images();
  ASSERT_EQ(images.size(), 1U);
  EXPECT_EQ(trimmed(r.out), images[0].id);
  EXPECT_EQ(images[0].size, 3 * k_gib);
  EXPECT_EQ(images[0].version, "1.33");
  // The rack holds exactly the virtual content, zero-padded to 3 GiB.
  EXPECT_EQ(m_server->content_digest("ocne-1-33"), content_digest_of_file(qcow + ".raw", 3 * k_gib));
  EXPECT_NE(images[0].description.find(*m_server->content_digest("ocne-1-33")), std::string::npos);
  // 4 + 1 + 4 + 2 chunks of 512 KiB hold data; the rest was skipped.
  EXPECT_EQ(m_server->count("disk_bulk_write_import"), 11);
  EXPECT_NE(r.err.find("zero chunks skipped"), std::string::npos) << r.err;
  expect_no_leftovers();

  // The same content again: reused, nothing sent.
  r = upload(qcow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trimmed(r.out), images[0].id);
  EXPECT_NE(r.err.find("already holds this content"), std::string::npos) << r.err;
  EXPECT_EQ(m_server->count("disk_bulk_write_import"), 11);
  EXPECT_EQ(m_server->count("disk_create"), 1);
}

TEST_F(OxideUploadTest, RawFile)
{
  const auto qcow = make_qcow2("node.qcow2", "1536M", { "write -P 0x61 0 1M", "write -P 0x62 1500M 64k" });
  auto r = upload(qcow + ".raw", "raw-image");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m_server->content_digest("raw-image"), content_digest_of_file(qcow + ".raw", 2 * k_gib));
  expect_no_leftovers();
}

TEST_F(OxideUploadTest, SurvivesTenPercentFaults)
{
  const auto qcow = make_qcow2("node.qcow2", "1G", { "write -P 0x71 0 8M", "write -P 0x72 600M 4M" });
  m_server->faults().fail_randomly(0.05, oxide_fault(503), "", "/v1/", 3);
  m_server->fail_operation_randomly("disk_bulk_write_import", 0.05, 500, 4);
  auto r = upload(qcow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(m_server->faults().injected() + m_server->operation_faults_injected(), 0);
  EXPECT_EQ(m_server->content_digest("ocne-1-33"), content_digest_of_file(qcow + ".raw", k_gib));
  m_server->faults().clear();
  m_server->clear_operation_faults();
  expect_no_leftovers();
}

// Starts ocne without waiting, output to files; returns the pid.
pid_t
spawn_ocne(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env,
           const std::filesystem::path& out,
           const std::filesystem::path& err)
{
  std::vector<std::string> argv_s = { ocne_binary().string() };
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (const auto& [k, v] : env) {
    env_s.push_back(k + "=" + v);
  }
  for (const char* name : { "PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" }) {
    if (const char* value = std::getenv(name)) {
      env_s.push_back(std::string(name) + "=" + value);
    }
  }
  std::vector<char*> envp;
  for (auto& e : env_s) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

TEST_F(OxideUploadTest, KilledMidImportResumes)
{
  // 64 chunks of data. The first requests are slowed a little, the rest so much
  // that the kill, sent once 20 writes are done, always lands in the middle.
  const auto qcow = make_qcow2("node.qcow2", "2G", { "write -P 0x51 0 16M", "write -P 0x52 1G 16M" });
  Fault slow;
  slow.kind = Fault::Kind::slow;
  slow.delay = std::chrono::milliseconds(40);
  m_server->faults().fail_next(24, slow, "POST", "/v1/disks/");
  slow.delay = std::chrono::seconds(2);
  m_server->faults().fail_randomly(1.0, slow, "POST", "/v1/disks/");
  auto env = this->env();
  env["HOME"] = (dir() / "home").string();
  env["OCNE_HOME"] = (dir() / "home" / ".ocne").string();
  const pid_t pid = spawn_ocne(
    { "image", "upload", "--type", "oxide", "--file", qcow, "--project", "k8s", "--image-name", "ocne-1-33" },
    env,
    dir() / "run1.out",
    dir() / "run1.err");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (m_server->count("disk_bulk_write_import") < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the first run should have been killed mid-import";
  const int written_before = m_server->count("disk_bulk_write_import");
  ASSERT_LT(written_before, 64) << "the kill came too late to test a resume";
  // Killed: the disk is still taking bulk writes, and the journal knows it.
  ASSERT_EQ(m_server->disks().size(), 1U);
  EXPECT_EQ(m_server->disks()[0].state, "importing_from_bulk_writes");
  EXPECT_FALSE(std::filesystem::is_empty(dir() / "home" / ".ocne" / "oxide" / "imports"));

  m_server->faults().clear();
  auto r = upload(qcow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resuming the interrupted upload of " + qcow), std::string::npos) << r.err;
  const int written_after = m_server->count("disk_bulk_write_import") - written_before;
  // Chunks acknowledged before the kill are not sent again (the few in
  // flight when it landed may be).
  EXPECT_LT(written_after, 64 - 10);
  EXPECT_GE(written_after + written_before, 64);
  EXPECT_EQ(m_server->count("disk_create"), 1);
  EXPECT_EQ(m_server->content_digest("ocne-1-33"), content_digest_of_file(qcow + ".raw", 2 * k_gib));
  expect_no_leftovers();
  for (const auto& e : std::filesystem::directory_iterator(dir() / "home" / ".ocne" / "oxide" / "imports")) {
    EXPECT_EQ(e.path().extension(), ".lock") << "journal left behind: " << e.path();
  }
}

TEST_F(OxideUploadTest, NoCredentialsSaysWhereItLooked)
{
  const auto qcow = make_qcow2("node.qcow2", "64M", { "write -P 1 0 64k" });
  auto r = run_ocne({ "image", "upload", "--type", "oxide", "--file", qcow, "--project", "k8s" }, dir() / "home");
  EXPECT_EQ(r.exit_code, 1);
  const auto home = (dir() / "home").string();
  EXPECT_EQ(r.err,
            "ocne: error: no Oxide credentials found: set OXIDE_HOST and OXIDE_TOKEN, or providers.oxide.profile, or "
            "log in with 'oxide auth login' (looked at providers.oxide.host (unset), OXIDE_TOKEN, OXIDE_PROFILE, " +
              home + "/.config/oxide/credentials.toml (not found), " + home +
              "/.config/oxide/config.toml (not found))\n");
  EXPECT_EQ(m_server->count("disk_create"), 0);
}

TEST_F(OxideUploadTest, RefusedToken)
{
  const auto qcow = make_qcow2("node.qcow2", "64M", { "write -P 1 0 64k" });
  auto r = upload(qcow, "ocne-1-33", { { "OXIDE_TOKEN", "oxide-token-wrong" } });
  EXPECT_EQ(r.exit_code, 1);
  const auto line = error_line(r.err);
  EXPECT_EQ(line.rfind("ocne: error: check the Oxide token: credentials missing or invalid (HTTP 401, Unauthorized, "
                       "request id ",
                       0),
            0U)
    << r.err;
  EXPECT_NE(line.find("); the Oxide API at " + m_server->url() +
                      " refused the token (the token came from OXIDE_HOST and OXIDE_TOKEN)"),
            std::string::npos)
    << r.err;
  EXPECT_EQ(r.err.find("oxide-token-wrong"), std::string::npos);
  EXPECT_EQ(m_server->count("disk_create"), 0);
}

TEST_F(OxideUploadTest, MissingProjectAndTakenName)
{
  const auto qcow = make_qcow2("node.qcow2", "64M", { "write -P 1 0 64k" });
  auto r =
    run_ocne({ "image", "upload", "--type", "oxide", "--file", qcow, "--project", "nope" }, dir() / "home", env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(error_line(r.err).rfind("ocne: error: look up project \"nope\": not found: project with name \"nope\" "
                                    "(HTTP 404, ObjectNotFound, request id ",
                                    0),
            0U)
    << r.err;

  ASSERT_EQ(upload(qcow, "taken").exit_code, 0);
  const auto other = make_qcow2("other.qcow2", "64M", { "write -P 2 0 64k" });
  r = upload(other, "taken");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(error_line(r.err),
            "ocne: error: image \"taken\" already exists in project \"k8s\" with different content (id " +
              m_server->images().at(0).id + "); choose another image name or delete that image");
  EXPECT_EQ(m_server->count("disk_create"), 1);
  expect_no_leftovers();
}

// An image ocne built records the Kubernetes version it holds: without
// --version it describes the Oxide image; a contradicting --version or
// --arch is refused before anything reaches the rack.
TEST_F(OxideUploadTest, AnImagesOwnRecordGivesItsVersion)
{
  const auto qcow = make_qcow2("boot.qcow2-1.32-amd64.oxide", "64M", { "write -P 0x61 0 1M" });
  write("boot.qcow2-1.32-amd64.oxide.ocne.json", R"({"platform":"linux/amd64","version":"1.32","type":"oxide"})");
  auto r = upload(qcow, "ocne-1-33", {}, { "--version", "1.33" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(error_line(r.err),
            "ocne: error: --version 1.33: " + qcow +
              " holds Kubernetes 1.32 (ocne's record of it says so); give --version 1.32");
  r = upload(qcow, "ocne-1-32", {}, { "--arch", "arm64" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(error_line(r.err),
            "ocne: error: --arch arm64: " + qcow +
              " was built from a linux/amd64 image (ocne's record of it says so); give --arch amd64");
  EXPECT_TRUE(m_server->operation_counts().empty()) << "nothing was sent to the rack";

  r = upload(qcow, "ocne-1-32");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto images = m_server->images();
  ASSERT_EQ(images.size(), 1U);
  EXPECT_EQ(images[0].version, "1.32");
  EXPECT_NE(images[0].description.find("Kubernetes 1.32"), std::string::npos) << images[0].description;
}

TEST_F(OxideUploadTest, BadFilesFailBeforeAnyDisk)
{
  auto text = write("notes.txt", "not a disk\n");
  auto r = upload(text.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ocne: error: " + text.string() +
              ": not a raw or qcow2 disk image: its size (11 bytes) is not a multiple of 512\n");

  const auto qcow = make_qcow2("node.qcow2", "64M", { "write -P 1 0 8M", "write -P 2 40M 8M" });
  std::filesystem::resize_file(qcow, std::filesystem::file_size(qcow) / 2);
  r = upload(qcow);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("ocne: error: " + qcow + ": corrupt or truncated qcow2 image: ", 0), 0U) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "nothing else is printed: " << r.err;

  r = upload((dir() / "missing.qcow2").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: " + (dir() / "missing.qcow2").string() + ": no such file or directory\n");
  EXPECT_EQ(m_server->count("disk_create"), 0);
  EXPECT_TRUE(m_server->operation_counts().empty()) << "nothing was sent to the rack";
}

} // namespace
} // namespace ocne::test
