#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

class CliHelpTest : public TempDirTest
{};

const std::vector<std::vector<std::string>> k_commands = {
  { "cluster", "start" }, { "cluster", "template" }, { "cluster", "delete" },
  { "cluster", "list" },  { "cluster", "show" },     { "image", "create" },
  { "image", "upload" },  { "image", "info" },       { "info" },
};

TEST_F(CliHelpTest, RootHelpListsTheCommands)
{
  const auto r = run_ocne({ "--help" }, dir());
  EXPECT_EQ(r.exit_code, 0);
  for (const auto* word : { "cluster", "image", "info", "completion", "--log-level", "--version" }) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
}

TEST_F(CliHelpTest, EveryOptionShowsItsDefault)
{
  for (const auto& cmd : k_commands) {
    auto args = cmd;
    args.push_back("--help");
    const auto r = run_ocne(args, dir());
    ASSERT_EQ(r.exit_code, 0) << str::join(cmd, " ") << r.err;
    // Every option line (but -h/--help itself) carries "(default: ...)".
    const auto lines = str::split(r.out, '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto line = str::trim(lines[i]);
      if (!str::starts_with(line, "-") || str::starts_with(line, "-h,--help")) {
        continue;
      }
      // Long descriptions wrap onto the next line.
      const auto both = std::string(line) + (i + 1 < lines.size() ? lines[i + 1] : "");
      EXPECT_NE(both.find("(default: "), std::string::npos) << str::join(cmd, " ") << ": " << line;
    }
  }
}

TEST_F(CliHelpTest, OcneFlagNames)
{
  const auto r = run_ocne({ "cluster", "start", "--help" }, dir());
  for (const auto* flag : { "-k,--kubeconfig",
                            "-c,--config",
                            "-n,--control-plane-nodes",
                            "-w,--worker-nodes",
                            "-s,--session",
                            "-i,--key",
                            "-o,--boot-volume-container-image",
                            "-C,--cluster-name",
                            "-P,--provider",
                            "-u,--auto-start-ui",
                            "-v,--version",
                            "--virtual-ip",
                            "--load-balancer" }) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  const auto up = run_ocne({ "image", "upload", "--help" }, dir());
  for (const auto* flag : { "-t,--type",
                            "-b,--bucket",
                            "-c,--compartment",
                            "-f,--file",
                            "-i,--image-name",
                            "-a,--arch",
                            "-v,--version",
                            "-d,--destination",
                            "-p,--profile" }) {
    EXPECT_NE(up.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(CliHelpTest, GroupsWithoutACommandPrintHelp)
{
  const auto r = run_ocne({ "cluster" }, dir());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Subcommands:"), std::string::npos);
  const auto none = run_ocne({}, dir());
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("Subcommands:"), std::string::npos);
}

TEST_F(CliHelpTest, Version)
{
  const auto r = run_ocne({ "--version" }, dir());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("ocne version ", 0), 0U) << r.out;
  // The version from git describe and the commit (cmake/OcneBuildInfo.cmake).
  EXPECT_NE(r.out.find(" (commit "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
}

TEST_F(CliHelpTest, UnambiguousPrefixesWork)
{
  const auto r = run_ocne({ "clu", "ls" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto help = run_ocne({ "-l", "debug", "clu", "sho", "--help" }, dir());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("ocne cluster show"), std::string::npos) << help.out;
}

TEST_F(CliHelpTest, UsageErrorsExitTwo)
{
  auto r = run_ocne({ "cluster", "frobnicate" }, dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ocne: error: "), std::string::npos);
  r = run_ocne({ "-l", "verbose", "cluster", "list" }, dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ocne: error: --log-level: verbose not in {error,warn,info,debug,trace}"), std::string::npos)
    << r.err;
  r = run_ocne({ "cluster", "start", "--virtual-ip", "1.2.3.4", "--load-balancer", "lb" }, dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
}

// `cluster start -P oci` is implemented: a management cluster that is not
// there is one error line naming the flag, and nothing is left in the cache.
TEST_F(CliHelpTest, ClusterStartOnOciNamesAMissingManagementKubeconfig)
{
  const auto file = write("c.yaml", "providers:\n  oci:\n    compartment: a\n");
  const auto start =
    run_ocne({ "cluster", "start", "-P", "oci", "-c", file.string(), "-k", "missing.kubeconfig" }, dir());
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_EQ(std::count(start.err.begin(), start.err.end(), '\n'), 1) << start.err;
  EXPECT_NE(start.err.find("ocne: error: "), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("missing.kubeconfig"), std::string::npos) << start.err;
  EXPECT_EQ(start.err.find("not available yet"), std::string::npos) << start.err;
  const auto list = run_ocne({ "cluster", "list" }, dir());
  EXPECT_EQ(list.out.find("ocne"), std::string::npos) << list.out;
}

// `image upload` is implemented: it must not answer "not available yet";
// without a compartment it fails with one error line naming what is missing.
TEST_F(CliHelpTest, ImageUploadIsAvailable)
{
  const auto r = run_ocne({ "image", "upload", "--type", "oci", "--file", "x.qcow2", "--arch", "amd64" }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ocne: error: no compartment given: use --compartment or set providers.oci.compartment\n");
}

TEST_F(CliHelpTest, BashCompletionCompletesCommandsFlagsAndChoices)
{
  const auto script = run_ocne({ "completion", "bash" }, dir());
  ASSERT_EQ(script.exit_code, 0);
  const auto file = write("ocne.bash", script.out);
  ProcessOptions o;
  o.argv = { "bash",
             "-c",
             "source " + file.string() +
               "; complete_at() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _ocne; echo \"${COMPREPLY[*]}\"; };"
               " complete_at ocne clu; complete_at ocne cluster st; complete_at ocne cluster start --pro;"
               " complete_at ocne cluster start --provider o; complete_at ocne -l debug image up" };
  const auto r = run_process(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out, "cluster\nstart stage\n--provider\noci oxide\nupload\n") << r->err;
}

TEST_F(CliHelpTest, ZshCompletionLoads)
{
  if (!program_exists("zsh")) {
    GTEST_SKIP() << "zsh is not installed (scripts/setup.sh installs it)";
  }
  const auto script = run_ocne({ "completion", "zsh" }, dir());
  ASSERT_EQ(script.exit_code, 0);
  const auto file = write("_ocne", script.out);
  ProcessOptions o;
  o.argv = { "zsh", "-c", "autoload -U compinit && compinit -u; source " + file.string() + "; print ok" };
  const auto r = run_process(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out, "ok\n");
}

// fish gets its own script from the same tree: fish parses it, and it
// completes commands, aliases' paths, flags and their fixed choices.
TEST_F(CliHelpTest, FishCompletionCompletesCommandsFlagsAndChoices)
{
  if (!program_exists("fish")) {
    GTEST_SKIP() << "fish is not installed (scripts/setup.sh installs it)";
  }
  const auto script = run_ocne({ "completion", "fish" }, dir());
  ASSERT_EQ(script.exit_code, 0) << script.err;
  const auto file = write("ocne.fish", script.out);
  ProcessOptions parse;
  parse.argv = { "fish", "--no-execute", file.string() };
  const auto parsed = run_process(parse);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->exit_code, 0) << parsed->err;

  // complete -C prints "candidate<TAB>description" lines; keep the candidates.
  const auto complete = [&](const std::string& line) {
    ProcessOptions o;
    o.argv = { "fish",
               "--no-config",
               "-c",
               "source " + file.string() + "; complete -C '" + line + "' | string replace -r '\t.*' ''" };
    const auto r = run_process(o);
    EXPECT_TRUE(r && r->exit_code == 0) << line << (r ? r->err : r.error().message());
    return r ? r->out : std::string();
  };
  EXPECT_EQ(complete("ocne clu"), "cluster\n");
  EXPECT_EQ(complete("ocne cluster st"), "stage\nstart\n");
  EXPECT_EQ(complete("ocne -l debug image up"), "upload\n");
  EXPECT_EQ(complete("ocne cluster start -P o"), "oci\noxide\n");
  EXPECT_EQ(complete("ocne completion "), "bash\nfish\nzsh\n");
  const auto flags = complete("ocne cluster ls --");
  for (const auto* flag : { "--kubeconfig\n", "--output\n", "--help\n" }) {
    EXPECT_NE(flags.find(flag), std::string::npos) << flag << " in:\n" << flags;
  }
  // A flag without a value must not swallow the next word.
  EXPECT_EQ(complete("ocne cluster start --pro"), "--provider\n");
}

} // namespace
} // namespace ocne::test
