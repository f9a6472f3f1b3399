// -k/--kubeconfig is accepted by every command, as Oracle's ocne accepts it
// (cmd/ocne/kubeconfig_option.cpp): never a usage error, and given to a
// group it reaches the command that follows.

#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace ocne::test {
namespace {

namespace fs = std::filesystem;

class CliKubeconfigTest : public TempDirTest
{};

// Every command, from the man pages the build wrote (one per command).
std::vector<std::vector<std::string>>
every_command()
{
  std::vector<std::vector<std::string>> commands;
  for (const auto& entry : fs::directory_iterator(binary_dir() / "man")) {
    if (entry.path().extension() == ".1") {
      auto words = str::split(entry.path().stem().string(), '-');
      words.erase(words.begin()); // "ocne"
      commands.push_back(words);
    }
  }
  return commands;
}

TEST_F(CliKubeconfigTest, EveryCommandListsIt)
{
  const auto commands = every_command();
  ASSERT_GE(commands.size(), 12U);
  for (const auto& command : commands) {
    auto args = command;
    args.push_back("--help");
    const auto r = run_ocne(args, dir());
    ASSERT_EQ(r.exit_code, 0) << str::join(command, " ") << r.err;
    EXPECT_NE(r.out.find("-k,--kubeconfig"), std::string::npos) << "ocne " << str::join(command, " ") << ":\n" << r.out;
  }
}

// The commands of the issue, and the others that need no cluster: accepted,
// the command runs as without it.
TEST_F(CliKubeconfigTest, CommandsThatNeedNoClusterAcceptAndIgnoreIt)
{
  const std::string f = write("kubeconfig", "not read\n").string();
  for (const auto& args : std::vector<std::vector<std::string>>{ { "cluster", "list", "-k", f },
                                                                 { "cluster", "ls", "--kubeconfig", f, "-o", "json" },
                                                                 { "cluster", "-k", f, "list" },
                                                                 { "-k", f, "cluster", "list" },
                                                                 { "cluster", "-k", f },
                                                                 { "completion", "bash", "-k", f } }) {
    const auto r = run_ocne(args, dir());
    EXPECT_EQ(r.exit_code, 0) << str::join(args, " ") << ": " << r.err;
    EXPECT_EQ(r.err, "") << str::join(args, " ");
  }
  // These fail for their own reasons, never as usage errors.
  const auto show = run_ocne({ "cluster", "show", "-k", f, "-C", "nope" }, dir());
  EXPECT_EQ(show.exit_code, 1) << show.err;
  EXPECT_NE(show.err.find("cluster 'nope' does not exist"), std::string::npos) << show.err;
  const auto info = run_ocne({ "image", "info", "-k", f, "-f", (dir() / "missing.qcow2").string() }, dir());
  EXPECT_EQ(info.exit_code, 1) << info.err;
  EXPECT_EQ(info.err.find("not expected"), std::string::npos) << info.err;
}

// `ocne cluster -k F start` is `ocne cluster start -k F`; the command's own
// -k wins over its group's.
TEST_F(CliKubeconfigTest, AGroupHandsItToItsCommand)
{
  const auto file = write("c.yaml", "providers:\n  oci:\n    compartment: a\n");
  const auto group =
    run_ocne({ "cluster", "-k", "from-group.kubeconfig", "start", "-P", "oci", "-c", file.string() }, dir());
  EXPECT_EQ(group.exit_code, 1) << group.err;
  EXPECT_NE(group.err.find("from-group.kubeconfig"), std::string::npos) << group.err;

  const auto root =
    run_ocne({ "-k", "from-root.kubeconfig", "cluster", "start", "-P", "oci", "-c", file.string() }, dir());
  EXPECT_EQ(root.exit_code, 1) << root.err;
  EXPECT_NE(root.err.find("from-root.kubeconfig"), std::string::npos) << root.err;

  const auto both = run_ocne(
    { "cluster", "-k", "from-group.kubeconfig", "start", "-k", "own.kubeconfig", "-P", "oci", "-c", file.string() },
    dir());
  EXPECT_EQ(both.exit_code, 1) << both.err;
  EXPECT_NE(both.err.find("own.kubeconfig"), std::string::npos) << both.err;
  EXPECT_EQ(both.err.find("from-group"), std::string::npos) << both.err;
}

} // namespace
} // namespace ocne::test
