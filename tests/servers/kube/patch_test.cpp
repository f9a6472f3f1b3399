#include "tests/servers/kube/patch.hpp"

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/resource_type.hpp"

#include <gtest/gtest.h>

namespace ocne::test::kube {
namespace {

const Schema*
deployment_schema()
{
  static const auto types = builtin_types();
  for (const auto& t : types) {
    if (t->kind == "Deployment") {
      return t->versions[0].schema.get();
    }
  }
  return nullptr;
}

TEST(StrategicMergePatch, MergesContainersByNameAndDeletesWithDirectives)
{
  const Json doc = Json::parse(R"({"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x"]},
    "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "main", "image": "v1"},
                                                                 {"name": "side", "image": "s1"}]}}}})");
  const Json patch = Json::parse(R"({"metadata": {"labels": {"b": null, "c": "3"}, "finalizers": ["y"]},
    "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "v2"},
                                                  {"name": "side", "$patch": "delete"},
                                                  {"name": "new", "image": "n1"}],
                                   "$setElementOrder/containers": [{"name": "main"}, {"name": "new"}]}}}})");
  EXPECT_EQ(apply_strategic_merge_patch(doc, patch, deployment_schema()),
            Json::parse(R"({"metadata": {"labels": {"a": "1", "c": "3"}, "finalizers": ["x", "y"]},
    "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "main", "image": "v2"},
                                                                 {"name": "new", "image": "n1"}]}}}})"));
}

TEST(StrategicMergePatch, ReplaceRetainKeysAndPrimitiveListDeletes)
{
  const Json doc = Json::parse(R"({"metadata": {"finalizers": ["a", "b", "c"]},
                                  "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                                           "selector": {"matchLabels": {"app": "x"}}}})");
  const Json patch = Json::parse(R"({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]},
                                    "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"},
                                             "selector": {"matchLabels": {"app": "y"}}}})");
  EXPECT_EQ(apply_strategic_merge_patch(doc, patch, deployment_schema()),
            Json::parse(R"({"metadata": {"finalizers": ["a", "c"]},
                            "spec": {"strategy": {"type": "Recreate"}, "selector": {"matchLabels": {"app": "y"}}}})"));
}

TEST(MergePatch, FollowsRfc7386)
{
  const Json doc = Json::parse(R"({"a": {"b": 1, "c": [1, 2]}, "d": 1})");
  EXPECT_EQ(apply_merge_patch(doc, Json::parse(R"({"a": {"b": null, "c": [3]}, "e": 2})")),
            Json::parse(R"({"a": {"c": [3]}, "d": 1, "e": 2})"));
  EXPECT_THROW(apply_merge_patch(doc, Json::parse("[1]")), ApiError);
}

TEST(JsonPatch, AppliesOperationsAndRejectsAFailedTestWith422)
{
  const Json doc = Json::parse(R"({"metadata": {"labels": {"a": "1"}}, "spec": {"n": 1}})");
  EXPECT_EQ(apply_json_patch(doc, Json::parse(R"([{"op": "replace", "path": "/spec/n", "value": 2},
                                                  {"op": "add", "path": "/metadata/labels/b", "value": "2"},
                                                  {"op": "remove", "path": "/metadata/labels/a"}])")),
            Json::parse(R"({"metadata": {"labels": {"b": "2"}}, "spec": {"n": 2}})"));
  try {
    apply_json_patch(doc, Json::parse(R"([{"op": "test", "path": "/spec/n", "value": 5}])"));
    FAIL() << "expected an error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
  }
}

} // namespace
} // namespace ocne::test::kube
