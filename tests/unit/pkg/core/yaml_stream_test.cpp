#include "pkg/core/yaml_stream.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace ocne {
namespace {

std::size_t
documents(const std::string& text)
{
  auto docs = load_yaml_stream(text);
  EXPECT_TRUE(docs) << text << ": " << (docs ? "" : docs.error().message);
  return docs ? docs->size() : 0;
}

YamlSyntaxError
error(const std::string& text)
{
  auto docs = load_yaml_stream(text);
  EXPECT_FALSE(docs) << text;
  return docs ? YamlSyntaxError{} : docs.error();
}

TEST(YamlStream, ReadsEveryDocument)
{
  EXPECT_EQ(documents(""), 0U);
  EXPECT_EQ(documents("# only a comment\n"), 0U);
  EXPECT_EQ(documents("a: 1\n"), 1U);
  EXPECT_EQ(documents("a\n---\nb\n"), 2U);
  EXPECT_EQ(documents("---\n---\n---\n"), 3U);
  EXPECT_EQ(documents("a: 1\n...\n---\nb: 2\n...\n"), 2U);
  EXPECT_EQ(documents("...\n...\n"), 1U); // yaml-cpp reads one empty document
  EXPECT_EQ(documents("- [a, b]\n- {c: d}\n---\n- e\n"), 2U);
  auto docs = load_yaml_stream("kind: A\n---\nkind: B\n");
  ASSERT_TRUE(docs);
  EXPECT_EQ((*docs)[1]["kind"].as<std::string>(), "B");
  EXPECT_EQ((*docs)[1]["kind"].Mark().line, 2);
}

// Each of these sends YAML::LoadAll of yaml-cpp 0.7 into an endless loop;
// most were found by our fuzzers.
TEST(YamlStream, TokensNoNodeCanStartWithAreErrorsNotHangs)
{
  struct Case
  {
    std::string text;
    int line;
    int column;
  };
  const std::vector<Case> cases = {
    { ",", 0, 0 },
    { "# c\n,x: a\n", 1, 0 },
    { "{a: b}, c\n", 0, 6 },
    { "'a' 'b', c\n", 0, 7 },
    { "a: a\n...\t,?\n", 1, 4 },
    { "g\n{ #\n,\n", 2, 0 },
    { "\"a : ${B:=d,,\"\"}\na ':\",: [x, {C}] ,{B:\n", 1, 5 },
  };
  for (const auto& c : cases) {
    const auto e = error(c.text);
    EXPECT_EQ(e.line, c.line) << c.text;
    EXPECT_EQ(e.column, c.column) << c.text;
    EXPECT_EQ(e.message, "unexpected ',', which cannot start a node here") << c.text;
  }
}

TEST(YamlStream, ParserErrorsKeepTheirPlace)
{
  const auto e = error("a: [1, 2\nb: c\n");
  EXPECT_EQ(e.line, 1);
  EXPECT_FALSE(e.message.empty());
}

} // namespace
} // namespace ocne
