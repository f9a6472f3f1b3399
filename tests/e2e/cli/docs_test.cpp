// The documentation against itself and against the program, where that can
// be checked mechanically: no page says that a command README's "What works
// today" table calls working is missing, README's links resolve, and the
// environment variables of docs/configuration.md are the ones ocne reads.

#include "pkg/config/environment_variables.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace ocne::test {
namespace {

namespace fs = std::filesystem;

std::string
read_text(const fs::path& path)
{
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every Markdown file a reader meets: README and docs/ (with docs/man).
std::vector<fs::path>
doc_files()
{
  std::vector<fs::path> files{ source_dir() / "README.md" };
  for (const auto& entry : fs::recursive_directory_iterator(source_dir() / "docs")) {
    if (entry.path().extension() == ".md") {
      files.push_back(entry.path());
    }
  }
  return files;
}

// "cluster start/delete -P oci|oxide" -> every command it stands for:
// "cluster start -P oci", "cluster start -P oxide", "cluster delete -P oci"...
// Only spans naming an ocne command count; others give nothing.
std::vector<std::vector<std::string>>
expand_command(std::string span)
{
  for (auto at = span.find("\\|"); at != std::string::npos; at = span.find("\\|", at)) {
    span.replace(at, 2, "|");
  }
  auto words = str::split(std::string(str::trim(span)), ' ');
  if (!words.empty() && words[0] == "ocne") {
    words.erase(words.begin());
  }
  if (words.empty() || (words[0] != "cluster" && words[0] != "image")) {
    return {};
  }
  std::vector<std::vector<std::string>> out{ {} };
  for (const auto& word : words) {
    if (word.empty()) {
      continue;
    }
    // start/delete (a command word) and oci|oxide (a value) are alternatives.
    const char separator =
      word.find('|') != std::string::npos ? '|' : (word[0] != '-' && word.find('/') != std::string::npos ? '/' : 0);
    const auto alternatives = separator != 0 ? str::split(word, separator) : std::vector<std::string>{ word };
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : out) {
      for (const auto& alternative : alternatives) {
        auto longer = prefix;
        longer.push_back(alternative);
        next.push_back(longer);
      }
    }
    out = std::move(next);
  }
  return out;
}

std::vector<std::string>
code_spans(const std::string& text)
{
  std::vector<std::string> spans;
  for (auto at = text.find('`'); at != std::string::npos; at = text.find('`', at + 1)) {
    const auto end = text.find('`', at + 1);
    if (end == std::string::npos) {
      break;
    }
    spans.push_back(text.substr(at + 1, end - at - 1));
    at = end;
  }
  return spans;
}

// The commands of README's "What works today" rows whose status is "works".
std::vector<std::vector<std::string>>
working_commands()
{
  std::vector<std::vector<std::string>> commands;
  bool in_section = false;
  for (const auto& line : str::split(read_text(source_dir() / "README.md"), '\n')) {
    if (str::starts_with(line, "## ")) {
      in_section = line == "## What works today";
      continue;
    }
    if (!in_section || !str::starts_with(line, "| `")) {
      continue;
    }
    // | `cmd`, `cmd` | works: ... |  (a "|" inside a cell is written "\|")
    std::size_t cut = 1;
    while ((cut = line.find('|', cut)) != std::string::npos && line[cut - 1] == '\\') {
      ++cut;
    }
    if (cut == std::string::npos || !str::starts_with(str::trim(line.substr(cut + 1)), "works")) {
      continue;
    }
    for (const auto& span : code_spans(line.substr(0, cut))) {
      for (auto& command : expand_command(span)) {
        commands.push_back(std::move(command));
      }
    }
  }
  return commands;
}

// Table rows, and the sentences of other paragraphs.
std::vector<std::string>
statements(const std::string& markdown)
{
  std::vector<std::string> out;
  std::string paragraph;
  const auto flush = [&] {
    static const std::regex k_end(R"(\.\s+(?=[A-Z`(]))");
    std::sregex_token_iterator it(paragraph.begin(), paragraph.end(), k_end, -1);
    for (; it != std::sregex_token_iterator(); ++it) {
      out.push_back(*it);
    }
    paragraph.clear();
  };
  for (const auto& line : str::split(markdown, '\n')) {
    const auto trimmed = std::string(str::trim(line));
    if (str::starts_with(trimmed, "|")) {
      flush();
      out.push_back(trimmed);
    } else if (trimmed.empty() || str::starts_with(trimmed, "#")) {
      flush();
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + trimmed;
    }
  }
  flush();
  return out;
}

bool
names(const std::vector<std::string>& span_command, const std::vector<std::string>& working)
{
  return span_command.size() >= working.size() && std::equal(working.begin(), working.end(), span_command.begin());
}

// Phrases that say a command is not there. "waits for `X`" counts only for
// the span right after it; the others for any command in the statement.
const std::vector<std::string> k_missing = { "does not exist yet",  "do not exist yet",   "not available yet",
                                             "not implemented yet", "is not implemented", "not supported yet" };

TEST(DocsTest, NoPageSaysAWorkingCommandIsMissing)
{
  const auto working = working_commands();
  ASSERT_GE(working.size(), 8U) << "README's 'What works today' table was not found or changed form";
  for (const auto& file : doc_files()) {
    for (const auto& statement : statements(read_text(file))) {
      std::vector<std::string> suspects;
      const auto lower = [&] {
        auto s = statement;
        for (auto& c : s) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return s;
      }();
      for (const auto& phrase : k_missing) {
        if (lower.find(phrase) != std::string::npos) {
          suspects = code_spans(statement);
        }
      }
      for (auto at = lower.find("waits for `"); at != std::string::npos; at = lower.find("waits for `", at + 1)) {
        const auto spans = code_spans(statement.substr(at));
        if (!spans.empty()) {
          suspects.push_back(spans.front());
        }
      }
      for (const auto& span : suspects) {
        for (const auto& command : expand_command(span)) {
          for (const auto& w : working) {
            EXPECT_FALSE(names(command, w))
              << fs::relative(file, source_dir()).string() << " says `" << str::join(w, " ")
              << "` is missing, but README's 'What works today' says it works:\n  " << statement;
          }
        }
      }
    }
  }
}

TEST(DocsTest, ExpandCommandReadsAlternatives)
{
  const auto got = expand_command("ocne cluster start/delete -P oci\\|oxide");
  const std::vector<std::vector<std::string>> want = { { "cluster", "start", "-P", "oci" },
                                                       { "cluster", "start", "-P", "oxide" },
                                                       { "cluster", "delete", "-P", "oci" },
                                                       { "cluster", "delete", "-P", "oxide" } };
  EXPECT_EQ(got, want);
  EXPECT_TRUE(expand_command("kubectl apply -f x").empty());
  EXPECT_TRUE(names({ "cluster", "start", "-P", "oci", "-c", "f" }, { "cluster", "start", "-P", "oci" }));
  EXPECT_FALSE(names({ "cluster", "start" }, { "cluster", "start", "-P", "oci" }));
}

TEST(DocsTest, ReadmeLinksResolve)
{
  static const std::regex k_link(R"(\]\(([^)#:]+)(#[^)]*)?\))");
  const auto text = read_text(source_dir() / "README.md");
  int links = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), k_link); it != std::sregex_iterator(); ++it) {
    ++links;
    EXPECT_TRUE(fs::exists(source_dir() / (*it)[1].str())) << "README links to " << (*it)[1].str();
  }
  EXPECT_GT(links, 5);
}

// docs/configuration.md's table, row by row, is the one `ocne info` prints.
TEST(DocsTest, EnvironmentTableIsTheOneOcneHas)
{
  std::vector<std::pair<std::string, std::string>> documented;
  bool in_section = false;
  for (const auto& line : str::split(read_text(source_dir() / "docs" / "configuration.md"), '\n')) {
    if (str::starts_with(line, "## ")) {
      in_section = line == "## Environment variables";
      continue;
    }
    if (in_section && str::starts_with(line, "| `")) {
      const auto name_end = line.find("` |");
      ASSERT_NE(name_end, std::string::npos) << line;
      auto effect = line.substr(name_end + 4);
      ASSERT_TRUE(str::ends_with(effect, " |")) << line;
      effect = effect.substr(0, effect.size() - 2);
      for (auto at = effect.find("\\|"); at != std::string::npos; at = effect.find("\\|", at)) {
        effect.erase(at, 1);
      }
      documented.emplace_back(line.substr(3, name_end - 3), effect);
    }
  }
  std::vector<std::pair<std::string, std::string>> compiled;
  for (const auto& v : config::environment_variables()) {
    compiled.emplace_back(std::string(v.name), std::string(v.effect));
  }
  EXPECT_EQ(documented, compiled) << "docs/configuration.md's 'Environment variables' table and "
                                     "pkg/config/environment_variables.cpp differ";
}

// Every variable the code reads by name is in the table, and every name in
// the table is read somewhere: the table cannot go stale either way.
TEST(DocsTest, EnvironmentTableIsWhatTheCodeReads)
{
  static const std::regex k_read(
    R"re(\b(?:get|get_nonempty|get_or|getenv|env_number)\(\s*(?:[A-Za-z_.]+,\s*)?"([A-Z][A-Z0-9_]*)")re");
  std::set<std::string> read;
  std::string all_sources;
  for (const auto* folder : { "cmd", "pkg", "providers" }) {
    for (const auto& entry : fs::recursive_directory_iterator(source_dir() / folder)) {
      const auto ext = entry.path().extension();
      if ((ext != ".cpp" && ext != ".hpp") || entry.path().filename() == "environment_variables.cpp") {
        continue;
      }
      const auto text = read_text(entry.path());
      all_sources += text;
      for (std::sregex_iterator it(text.begin(), text.end(), k_read); it != std::sregex_iterator(); ++it) {
        read.insert((*it)[1].str());
      }
    }
  }
  ASSERT_GT(read.size(), 20U);
  std::set<std::string> listed;
  for (const auto& v : config::environment_variables()) {
    listed.emplace(v.name);
    EXPECT_NE(all_sources.find("\"" + std::string(v.name) + "\""), std::string::npos)
      << v.name << " is in the table but no source names it";
  }
  for (const auto& name : read) {
    EXPECT_EQ(listed.count(name), 1U) << name << " is read by the code but missing from "
                                      << "pkg/config/environment_variables.cpp (and docs/configuration.md)";
  }
}

} // namespace
} // namespace ocne::test
