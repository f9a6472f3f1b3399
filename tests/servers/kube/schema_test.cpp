#include "tests/servers/kube/schema.hpp"

#include <gtest/gtest.h>

namespace ocne::test::kube {
namespace {

std::shared_ptr<Schema>
schema(const char* text)
{
  return compile_schema(Json::parse(text));
}

std::vector<std::string>
errors_of(const Json& value, const Schema& s)
{
  std::vector<FieldError> errs;
  validate(value, s, "", errs);
  std::vector<std::string> out;
  for (const auto& e : errs) {
    out.push_back(e.to_string());
  }
  return out;
}

const char* const k_spec = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 8, "pattern": "^[a-z]+$"},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
        "mode": {"type": "string", "enum": ["fast", "slow"]},
        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "note": {"type": "string", "nullable": true},
        "size": {"type": "string", "default": "small"},
        "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                     "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
      }
    }
  }
})";

TEST(Schema, ReportsTypeErrorsTheWayTheApiServerDoes)
{
  const auto s = schema(k_spec);
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "replicas": "3"}})"), *s),
            std::vector<std::string>{
              "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"" });
}

TEST(Schema, ChecksRequiredEnumPatternLengthsBoundsAndItems)
{
  const auto s = schema(k_spec);
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {}})"), *s), std::vector<std::string>{ "spec.name: Required value" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "mode": "warp"}})"), *s),
            std::vector<std::string>{ "spec.mode: Unsupported value: \"warp\": supported values: \"fast\", \"slow\"" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "ABC"}})"), *s),
            std::vector<std::string>{ "spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "abcdefghij"}})"), *s),
            std::vector<std::string>{ "spec.name: Too long: may not be longer than 8" });
  EXPECT_EQ(
    errors_of(Json::parse(R"({"spec": {"name": ""}})"), *s),
    (std::vector<std::string>{ "spec.name: Invalid value: \"\": spec.name in body should be at least 1 chars long",
                               "spec.name: Invalid value: \"\": spec.name in body should match '^[a-z]+$'" }));
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "replicas": 9}})"), *s),
            std::vector<std::string>{
              "spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 5" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "replicas": 0}})"), *s),
            std::vector<std::string>{
              "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "tags": ["x", "y", "z"]}})"), *s),
            std::vector<std::string>{ "spec.tags: Too many: 3: must have at most 2 items" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "tags": ["x", 1]}})"), *s),
            std::vector<std::string>{
              "spec.tags[1]: Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\"" });
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "labels": {"k": 1}}})"), *s),
            std::vector<std::string>{
              "spec.labels.k: Invalid value: \"integer\": spec.labels.k in body must be of type string: \"integer\"" });
}

TEST(Schema, IntOrStringTakesBothButNothingElse)
{
  const auto s = schema(k_spec);
  EXPECT_TRUE(errors_of(Json::parse(R"({"spec": {"name": "a", "port": 80}})"), *s).empty());
  EXPECT_TRUE(errors_of(Json::parse(R"({"spec": {"name": "a", "port": "http"}})"), *s).empty());
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "port": true}})"), *s),
            std::vector<std::string>{
              "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"" });
}

TEST(Schema, EmbeddedResourcesNeedApiVersionAndKind)
{
  const auto s = schema(k_spec);
  EXPECT_EQ(errors_of(Json::parse(R"({"spec": {"name": "a", "template": {"spec": {}}}})"), *s),
            (std::vector<std::string>{ "spec.template.apiVersion: Required value: must not be empty",
                                       "spec.template.kind: Required value: must not be empty" }));
}

TEST(Schema, PrunesUnknownFieldsAndRecordsTheirPaths)
{
  const auto s = schema(k_spec);
  Json v = Json::parse(R"({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "junk": 1},
                          "spec": {"name": "a", "extra": 1, "free": {"any": {"thing": 1}},
                                   "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bad": 2},
                                                "spec": {"x": 1}, "other": 3}},
                          "status": {"phase": "x"}})");
  std::vector<std::string> unknown;
  prune(v, *s, &unknown);
  EXPECT_EQ(unknown,
            (std::vector<std::string>{ "spec.extra", "spec.template.metadata.bad", "spec.template.other", "status" }));
  EXPECT_EQ(v, Json::parse(R"({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "junk": 1},
                              "spec": {"name": "a", "free": {"any": {"thing": 1}},
                                       "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                                    "spec": {"x": 1}}}})"));
}

TEST(Schema, DropsNullsOfFieldsThatAreNotNullable)
{
  const auto s = schema(k_spec);
  Json v = Json::parse(R"({"spec": {"name": "a", "mode": null, "note": null}})");
  prune(v, *s, nullptr);
  EXPECT_EQ(v, Json::parse(R"({"spec": {"name": "a", "note": null}})"));
  EXPECT_TRUE(errors_of(v, *s).empty());
}

TEST(Schema, FillsDefaultsOfAbsentFields)
{
  const auto s = schema(k_spec);
  Json v = Json::parse(R"({"spec": {"name": "a"}})");
  apply_defaults(v, *s);
  EXPECT_EQ(v["spec"]["size"], "small");
  Json set = Json::parse(R"({"spec": {"name": "a", "size": "large"}})");
  apply_defaults(set, *s);
  EXPECT_EQ(set["spec"]["size"], "large");
}

TEST(Schema, RejectsASchemaWhoseTypeIsNotAString)
{
  EXPECT_THROW(schema(R"({"type": "object", "properties": {"a": {"type": 3}}})"), std::invalid_argument);
}

} // namespace
} // namespace ocne::test::kube
