// `ocne cluster template` as a user runs it: the README's quick start works
// offline, output matches the golden files, -o writes atomically, errors are
// one line, and credentials never reach stdout or stderr.

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

namespace stdfs = std::filesystem;

std::string
golden(const std::string& name)
{
  auto text = fs::read_file(fixture_path("templates") / (name + ".expected.yaml"));
  EXPECT_TRUE(text) << text.error().message();
  return text ? *text : std::string();
}

class ClusterTemplateCli : public TempDirTest
{
protected:
  OcneRun
  run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
  {
    return run_ocne(args, dir(), env, {}, dir());
  }
};

TEST_F(ClusterTemplateCli, QuickStartRendersOfflineAndSaysWhatIsMissing)
{
  const auto r = run({ "cluster", "template", "-c", (source_dir() / "examples" / "oci.yaml").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, golden("example-oci"));
  EXPECT_NE(r.err.find("placeholder ${OCI_COMPARTMENT_ID}: the OCID of compartment 'projects/k8s' is not known (no "
                       "usable OCI credentials: "),
            std::string::npos)
    << r.err;
  EXPECT_NE(r.err.find("placeholder ${OCI_IMAGE_ID_ARM64}: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("placeholder ${OCI_IMAGE_ID_AMD64}: "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
}

TEST_F(ClusterTemplateCli, ProviderComesFromTheFlagThenTheFileThenOci)
{
  auto r = run({ "cluster", "template", "-c", (source_dir() / "examples" / "oxide.yaml").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, golden("example-oxide"));

  r = run({ "cluster", "template" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, golden("oci-defaults"));

  const auto f = write("c.yaml", "provider: libvirt\nproviders:\n  oxide:\n    project: k8s\n");
  r = run({ "cluster", "template", "-c", f.string(), "-P", "oxide" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kind: OxideCluster\n"), std::string::npos);

  r = run({ "cluster", "template", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ocne: error: templates not implemented for provider libvirt (use oci or oxide)\n");
}

TEST_F(ClusterTemplateCli, OutputFileIsWrittenAtomically)
{
  const auto cluster = fixture_path("templates/oxide-single.cluster.yaml").string();
  write("out/cluster.yaml", "old content\n");
  auto r = run({ "cluster", "template", "-c", cluster, "-o", "out/cluster.yaml" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(fs::read_file(dir() / "out" / "cluster.yaml").value(), golden("oxide-single"));
  // No temporary files are left next to it.
  EXPECT_EQ(std::distance(stdfs::directory_iterator(dir() / "out"), stdfs::directory_iterator()), 1);

  r = run({ "cluster", "template", "-c", cluster, "-o", "missing/cluster.yaml" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ocne: error: --output missing/cluster.yaml: "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(stdfs::exists(dir() / "missing"));
}

// Interrupted for real: with a 64-byte file size limit the kernel stops the
// write part way (SIGXFSZ, or EFBIG when it is ignored); the old file must
// be whole, since the output goes to a temporary file renamed over it.
TEST_F(ClusterTemplateCli, InterruptedOutputWriteLeavesTheOldFileWhole)
{
  const std::filesystem::path prlimit = "/usr/bin/prlimit";
  if (!stdfs::exists(prlimit)) {
    GTEST_SKIP() << "/usr/bin/prlimit (util-linux) is absent: cannot limit the file size";
  }
  const auto cluster = fixture_path("templates/oxide-single.cluster.yaml").string();
  ASSERT_GT(golden("oxide-single").size(), 64u);
  write("out/cluster.yaml", "old content\n");
  const auto r = run_ocne_wrapped({ prlimit.string(), "--fsize=64", "--" },
                                  { "cluster", "template", "-c", cluster, "-o", (dir() / "out/cluster.yaml").string() },
                                  dir());
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::read_file(dir() / "out" / "cluster.yaml").value(), "old content\n");
}

// The Oxide image UUID is looked up by name when credentials are there,
// against the Oxide test server (which holds every call to Oxide's OpenAPI
// document); the token never reaches stdout or stderr.
TEST_F(ClusterTemplateCli, OxideImageIsLookedUpByNameAndCredentialsNeverReachTheOutput)
{
  OCNE_REQUIRE_SHARED();
  if (!program_exists("qemu-img")) {
    GTEST_SKIP() << "qemu-img not installed (package qemu-utils)";
  }
  const std::string token = "oxide-token-SECRET-4711";
  OxideServerOptions options;
  options.storage_dir = dir();
  options.token = token;
  OxideServer server(options);
  server.start();
  const std::map<std::string, std::string> env = { { "OXIDE_HOST", server.url() }, { "OXIDE_TOKEN", token } };
  const auto f = write("c.yaml", "provider: oxide\nname: demo\nproviders:\n  oxide:\n    project: k8s\n");

  // No such image yet: a placeholder, and stderr says what is missing where.
  auto r = run({ "cluster", "template", "-c", f.string() }, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(token), std::string::npos);
  EXPECT_EQ(r.err.find(token), std::string::npos);
  EXPECT_NE(r.out.find("credentialsRef:\n    name: demo-oxide-credentials\n"), std::string::npos);
  EXPECT_NE(r.err.find("placeholder ${OXIDE_IMAGE_ID}: the UUID of image 'ocne-1-33' (providers.oxide.imageName) is "
                       "not known (no image named ocne-1-33 in Oxide project k8s at " +
                       server.url()),
            std::string::npos)
    << r.err;

  // Upload one under that name; the template then carries its UUID.
  const auto disk = dir() / "boot.qcow2";
  ASSERT_TRUE(
    run_process(ProcessOptions{ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", disk.string(), "1G" } }));
  r = run(
    { "image", "upload", "--type", "oxide", "--file", disk.string(), "--project", "k8s", "--image-name", "ocne-1-33" },
    env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto images = server.images();
  ASSERT_EQ(images.size(), 1U);
  r = run({ "cluster", "template", "-c", f.string() }, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The renderer quotes a UUID that could read as a number ("647f99ec-...").
  const bool plain = r.out.find("imageID: " + images[0].id + "\n") != std::string::npos;
  const bool quoted = r.out.find("imageID: \"" + images[0].id + "\"\n") != std::string::npos;
  EXPECT_TRUE(plain || quoted) << r.out;
  EXPECT_EQ(r.out.find("${OXIDE_IMAGE_ID}"), std::string::npos);
  EXPECT_EQ(r.err.find("placeholder"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(token), std::string::npos);
  EXPECT_EQ(r.err.find(token), std::string::npos);

  // A refused token stops rendering with one line, without the token.
  r = run({ "cluster", "template", "-c", f.string() },
          { { "OXIDE_HOST", server.url() }, { "OXIDE_TOKEN", "wrong-SECRET-0815" } });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("ocne: error: ", 0), 0U) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.find("wrong-SECRET-0815"), std::string::npos) << r.err;
  EXPECT_TRUE(server.violations().empty());
}

TEST_F(ClusterTemplateCli, BadTemplatesNameTheFileAndLine)
{
  write("mine.yaml", "name: ${CLUSTER_NAME}\nbroken: ${OOPS\n");
  const auto f = write("c.yaml", "provider: oci\nproviders:\n  oci:\n    template: mine.yaml\n");
  const auto r = run({ "cluster", "template", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "ocne: error: " + (dir() / "mine.yaml").string() +
              ":2: malformed variable reference \"${OOPS\": no closing '}' on this line\n");
}

TEST_F(ClusterTemplateCli, BadExtraIgnitionIsOneLine)
{
  write("extra.ign", "{\"ignition\": {\"version\": \"3.4.0\"},}");
  const auto f = write("c.yaml", "provider: oci\nextraIgnition: extra.ign\n");
  const auto r = run({ "cluster", "template", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ocne: error: extraIgnition " + (dir() / "extra.ign").string() +
              ": not valid JSON at byte 35: syntax error while parsing object key - unexpected '}'; expected "
              "string literal\n");
}

} // namespace
} // namespace ocne::test
