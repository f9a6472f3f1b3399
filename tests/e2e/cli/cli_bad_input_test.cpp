// Each class of bad input gets one clear line naming the file and line or the
// flag, exit code 1, and no state is written.

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace ocne::test {
namespace {

class CliBadInputTest : public TempDirTest
{
protected:
  // Runs `cluster template` (the command that loads config and needs no
  // cloud) and checks that nothing was written to the state folder.
  OcneRun
  run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
  {
    auto r = run_ocne(args, dir(), env);
    EXPECT_FALSE(std::filesystem::exists(dir() / ".ocne" / "clusters.yaml")) << "state was written";
    return r;
  }
};

TEST_F(CliBadInputTest, MissingClusterFile)
{
  const auto r = run({ "cluster", "start", "-c", "nope.yaml" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: nope.yaml: no such file or directory\n");
}

TEST_F(CliBadInputTest, UnreadableClusterFile)
{
  const auto f = write("c.yaml", "name: a\n", 0000);
  OcneRun r;
  if (::geteuid() == 0) {
    // root reads files whatever their mode: run ocne as root without the
    // capabilities that bypass file modes, so the permission check is real.
    const std::filesystem::path setpriv = "/usr/bin/setpriv";
    if (!std::filesystem::exists(setpriv)) {
      GTEST_SKIP() << "running as root and /usr/bin/setpriv (util-linux) is absent: cannot drop CAP_DAC_OVERRIDE";
    }
    r = run_ocne_wrapped({ setpriv.string(), "--bounding-set=-dac_override,-dac_read_search", "--" },
                         { "cluster", "start", "-c", f.string() },
                         dir());
    EXPECT_FALSE(std::filesystem::exists(dir() / ".ocne" / "clusters.yaml")) << "state was written";
  } else {
    r = run({ "cluster", "start", "-c", f.string() });
  }
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: " + f.string() + ": permission denied\n");
}

TEST_F(CliBadInputTest, ClusterFileThatIsAFolder)
{
  const auto r = run({ "cluster", "start", "-c", dir().string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: " + dir().string() + ": is a directory, not a file\n");
}

TEST_F(CliBadInputTest, MalformedClusterFile)
{
  const auto f = write("capi.yaml", "name: demo\nproviders:\n  oci: {compartment: [x\n");
  const auto r = run({ "cluster", "start", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  // yaml-cpp reports an unclosed list where the file ends.
  EXPECT_EQ(r.err, "ocne: error: " + f.string() + ":4: end of sequence flow not found\n");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(CliBadInputTest, MalformedDefaultsFile)
{
  write(".ocne/defaults.yaml", "kubernetesVersion: 1.32\nworkerNodes: 3\n");
  const auto r = run({ "cluster", "start" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ocne: error: " + (dir() / ".ocne/defaults.yaml").string() +
              ":2: 'workerNodes' belongs in a cluster file, not in the defaults file\n");
}

TEST_F(CliBadInputTest, OddControlPlaneForOci)
{
  const auto f = write("capi.yaml", "provider: oci\ncontrolPlaneNodes: 2\n");
  auto r = run({ "cluster", "template", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ocne: error: " + f.string() +
              ":2: controlPlaneNodes must be odd for the oci provider so etcd keeps a majority, got 2\n");
  r = run({ "cluster", "start", "-P", "oci", "-n", "2" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
    r.err.find("ocne: error: --control-plane-nodes must be odd for the oci provider so etcd keeps a majority, got 2\n"),
    std::string::npos)
    << r.err;
}

TEST_F(CliBadInputTest, NegativeWorkers)
{
  auto r = run({ "cluster", "start", "-w", "-1" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: --worker-nodes must be between 0 and 65535, got -1\n");
  const auto f = write("capi.yaml", "workerNodes: -2\n");
  r = run({ "cluster", "start", "-c", f.string() });
  EXPECT_EQ(r.err, "ocne: error: " + f.string() + ":1: workerNodes must be between 0 and 65535, got -2\n");
}

TEST_F(CliBadInputTest, MalformedCidr)
{
  const auto f = write("capi.yaml", "podSubnet: 10.244.0.0\n");
  const auto r = run({ "cluster", "start", "-c", f.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ocne: error: " + f.string() +
              ":1: podSubnet is invalid: '10.244.0.0' is not a CIDR (expected address/prefix, e.g. 10.244.0.0/16)\n");
}

TEST_F(CliBadInputTest, UnknownProvider)
{
  const auto r = run({ "cluster", "start", "-P", "aws" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: --provider 'aws' is not supported (supported: libvirt, oci, oxide)\n");
}

TEST_F(CliBadInputTest, SeveralProblemsAreAllListed)
{
  const auto f = write("capi.yaml", "podSubnet: x\nserviceSubnet: y\n");
  const auto r = run({ "cluster", "start", "-c", f.string(), "-w", "lots" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: --worker-nodes must be an integer, got 'lots'\n");
  const auto r2 = run({ "cluster", "start", "-c", f.string() });
  EXPECT_EQ(std::count(r2.err.begin(), r2.err.end(), '\n'), 2) << r2.err;
}

TEST_F(CliBadInputTest, UnknownKeysWarnWithFileAndLine)
{
  const auto f = write("capi.yaml", "provider: oci\nworkerNodez: 1\n");
  const auto r = run({ "cluster", "template", "-c", f.string() });
  EXPECT_NE(r.err.find("WARN["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f.string() + ":2: unknown key 'workerNodez' is ignored (did you mean 'workerNodes'?)"),
            std::string::npos)
    << r.err;
}

TEST_F(CliBadInputTest, MissingOcneDefaultsFile)
{
  const auto r = run({ "cluster", "start" }, { { "OCNE_DEFAULTS", (dir() / "none.yaml").string() } });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
    r.err, "ocne: error: " + (dir() / "none.yaml").string() + ": no such file or directory (named by OCNE_DEFAULTS)\n");
}

TEST_F(CliBadInputTest, JsonLogs)
{
  const auto f = write("capi.yaml", "provider: oci\nbogus: 1\n");
  const auto r = run({ "--log-format", "json", "cluster", "template", "-c", f.string() });
  EXPECT_NE(r.err.find(R"("level":"warn","msg":")"), std::string::npos) << r.err;
}

} // namespace
} // namespace ocne::test
