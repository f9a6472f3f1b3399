#include "pkg/k8s/yaml.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;

json
one(std::string_view text)
{
  auto parsed = parse_yaml(text, "t.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message();
  return parsed ? *parsed : json();
}

TEST(Yaml, ScalarsFollowTheCoreSchema)
{
  const auto doc = one(R"(
t: true
f: False
yes_word: yes
on_word: on
n: null
tilde: ~
empty:
int: 42
neg: -7
hex: 0x1f
oct: 0o17
float: 1.5
exp: 1e3
quoted_int: "42"
single: '3.0'
quoted_true: "true"
big: 123456789012345678901234567890
u64: 18446744073709551615
version: 1.30
str: hello world
)");
  EXPECT_EQ(doc["t"], json(true));
  EXPECT_EQ(doc["f"], json(false));
  EXPECT_EQ(doc["yes_word"], json("yes"));
  EXPECT_EQ(doc["on_word"], json("on"));
  EXPECT_TRUE(doc["n"].is_null());
  EXPECT_TRUE(doc["tilde"].is_null());
  EXPECT_TRUE(doc["empty"].is_null());
  EXPECT_EQ(doc["int"], json(42));
  EXPECT_TRUE(doc["int"].is_number_integer());
  EXPECT_EQ(doc["neg"], json(-7));
  EXPECT_EQ(doc["hex"], json(31));
  EXPECT_EQ(doc["oct"], json(15));
  EXPECT_TRUE(doc["float"].is_number_float());
  EXPECT_DOUBLE_EQ(doc["float"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(doc["exp"].get<double>(), 1000.0);
  EXPECT_EQ(doc["quoted_int"], json("42"));
  EXPECT_EQ(doc["single"], json("3.0"));
  EXPECT_EQ(doc["quoted_true"], json("true"));
  EXPECT_TRUE(doc["big"].is_number_float());
  EXPECT_EQ(doc["u64"].get<std::uint64_t>(), 18446744073709551615ULL);
  EXPECT_TRUE(doc["version"].is_number_float());
  EXPECT_EQ(doc["str"], json("hello world"));
}

TEST(Yaml, BlockScalarsAnchorsAndMergeKeys)
{
  const auto doc = one(R"(
base: &base
  a: 1
  b: 2
derived:
  <<: *base
  b: 3
script: |
  line one
  line two
folded: >
  a
  b
list: [1, "2", x]
)");
  EXPECT_EQ(doc["derived"], json({ { "a", 1 }, { "b", 3 } }));
  EXPECT_EQ(doc["script"], json("line one\nline two\n"));
  EXPECT_EQ(doc["folded"], json("a b\n"));
  EXPECT_EQ(doc["list"], json({ 1, "2", "x" }));
}

TEST(Yaml, StreamSkipsEmptyDocumentsAndExpandsLists)
{
  std::vector<ParsedDocument> where;
  auto docs = parse_yaml_stream(R"(# leading comment
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
# only a comment
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
...
)",
                                "s.yaml",
                                &where);
  ASSERT_TRUE(docs) << docs.error().message();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0]["metadata"]["name"], "a");
  EXPECT_EQ((*docs)[2]["metadata"]["name"], "c");
  ASSERT_EQ(where.size(), 3u);
  EXPECT_EQ(where[0].index, 1);
  EXPECT_EQ(where[0].line, 3);
  EXPECT_EQ(where[1].index, 2);
  EXPECT_EQ(where[1].item, 0);
  EXPECT_EQ(where[2].item, 1);
}

TEST(Yaml, BrokenDocumentNamesLineAndIndexAndReturnsNothing)
{
  auto docs = parse_yaml_stream("a: 1\n---\nb: [1, 2\n---\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(docs);
  EXPECT_EQ(docs.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(docs.error().message(), "bad.yaml:4: document 2: end of sequence flow not found");
}

TEST(Yaml, NonObjectDocumentIsRejected)
{
  auto docs = parse_yaml_stream("a: 1\n---\n- x\n", "s.yaml");
  ASSERT_FALSE(docs);
  EXPECT_EQ(docs.error().message(), "s.yaml:3: document 2: expected a Kubernetes object (a mapping), found a list");
}

TEST(Yaml, DuplicateKeysAndInfinityAreErrors)
{
  auto dup = parse_yaml("a: 1\nb: 2\na: 3\n", "d.yaml");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message(), "d.yaml:3: duplicate key 'a'");
  auto inf = parse_yaml("x:\n  y: .inf\n", "i.yaml");
  ASSERT_FALSE(inf);
  EXPECT_EQ(inf.error().message(), "i.yaml:2: .inf cannot be represented in JSON; quote it to make it a string");
}

TEST(Yaml, ToYamlRoundTrips)
{
  const json value = {
    { "name", "demo" },
    { "yes", "yes" },
    { "num_string", "1.30" },
    { "n", 5 },
    { "empty", "" },
    { "colon", "a: b" },
    { "nested", { { "list", { { { "a", 1 }, { "b", "x" } }, "plain", json::array() } } } },
    { "obj", json::object() },
    { "multi", "line1\nline2" },
  };
  const auto text = to_yaml(value);
  auto back = parse_yaml(text, "round.yaml");
  ASSERT_TRUE(back) << back.error().message() << "\n" << text;
  EXPECT_EQ(*back, value) << text;
}

} // namespace
} // namespace ocne::k8s
