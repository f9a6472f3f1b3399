#include "tests/servers/openapi/schema_validator.hpp"

#include <gtest/gtest.h>

namespace ocne::test::openapi {
namespace {

using json = nlohmann::json;

// A miniature spec with the constructs the Oxide document uses.
const json&
doc()
{
  static const json d = json::parse(R"({
    "components": {"schemas": {
      "Name": {"type": "string", "pattern": "^[a-z]([a-zA-Z0-9-]*[a-zA-Z0-9]+)?$", "minLength": 1, "maxLength": 63},
      "BlockSize": {"type": "integer", "enum": [512, 2048, 4096]},
      "ByteCount": {"type": "integer", "format": "uint64", "minimum": 0},
      "Source": {"oneOf": [
        {"type": "object", "properties": {"type": {"type": "string", "enum": ["blank"]},
                                          "block_size": {"$ref": "#/components/schemas/BlockSize"}},
         "required": ["type", "block_size"]},
        {"type": "object", "properties": {"type": {"type": "string", "enum": ["image"]},
                                          "image_id": {"type": "string", "format": "uuid"}},
         "required": ["type", "image_id"]}]},
      "Create": {"type": "object", "properties": {
          "name": {"$ref": "#/components/schemas/Name"},
          "description": {"type": "string"},
          "size": {"allOf": [{"$ref": "#/components/schemas/ByteCount"}]},
          "source": {"allOf": [{"$ref": "#/components/schemas/Source"}]},
          "snapshot": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Name"}]},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2, "uniqueItems": true},
          "limit": {"type": "integer", "format": "uint32", "minimum": 1}},
        "required": ["name", "description", "size", "source"]},
      "Free": {"type": "object", "additionalProperties": {"type": "integer"}},
      "Closed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false},
      "Loop": {"$ref": "#/components/schemas/Loop"}
    }}})");
  return d;
}

json
good()
{
  return json::parse(R"({"name": "disk-1", "description": "", "size": 1073741824,
                         "source": {"type": "blank", "block_size": 512}})");
}

std::vector<std::string>
check(const json& value, const std::string& schema = "Create", ValidateOptions options = {})
{
  const SchemaValidator v(doc(), options);
  return v.validate(value, json{ { "$ref", "#/components/schemas/" + schema } }, "body");
}

TEST(OpenApiSchema, AcceptsAValidValue)
{
  EXPECT_EQ(check(good()), std::vector<std::string>{});
}

TEST(OpenApiSchema, MissingRequiredProperty)
{
  auto v = good();
  v.erase("description");
  EXPECT_EQ(check(v), std::vector<std::string>{ "body: missing required property \"description\"" });
}

TEST(OpenApiSchema, WrongType)
{
  auto v = good();
  v["size"] = "1GiB";
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.size: expected integer, got string \"1GiB\"" });
  v["size"] = 1.5;
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.size: expected integer, got number 1.5" });
}

TEST(OpenApiSchema, IntegerFormatRangeAndMinimum)
{
  auto v = good();
  v["size"] = -1;
  EXPECT_EQ(check(v),
            (std::vector<std::string>{ "body.size: -1 is out of range for uint64",
                                       "body.size: -1 is less than the minimum 0" }));
  v = good();
  v["limit"] = 4294967296ULL;
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.limit: 4294967296 is out of range for uint32" });
  v["limit"] = 0;
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.limit: 0 is less than the minimum 1" });
}

TEST(OpenApiSchema, PatternAndLength)
{
  auto v = good();
  v["name"] = "Disk";
  EXPECT_EQ(check(v),
            std::vector<std::string>{
              "body.name: \"Disk\" does not match the pattern \"^[a-z]([a-zA-Z0-9-]*[a-zA-Z0-9]+)?$\"" });
  v["name"] = std::string(64, 'a');
  ASSERT_EQ(check(v).size(), 1U);
  EXPECT_NE(check(v)[0].find("is longer than 63 characters"), std::string::npos);
}

TEST(OpenApiSchema, NullableAllowsNullOnly)
{
  auto v = good();
  v["snapshot"] = nullptr;
  EXPECT_EQ(check(v), std::vector<std::string>{});
  v["source"] = nullptr;
  EXPECT_EQ(check(v).size(), 1U);
}

TEST(OpenApiSchema, OneOfTaggedUnionReportsTheVariantMeant)
{
  auto v = good();
  v["source"] = json{ { "type", "blank" }, { "block_size", 1000 } };
  EXPECT_EQ(check(v),
            std::vector<std::string>{ "body.source: {\"block_size\":1000,\"type\":\"blank\"} matches none of the 2 "
                                      "oneOf variants; closest (variant 0): body.source.block_size: 1000 is not one "
                                      "of [512,2048,4096]" });
  v["source"] = json{ { "type", "image" }, { "image_id", "not-a-uuid" } };
  ASSERT_EQ(check(v).size(), 1U);
  EXPECT_NE(check(v)[0].find("closest (variant 1): body.source.image_id: \"not-a-uuid\" is not a valid uuid"),
            std::string::npos)
    << check(v)[0];
}

TEST(OpenApiSchema, StrictPropertiesRejectUnknownKeys)
{
  auto v = good();
  v["sise"] = 1;
  EXPECT_EQ(check(v), std::vector<std::string>{ "body: unknown property \"sise\"" });
  EXPECT_EQ(check(v, "Create", ValidateOptions{ .strict_properties = false }), std::vector<std::string>{});
}

TEST(OpenApiSchema, AdditionalPropertiesFalseAndSchema)
{
  EXPECT_EQ(check(json{ { "a", "x" }, { "b", 1 } }, "Closed", ValidateOptions{ .strict_properties = false }),
            std::vector<std::string>{ "body: unknown property \"b\"" });
  EXPECT_EQ(check(json{ { "x", 1 }, { "y", 2 } }, "Free"), std::vector<std::string>{});
  EXPECT_EQ(check(json{ { "x", "1" } }, "Free"),
            std::vector<std::string>{ "body.x: expected integer, got string \"1\"" });
}

TEST(OpenApiSchema, ArraysItemsMaxItemsUnique)
{
  auto v = good();
  v["tags"] = json::array({ "a", "a" });
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.tags: items 0 and 1 are equal but must be unique" });
  v["tags"] = json::array({ "a", "b", "c" });
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.tags: 3 items, at most 2 allowed" });
  v["tags"] = json::array({ "a", 2 });
  EXPECT_EQ(check(v), std::vector<std::string>{ "body.tags[1]: expected string, got integer 2" });
}

TEST(OpenApiSchema, RecursiveRefStops)
{
  auto errors = check(json{ { "a", 1 } }, "Loop");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("schema nesting too deep"), std::string::npos);
}

TEST(OpenApiSchema, UnresolvableRef)
{
  const SchemaValidator v(doc());
  EXPECT_EQ(v.validate(1, json{ { "$ref", "#/components/schemas/Nope" } }, "x"),
            std::vector<std::string>{ "x: unresolvable $ref #/components/schemas/Nope" });
}

} // namespace
} // namespace ocne::test::openapi
