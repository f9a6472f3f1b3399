#include "pkg/template/yaml_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::tmpl::yaml {
namespace {

using Json = nlohmann::ordered_json;

TEST(YamlText, PlainOnlyWhenSafeAndAString)
{
  EXPECT_EQ(string_scalar("demo", false), "demo");
  EXPECT_EQ(string_scalar("v1.33.5", false), "v1.33.5");
  EXPECT_EQ(string_scalar("ocid1.image.oc1..aaaa", false), "ocid1.image.oc1..aaaa");
  EXPECT_EQ(string_scalar("oci://{{ ds[\"id\"] }}", false), "oci://{{ ds[\"id\"] }}");
  EXPECT_EQ(string_scalar("1.33", false), "\"1.33\"");
  EXPECT_EQ(string_scalar("50", false), "\"50\"");
  EXPECT_EQ(string_scalar("yes", false), "\"yes\"");
  EXPECT_EQ(string_scalar("Off", false), "\"Off\"");
  EXPECT_EQ(string_scalar("~", false), "\"~\"");
  EXPECT_EQ(string_scalar("", false), "\"\"");
  EXPECT_EQ(string_scalar("-1", false), "\"-1\"");
  EXPECT_EQ(string_scalar(".5", false), "\".5\"");
  EXPECT_EQ(string_scalar("a: b", false), "\"a: b\"");
  EXPECT_EQ(string_scalar("a #b", false), "\"a #b\"");
  EXPECT_EQ(string_scalar("a#b", false), "a#b");
  EXPECT_EQ(string_scalar("- x", false), "\"- x\"");
  EXPECT_EQ(string_scalar("-x", false), "-x");
  EXPECT_EQ(string_scalar("a,b", false), "a,b");
  EXPECT_EQ(string_scalar("a,b", true), "\"a,b\"");
  EXPECT_EQ(string_scalar(" lead", false), "\" lead\"");
  EXPECT_EQ(string_scalar("{\"a\":1}", false), "'{\"a\":1}'");
  EXPECT_EQ(string_scalar("line\nbreak", false), "\"line\\nbreak\"");
  EXPECT_EQ(string_scalar("tab\there", false), "\"tab\\there\"");
  EXPECT_EQ(string_scalar("bell\x07", false), "\"bell\\x07\"");
  EXPECT_EQ(string_scalar("nel\xC2\x85", false), "\"nel\\u0085\"");
  EXPECT_EQ(string_scalar("ls\xE2\x80\xA8", false), "\"ls\\u2028\"");
  EXPECT_EQ(string_scalar("caf\xC3\xA9", false), "caf\xC3\xA9");
}

TEST(YamlText, Utf8Validation)
{
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));         // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));     // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(YamlText, LiteralBlocksKeepTrailingNewlines)
{
  EXPECT_EQ(literal_block("a\nb\n", 4), (std::vector<std::string>{ "|", "    a", "    b" }));
  EXPECT_EQ(literal_block("a\n\nb", 2), (std::vector<std::string>{ "|-", "  a", "", "  b" }));
  EXPECT_EQ(literal_block("a\n\n", 2), (std::vector<std::string>{ "|+", "  a", "" }));
  EXPECT_EQ(literal_block(" a\nb\n", 2), (std::vector<std::string>{ "|2", "   a", "  b" }));
  EXPECT_FALSE(literal_block_is_safe("one line"));
  EXPECT_FALSE(literal_block_is_safe("a\n  \nb"));
  EXPECT_FALSE(literal_block_is_safe("a\x01\nb"));
}

TEST(YamlText, BlockAndFlowCollections)
{
  const auto j = Json::parse(R"({"name": "demo", "cidrBlocks": ["10.0.0.0/16"], "empty": {}, "n": 3,
    "list": [{"a": 1, "b": [true, null]}, [1, 2]], "script": "#!/bin/sh\necho hi\n"})");
  EXPECT_EQ(block_lines(j, 2),
            (std::vector<std::string>{ "  name: demo",
                                       "  cidrBlocks:",
                                       "    - \"10.0.0.0/16\"",
                                       "  empty: {}",
                                       "  \"n\": 3",
                                       "  list:",
                                       "    - a: 1",
                                       "      b:",
                                       "        - true",
                                       "        - null",
                                       "    - - 1",
                                       "      - 2",
                                       "  script: |",
                                       "    #!/bin/sh",
                                       "    echo hi" }));
  EXPECT_EQ(flow(j),
            "{name: demo, cidrBlocks: [\"10.0.0.0/16\"], empty: {}, \"n\": 3, list: [{a: 1, b: [true, null]}, "
            "[1, 2]], script: \"#!/bin/sh\\necho hi\\n\"}");
}

} // namespace
} // namespace ocne::tmpl::yaml
