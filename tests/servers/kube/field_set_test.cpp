#include "tests/servers/kube/field_set.hpp"

#include <gtest/gtest.h>

namespace ocne::test::kube {
namespace {

std::shared_ptr<Schema>
pod_like()
{
  return compile_schema(Json::parse(R"({
    "type": "object",
    "properties": {
      "metadata": {"type": "object", "properties": {
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}},
      "spec": {"type": "object", "properties": {
        "replicas": {"type": "integer"},
        "selector": {"type": "object", "x-kubernetes-map-type": "atomic"},
        "args": {"type": "array", "items": {"type": "string"}},
        "containers": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
          "items": {"type": "object", "properties": {"name": {"type": "string"}, "image": {"type": "string"}}}}}}
    }
  })"));
}

TEST(FieldSet, FromAnObjectFollowsListAndMapTypes)
{
  const auto s = pod_like();
  const Json obj = Json::parse(R"({
    "metadata": {"labels": {"app": "web"}, "finalizers": ["a/b"]},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "args": ["-v"],
             "containers": [{"name": "main", "image": "nginx"}]}})");
  EXPECT_EQ(to_field_set(obj, s.get()).to_fields_v1(), Json::parse(R"({
    "f:metadata": {"f:labels": {"f:app": {}}, "f:finalizers": {"v:\"a/b\"": {}}},
    "f:spec": {"f:replicas": {}, "f:selector": {}, "f:args": {},
               "f:containers": {"k:{\"name\":\"main\"}": {".": {}, "f:name": {}, "f:image": {}}}}})"));
}

TEST(FieldSet, RoundTripsFieldsV1AndPrintsPaths)
{
  const Json v1 = Json::parse(R"({"f:data": {".": {}, "f:color": {}},
                                   "f:spec": {"f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}},
                                              "f:finalizers": {"v:\"x\"": {}}}})");
  const auto set = FieldSet::from_fields_v1(v1);
  EXPECT_EQ(set.to_fields_v1(), v1);
  EXPECT_EQ(set.paths(),
            (std::vector<std::string>{ ".data",
                                       ".data.color",
                                       ".spec.finalizers[=\"x\"]",
                                       ".spec.ports[port=80,protocol=\"TCP\"]",
                                       ".spec.ports[port=80,protocol=\"TCP\"].port" }));
  EXPECT_THROW(FieldSet::from_fields_v1(Json::parse(R"({"x:bad": {}})")), std::invalid_argument);
}

TEST(FieldSet, SetOperations)
{
  FieldSet a;
  a.insert({ "f:spec", "f:a" });
  a.insert({ "f:spec", "f:b" });
  FieldSet b;
  b.insert({ "f:spec", "f:b" });
  b.insert({ "f:status" });
  EXPECT_EQ(a.intersected(b).paths(), std::vector<std::string>{ ".spec.b" });
  EXPECT_EQ(a.minus(b).paths(), std::vector<std::string>{ ".spec.a" });
  EXPECT_EQ(a.united(b).paths(), (std::vector<std::string>{ ".spec.a", ".spec.b", ".status" }));
  EXPECT_TRUE(a.minus(a).empty());
}

TEST(FieldSet, CompareMarksNewMapsAndListItemsAsAdded)
{
  const auto s = pod_like();
  const Json old_obj = Json::parse(R"({"spec": {"replicas": 1, "containers": [{"name": "a", "image": "x"}]}})");
  const Json new_obj = Json::parse(R"({"metadata": {"labels": {"k": "v"}},
                                      "spec": {"replicas": 2, "containers": [{"name": "a", "image": "x"},
                                                                              {"name": "b", "image": "y"}]}})");
  const auto c = compare(old_obj, new_obj, s.get());
  EXPECT_EQ(c.modified.paths(), std::vector<std::string>{ ".spec.replicas" });
  EXPECT_EQ(c.added.paths(),
            (std::vector<std::string>{ ".metadata",
                                       ".metadata.labels",
                                       ".metadata.labels.k",
                                       ".spec.containers[name=\"b\"]",
                                       ".spec.containers[name=\"b\"].image",
                                       ".spec.containers[name=\"b\"].name" }));
  EXPECT_TRUE(c.removed.empty());
  const auto back = compare(new_obj, old_obj, s.get());
  EXPECT_EQ(back.removed.paths(), c.added.paths());
}

TEST(FieldSet, MergeKeepsLiveItemsAndFollowsTheAppliedOrder)
{
  const auto s = pod_like();
  const Json live = Json::parse(R"({"spec": {"replicas": 1, "args": ["a"],
                                             "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}})");
  const Json config = Json::parse(R"({"spec": {"args": ["z"],
                                               "containers": [{"name": "b", "image": "3"}, {"name": "c", "image": "4"}]}})");
  EXPECT_EQ(merge(live, config, s.get()), Json::parse(R"({"spec": {"replicas": 1, "args": ["z"],
    "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "3"}, {"name": "c", "image": "4"}]}})"));
}

TEST(FieldSet, RemoveItemsDropsMembersAndWhatIsBelowThem)
{
  const auto s = pod_like();
  Json obj = Json::parse(R"({"metadata": {"finalizers": ["a", "b"]},
                            "spec": {"replicas": 1, "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}})");
  FieldSet set;
  set.insert({ "f:spec", "f:replicas" });
  set.insert({ "f:spec", "f:containers", "k:{\"name\":\"a\"}" });
  set.insert({ "f:spec", "f:containers", "k:{\"name\":\"b\"}", "f:image" });
  set.insert({ "f:metadata", "f:finalizers", "v:\"a\"" });
  remove_items(obj, set, s.get());
  EXPECT_EQ(obj, Json::parse(R"({"metadata": {"finalizers": ["b"]}, "spec": {"containers": [{"name": "b"}]}})"));
}

TEST(FieldSet, WithoutASchemaMapsAreGranularAndListsAtomic)
{
  const Json obj = Json::parse(R"({"spec": {"a": {"b": 1}, "list": [1, 2]}})");
  EXPECT_EQ(to_field_set(obj, nullptr).to_fields_v1(),
            Json::parse(R"({"f:spec": {".": {}, "f:a": {".": {}, "f:b": {}}, "f:list": {}}})"));
}

} // namespace
} // namespace ocne::test::kube
