#include "tests/servers/kube/managed_fields.hpp"

#include "tests/servers/kube/resource_type.hpp"

#include <gtest/gtest.h>

namespace ocne::test::kube {
namespace {

const std::string k_now = "2026-01-01T00:00:00Z";
const std::string k_later = "2026-01-01T00:05:00Z";

Json
fields_of(const Json& obj, const std::string& manager, const std::string& operation)
{
  for (const auto& e : obj["metadata"]["managedFields"]) {
    if (e["manager"] == manager && e["operation"] == operation) {
      return e["fieldsV1"];
    }
  }
  return nullptr;
}

// The built-in ConfigMap's schema: data is a declared field, a map of strings.
FieldScope
cm_scope()
{
  static const auto types = builtin_types();
  for (const auto& t : types) {
    if (t->kind == "ConfigMap") {
      return { t->versions[0].schema.get(), "", false };
    }
  }
  return {};
}

Json
config_map(const Json& data)
{
  return { { "apiVersion", "v1" },
           { "kind", "ConfigMap" },
           { "metadata", { { "name", "cm" }, { "namespace", "default" } } },
           { "data", data } };
}

TEST(ManagedFields, CreateRecordsEveryFieldForTheManager)
{
  Json obj = config_map({ { "a", "1" } });
  obj["metadata"]["labels"] = { { "x", "y" } };
  record_update(nullptr, obj, "kubectl-create", "v1", cm_scope(), k_now);
  ASSERT_EQ(obj["metadata"]["managedFields"].size(), 1U);
  const Json& e = obj["metadata"]["managedFields"][0];
  EXPECT_EQ(e["manager"], "kubectl-create");
  EXPECT_EQ(e["operation"], "Update");
  EXPECT_EQ(e["apiVersion"], "v1");
  EXPECT_EQ(e["time"], k_now);
  EXPECT_EQ(e["fieldsType"], "FieldsV1");
  EXPECT_EQ(e["fieldsV1"], Json::parse(R"({"f:data": {".": {}, "f:a": {}},
                                           "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})"));
}

TEST(ManagedFields, AnUpdateTakesOverTheFieldsItChanges)
{
  Json v1 = config_map({ { "a", "1" }, { "b", "2" } });
  record_update(nullptr, v1, "first", "v1", cm_scope(), k_now);
  Json v2 = v1;
  v2["data"]["a"] = "changed";
  record_update(&v1, v2, "second", "v1", cm_scope(), k_later);
  EXPECT_EQ(fields_of(v2, "first", "Update"), Json::parse(R"({"f:data": {".": {}, "f:b": {}}})"));
  EXPECT_EQ(fields_of(v2, "second", "Update"), Json::parse(R"({"f:data": {"f:a": {}}})"));
  // A removed field leaves everyone.
  Json v3 = v2;
  v3["data"].erase("b");
  record_update(&v2, v3, "second", "v1", cm_scope(), k_later);
  EXPECT_EQ(fields_of(v3, "first", "Update"), Json::parse(R"({"f:data": {}})"));
}

TEST(ManagedFields, ApplyConflictsWithAnotherManagerUnlessForced)
{
  const Json alice =
    server_side_apply(nullptr, config_map({ { "color", "blue" } }), "alice", false, "v1", cm_scope(), k_now);
  EXPECT_EQ(fields_of(alice, "alice", "Apply"), Json::parse(R"({"f:data": {"f:color": {}}})"));
  try {
    server_side_apply(&alice, config_map({ { "color", "red" } }), "bob", false, "v1", cm_scope(), k_later);
    FAIL() << "expected a conflict";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 409);
    EXPECT_EQ(e.reason(), "Conflict");
    EXPECT_EQ(e.message(), "Apply failed with 1 conflict: conflict with \"alice\": .data.color");
    const Json status = e.status();
    EXPECT_EQ(status["details"]["causes"],
              Json::parse(R"([{"reason": "FieldManagerConflict", "message": "conflict with \"alice\"",
                               "field": ".data.color"}])"));
  }
  const Json forced =
    server_side_apply(&alice, config_map({ { "color", "red" } }), "bob", true, "v1", cm_scope(), k_later);
  EXPECT_EQ(forced["data"]["color"], "red");
  EXPECT_EQ(fields_of(forced, "alice", "Apply"), nullptr); // owned nothing more: dropped
  EXPECT_EQ(fields_of(forced, "bob", "Apply"), Json::parse(R"({"f:data": {"f:color": {}}})"));
}

TEST(ManagedFields, ConflictsWithAnUpdaterNameItsApiVersionAndListEveryField)
{
  Json live = config_map({ { "a", "1" }, { "b", "2" } });
  record_update(nullptr, live, "kubectl-client-side-apply", "v1", cm_scope(), k_now);
  try {
    server_side_apply(&live, config_map({ { "a", "x" }, { "b", "y" } }), "kubectl", false, "v1", cm_scope(), k_later);
    FAIL() << "expected a conflict";
  } catch (const ApiError& e) {
    EXPECT_EQ(
      e.message(),
      "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using v1:\n- .data.a\n- .data.b");
  }
}

TEST(ManagedFields, ApplyingTheSameValueSharesOwnership)
{
  const Json alice =
    server_side_apply(nullptr, config_map({ { "color", "blue" } }), "alice", false, "v1", cm_scope(), k_now);
  const Json both =
    server_side_apply(&alice, config_map({ { "color", "blue" } }), "bob", false, "v1", cm_scope(), k_later);
  EXPECT_EQ(fields_of(both, "alice", "Apply"), Json::parse(R"({"f:data": {"f:color": {}}})"));
  EXPECT_EQ(fields_of(both, "bob", "Apply"), Json::parse(R"({"f:data": {"f:color": {}}})"));
}

TEST(ManagedFields, ApplyRemovesFieldsTheApplierDroppedUnlessAnotherApplierSetsThem)
{
  const Json first =
    server_side_apply(nullptr, config_map({ { "a", "1" }, { "b", "2" } }), "alice", false, "v1", cm_scope(), k_now);
  const Json dropped =
    server_side_apply(&first, config_map({ { "a", "1" } }), "alice", false, "v1", cm_scope(), k_later);
  EXPECT_EQ(dropped["data"], Json::parse(R"({"a": "1"})"));

  const Json shared = server_side_apply(&first, config_map({ { "b", "2" } }), "bob", false, "v1", cm_scope(), k_later);
  const Json kept = server_side_apply(&shared, config_map({ { "a", "1" } }), "alice", false, "v1", cm_scope(), k_later);
  EXPECT_EQ(kept["data"], Json::parse(R"({"a": "1", "b": "2"})"));
}

TEST(ManagedFields, MainResourceWritesDoNotTrackStatusAndStatusWritesTrackOnlyStatus)
{
  Json obj = { { "apiVersion", "x/v1" },
               { "kind", "K" },
               { "metadata", { { "name", "k" } } },
               { "spec", { { "a", 1 } } },
               { "status", { { "phase", "Up" } } } };
  Json main = obj;
  record_update(nullptr, main, "m", "x/v1", { nullptr, "", true }, k_now);
  EXPECT_EQ(fields_of(main, "m", "Update"), Json::parse(R"({"f:spec": {".": {}, "f:a": {}}})"));
  Json status = obj;
  record_update(nullptr, status, "s", "x/v1", { nullptr, "status", true }, k_now);
  EXPECT_EQ(fields_of(status, "s", "Update"), Json::parse(R"({"f:status": {".": {}, "f:phase": {}}})"));
  EXPECT_EQ(status["metadata"]["managedFields"][0]["subresource"], "status");
}

TEST(ManagedFields, UserAgentGivesTheDefaultManager)
{
  EXPECT_EQ(manager_from_user_agent("kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"), "kubectl");
  EXPECT_EQ(manager_from_user_agent("ocne"), "ocne");
}

} // namespace
} // namespace ocne::test::kube
