// The man pages written at build time (cmd/ocne/man.cpp, build/<dir>/man):
// one per command, each renders cleanly and names every flag that the
// command's --help shows.

#include "pkg/core/process.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace ocne::test {
namespace {

namespace fs = std::filesystem;

class CliManTest : public TempDirTest
{};

fs::path
man_dir()
{
  return ocne::test::binary_dir() / "man";
}

// "-c,--config TEXT  Cluster ..." -> {"-c", "--config"}, for each option line.
std::set<std::string>
help_flags(const std::string& help)
{
  std::set<std::string> flags;
  for (const auto& line : str::split(help, '\n')) {
    const auto trimmed = std::string(str::trim(line));
    if (!str::starts_with(trimmed, "-")) {
      continue;
    }
    const auto first = trimmed.substr(0, trimmed.find(' '));
    for (const auto& name : str::split(first, ',')) {
      if (str::starts_with(name, "-")) {
        flags.insert(name);
      }
    }
  }
  return flags;
}

std::string
render(const fs::path& page)
{
  ProcessOptions o;
  o.argv = { "man", "-l", "-P", "cat", page.string() };
  o.env_add = { { "LC_ALL", "C" }, { "MANWIDTH", "200" } };
  const auto r = run_process(o);
  EXPECT_TRUE(r && r->exit_code == 0) << page << (r ? r->err : r.error().message());
  return r ? r->out : std::string();
}

TEST_F(CliManTest, EveryCommandHasAPage)
{
  for (const auto* name : { "ocne",
                            "ocne-cluster",
                            "ocne-cluster-start",
                            "ocne-cluster-template",
                            "ocne-cluster-delete",
                            "ocne-cluster-list",
                            "ocne-cluster-show",
                            "ocne-cluster-info",
                            "ocne-cluster-dump",
                            "ocne-cluster-analyze",
                            "ocne-cluster-backup",
                            "ocne-cluster-console",
                            "ocne-image",
                            "ocne-image-create",
                            "ocne-image-upload",
                            "ocne-image-info",
                            "ocne-info",
                            "ocne-completion" }) {
    EXPECT_TRUE(fs::exists(man_dir() / (std::string(name) + ".1"))) << name;
  }
}

TEST_F(CliManTest, EveryPageRendersAndNamesEveryFlagOfItsCommand)
{
  if (!program_exists("man")) {
    GTEST_SKIP() << "man is not installed (scripts/setup.sh installs man-db)";
  }
  int pages = 0;
  for (const auto& entry : fs::directory_iterator(man_dir())) {
    if (entry.path().extension() != ".1") {
      continue;
    }
    ++pages;
    const auto name = entry.path().stem().string();
    auto args = str::split(name, '-');
    args.erase(args.begin()); // "ocne"
    // cluster-start -> cluster start (no command name has a dash)
    args.push_back("--help");
    const auto help = run_ocne(args, dir());
    ASSERT_EQ(help.exit_code, 0) << name << ": " << help.err;
    const auto flags = help_flags(help.out);
    EXPECT_FALSE(flags.empty()) << name;

    const auto text = render(entry.path());
    EXPECT_NE(text.find("NAME"), std::string::npos) << name;
    EXPECT_NE(text.find(name + " - "), std::string::npos) << name << ":\n" << text;
    for (const auto& flag : flags) {
      // As a whole word: "--config" must not be found inside "--config-file".
      bool found = false;
      for (auto at = text.find(flag); at != std::string::npos && !found; at = text.find(flag, at + 1)) {
        const auto end = at + flag.size();
        const bool starts = at == 0 || text[at - 1] == ' ' || text[at - 1] == ',' || text[at - 1] == '\n';
        found = starts && (end == text.size() || text[end] == ' ' || text[end] == ',' || text[end] == '\n');
      }
      EXPECT_TRUE(found) << name << " does not name " << flag << ":\n" << text;
    }

    if (program_exists("groff")) {
      ProcessOptions o;
      o.argv = { "groff", "-ww", "-z", "-man", entry.path().string() };
      const auto r = run_process(o);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->err, "") << name;
    }
  }
  EXPECT_EQ(pages, 22);
}

TEST_F(CliManTest, PagesCarryTheProseOfDocsMan)
{
  const auto text = render(man_dir() / "ocne.1");
  EXPECT_NE(text.find("EXIT STATUS"), std::string::npos) << text;
  EXPECT_NE(text.find("~/.ocne/clusters.yaml"), std::string::npos) << text;
  EXPECT_NE(text.find("ocne-cluster-start(1)"), std::string::npos) << text;
  const auto start = render(man_dir() / "ocne-cluster-start.1");
  EXPECT_NE(start.find("ocne cluster start -C dev -w 2"), std::string::npos) << start;
}

// docs/man/*.md is read in the repository too: where a page lists options,
// it lists exactly the command's flags (the installed pages take theirs from
// the tree, so they cannot drift; this keeps the Markdown honest as well).
TEST_F(CliManTest, DocsManOptionListsMatchTheFlags)
{
  const fs::path docs = ocne::test::source_dir() / "docs" / "man";
  for (const auto& entry : fs::directory_iterator(docs)) {
    const auto name = entry.path().stem().string();
    std::ifstream in(entry.path());
    std::set<std::string> listed;
    bool in_options = false;
    for (std::string line; std::getline(in, line);) {
      if (str::starts_with(line, "## ")) {
        in_options = line == "## OPTIONS";
        continue;
      }
      // Flags are written in backticks: `-c, --config FILE`.
      for (auto at = line.find('`'); in_options && at != std::string::npos; at = line.find('`', at + 1)) {
        const auto end = line.find('`', at + 1);
        if (end == std::string::npos) {
          break;
        }
        const auto code = line.substr(at + 1, end - at - 1);
        if (str::starts_with(code, "-")) {
          for (const auto& part : str::split(code, ',')) {
            const auto flag = std::string(str::trim(part)).substr(0, std::string(str::trim(part)).find(' '));
            if (str::starts_with(flag, "-")) {
              listed.insert(flag);
            }
          }
        }
        at = end;
      }
    }
    if (listed.empty()) {
      continue; // no OPTIONS list: the man page has the tree's alone
    }
    auto args = str::split(name, '-');
    args.erase(args.begin());
    args.push_back("--help");
    const auto help = run_ocne(args, dir());
    ASSERT_EQ(help.exit_code, 0) << name;
    auto flags = help_flags(help.out);
    // -h/--help is on every command; a page may leave it out.
    for (auto* set : { &flags, &listed }) {
      set->erase("-h");
      set->erase("--help");
    }
    EXPECT_EQ(listed, flags) << "docs/man/" << name << ".md lists other options than --help";
  }
}

} // namespace
} // namespace ocne::test
