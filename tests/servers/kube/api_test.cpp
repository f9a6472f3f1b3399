// The API semantics, through the server's C++ API (same code path as HTTP).

#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/error_of.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/widget_crd.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

json
config_map(const std::string& name, const std::string& ns = "default", json data = { { "k", "v" } })
{
  return { { "apiVersion", "v1" },
           { "kind", "ConfigMap" },
           { "metadata", { { "name", name }, { "namespace", ns } } },
           { "data", data } };
}

json
widget(const std::string& name, json spec = { { "size", 1 } })
{
  return { { "apiVersion", "test.ocne.io/v1" },
           { "kind", "Widget" },
           { "metadata", { { "name", name }, { "namespace", "default" } } },
           { "spec", spec } };
}

json
owner_ref(const json& owner, bool block = false)
{
  json ref = { { "apiVersion", owner["apiVersion"] },
               { "kind", owner["kind"] },
               { "name", owner["metadata"]["name"] },
               { "uid", owner["metadata"]["uid"] } };
  if (block) {
    ref["blockOwnerDeletion"] = true;
  }
  return ref;
}

class ApiTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    server.start();
  }
  KubeTestServer server;
};

TEST_F(ApiTest, CreateSetsServerFieldsAndResourceVersionsGrowAcrossKinds)
{
  const auto cm = server.create(config_map("a"));
  EXPECT_EQ(cm["metadata"]["uid"].get<std::string>().size(), 36U);
  EXPECT_FALSE(cm["metadata"]["creationTimestamp"].get<std::string>().empty());
  EXPECT_FALSE(cm["metadata"].contains("generation")); // ConfigMaps have none
  const auto rv1 = std::stoull(cm["metadata"]["resourceVersion"].get<std::string>());
  const auto secret = server.create({ { "apiVersion", "v1" },
                                      { "kind", "Secret" },
                                      { "metadata", { { "name", "s" } } },
                                      { "stringData", { { "pw", "hunter2" } } } });
  const auto rv2 = std::stoull(secret["metadata"]["resourceVersion"].get<std::string>());
  EXPECT_GT(rv2, rv1);
  EXPECT_EQ(server.resource_version(), rv2);
  EXPECT_EQ(secret["data"]["pw"], "aHVudGVyMg=="); // stringData is written into data
  EXPECT_FALSE(secret.contains("stringData"));
  EXPECT_EQ(secret["type"], "Opaque");
}

TEST_F(ApiTest, CollisionsStaleUpdatesAndMissingObjectsFailLikeTheApiServer)
{
  const auto cm = server.create(config_map("a"));
  auto exists = error_of([&] { server.create(config_map("a")); });
  EXPECT_EQ(exists.code(), 409);
  EXPECT_EQ(exists.status(), json::parse(R"({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "configmaps \"a\" already exists", "reason": "AlreadyExists",
                            "details": {"name": "a", "kind": "configmaps"}, "code": 409})"));

  auto updated = cm;
  updated["data"]["k"] = "v2";
  const auto fresh = server.update(updated);
  EXPECT_EQ(fresh["data"]["k"], "v2");
  auto stale = error_of([&] { server.update(updated); }); // still carries the old resourceVersion
  EXPECT_EQ(stale.code(), 409);
  EXPECT_EQ(stale.reason(), "Conflict");
  EXPECT_EQ(stale.message(),
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your "
            "changes to the latest version and try again");

  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "missing"));
  auto missing = error_of([&] { server.remove("v1", "ConfigMap", "default", "missing"); });
  EXPECT_EQ(missing.status(), json::parse(R"({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "configmaps \"missing\" not found", "reason": "NotFound",
                            "details": {"name": "missing", "kind": "configmaps"}, "code": 404})"));
  auto deployment = error_of([&] { server.remove("apps/v1", "Deployment", "default", "web"); });
  EXPECT_EQ(deployment.message(), "deployments.apps \"web\" not found");
  EXPECT_EQ(deployment.status()["details"]["group"], "apps");
}

TEST_F(ApiTest, NoOpUpdatesKeepTheResourceVersion)
{
  const auto cm = server.create(config_map("a"));
  const auto same = server.update(cm);
  EXPECT_EQ(same["metadata"]["resourceVersion"], cm["metadata"]["resourceVersion"]);
}

TEST_F(ApiTest, NamespacesMustExistAndNamesMustBeValid)
{
  auto no_ns = error_of([&] { server.create(config_map("a", "nope")); });
  EXPECT_EQ(no_ns.code(), 404);
  EXPECT_EQ(no_ns.message(), "namespaces \"nope\" not found");

  auto bad = error_of([&] { server.create(config_map("Bad_Name")); });
  EXPECT_EQ(bad.code(), 422);
  EXPECT_EQ(bad.reason(), "Invalid");
  EXPECT_EQ(bad.message(),
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
            "an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

  auto unnamed = error_of([&] {
    server.create({ { "apiVersion", "v1" }, { "kind", "ConfigMap" }, { "metadata", json::object() } });
  });
  EXPECT_EQ(unnamed.message(),
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required");

  const auto generated =
    server.create({ { "apiVersion", "v1" }, { "kind", "ConfigMap" }, { "metadata", { { "generateName", "job-" } } } });
  const std::string name = generated["metadata"]["name"];
  EXPECT_EQ(name.size(), 9U);
  EXPECT_EQ(name.rfind("job-", 0), 0U);

  auto base64 = error_of([&] {
    server.create({ { "apiVersion", "v1" },
                    { "kind", "Secret" },
                    { "metadata", { { "name", "s" } } },
                    { "data", { { "k", "%%%" } } } });
  });
  EXPECT_EQ(base64.code(), 400);
  EXPECT_EQ(base64.message(),
            "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0");
}

TEST_F(ApiTest, DeploymentsNeedASelectorMatchingTheirTemplate)
{
  json d = { { "apiVersion", "apps/v1" },
             { "kind", "Deployment" },
             { "metadata", { { "name", "web" } } },
             { "spec",
               { { "selector", { { "matchLabels", { { "app", "web" } } } } },
                 { "template",
                   { { "metadata", { { "labels", { { "app", "other" } } } } },
                     { "spec", { { "containers", { { { "name", "c" }, { "image", "nginx" } } } } } } } } } } };
  auto e = error_of([&] { server.create(d); });
  EXPECT_EQ(e.message(),
            "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: "
            "`selector` does not match template `labels`");
  d["spec"]["template"]["metadata"]["labels"]["app"] = "web";
  const auto created = server.create(d);
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_EQ(created["spec"]["replicas"], 1); // defaulted
}

class CrdTest : public ApiTest
{
protected:
  void
  SetUp() override
  {
    ApiTest::SetUp();
    server.create(widget_crd());
  }
};

TEST_F(CrdTest, EstablishesTheCrdAndServesEveryServedVersion)
{
  const auto crd = *server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.test.ocne.io");
  const auto& conditions = crd["status"]["conditions"];
  ASSERT_EQ(conditions.size(), 2U);
  EXPECT_EQ(conditions[0]["type"], "NamesAccepted");
  EXPECT_EQ(conditions[1]["type"], "Established");
  EXPECT_EQ(conditions[1]["status"], "True");
  EXPECT_EQ(crd["status"]["storedVersions"], json::array({ "v1" }));
  EXPECT_EQ(crd["spec"]["names"]["listKind"], "WidgetList");

  server.create(widget("w1", { { "size", 2 } }));
  const auto beta = *server.get("test.ocne.io/v1beta1", "Widget", "default", "w1");
  EXPECT_EQ(beta["apiVersion"], "test.ocne.io/v1beta1");
  EXPECT_EQ(beta["spec"]["color"], "red"); // defaulted by the storage version's schema
}

TEST_F(CrdTest, ValidatesCustomResourcesAgainstTheSchema)
{
  auto e = error_of([&] { server.create(widget("w", { { "size", 0 }, { "color", "green" } })); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_EQ(e.message(),
            "Widget.test.ocne.io \"w\" is invalid: [spec.color: Unsupported value: \"green\": supported values: "
            "\"red\", \"blue\", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1]");
  const json status = e.status();
  EXPECT_EQ(status["details"]["kind"], "Widget");
  EXPECT_EQ(status["details"]["group"], "test.ocne.io");
  EXPECT_EQ(status["details"]["causes"][1], json::parse(R"({"reason": "FieldValueInvalid", "field": "spec.size",
                            "message": "Invalid value: 0: spec.size in body should be greater than or equal to 1"})"));
  auto required = error_of([&] { server.create(widget("w", json::object())); });
  EXPECT_EQ(required.message(), "Widget.test.ocne.io \"w\" is invalid: spec.size: Required value");
  auto unknown = error_of([&] { server.create(widget("w", { { "size", 1 }, { "shape", "round" } })); });
  EXPECT_EQ(unknown.code(), 400);
  EXPECT_EQ(
    unknown.message(),
    "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.shape\"");
  auto kind = error_of([&] { server.create({ { "apiVersion", "test.ocne.io/v1" }, { "kind", "Gadget" } }); });
  EXPECT_EQ(kind.code(), 404);
}

TEST_F(CrdTest, GenerationCountsSpecChangesAndStatusGoesThroughItsSubresource)
{
  auto w = server.create(widget("w", { { "size", 1 } }));
  EXPECT_EQ(w["metadata"]["generation"], 1);
  w["status"] = { { "phase", "Ignored" } };
  w["metadata"]["labels"] = { { "a", "b" } };
  w = server.update(w);
  EXPECT_EQ(w["metadata"]["generation"], 1); // metadata only; status is dropped on the main resource
  EXPECT_FALSE(w.contains("status"));
  w["spec"]["size"] = 5;
  w["status"] = { { "phase", "Running" } };
  w = server.update_status(w); // the status write ignores spec
  EXPECT_EQ(w["spec"]["size"], 1);
  EXPECT_EQ(w["status"]["phase"], "Running");
  EXPECT_EQ(w["metadata"]["generation"], 1);
  w["spec"]["size"] = 5;
  w = server.update(w);
  EXPECT_EQ(w["metadata"]["generation"], 2);
  EXPECT_EQ(w["status"]["phase"], "Running"); // the main resource keeps status

  auto unconditional = w;
  unconditional["metadata"].erase("resourceVersion");
  auto e = error_of([&] { server.update(unconditional); });
  EXPECT_EQ(e.message(),
            "Widget.test.ocne.io \"w\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for "
            "an update");
}

TEST_F(CrdTest, DeletingTheCrdDeletesItsResourcesAndStopsServingThem)
{
  server.create(widget("w"));
  server.remove("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.test.ocne.io");
  EXPECT_FALSE(server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.test.ocne.io"));
  auto e = error_of([&] { server.get("test.ocne.io/v1", "Widget", "default", "w"); });
  EXPECT_EQ(e.code(), 404);
}

TEST_F(CrdTest, ApplyMergesMapListsAndTracksOwners)
{
  auto w = widget("w", { { "size", 1 }, { "parts", { { { "name", "a" }, { "count", 1 } } } } });
  server.apply(w, "alice");
  server.apply(widget("w", { { "size", 1 }, { "parts", { { { "name", "b" }, { "count", 2 } } } } }), "bob");
  const auto merged = *server.get("test.ocne.io/v1", "Widget", "default", "w");
  EXPECT_EQ(merged["spec"]["parts"], json::parse(R"([{"name": "a", "count": 1}, {"name": "b", "count": 2}])"));
  const auto& managed = merged["metadata"]["managedFields"];
  ASSERT_EQ(managed.size(), 2U);
  EXPECT_EQ(managed[1]["manager"], "bob");
  EXPECT_EQ(
    managed[1]["fieldsV1"],
    json::parse(
      R"({"f:spec": {"f:size": {}, "f:parts": {"k:{\"name\":\"b\"}": {".": {}, "f:name": {}, "f:count": {}}}}})"));
  // alice drops her part: it goes, bob's stays.
  server.apply(widget("w", { { "size", 1 } }), "alice");
  EXPECT_EQ((*server.get("test.ocne.io/v1", "Widget", "default", "w"))["spec"]["parts"],
            json::parse(R"([{"name": "b", "count": 2}])"));
}

TEST_F(ApiTest, FinalizersHoldDeletionUntilRemoved)
{
  auto cm = config_map("held");
  cm["metadata"]["finalizers"] = { "example.com/hold" };
  server.create(cm);
  server.remove("v1", "ConfigMap", "default", "held");
  auto held = *server.get("v1", "ConfigMap", "default", "held");
  EXPECT_TRUE(held["metadata"].contains("deletionTimestamp"));
  held["metadata"]["finalizers"].push_back("example.com/more");
  auto e = error_of([&] { server.update(held); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_EQ(e.message(),
            "ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the "
            "object is being deleted, found new finalizers []string{\"example.com/more\"}");
  server.merge_patch("v1", "ConfigMap", "default", "held", { { "metadata", { { "finalizers", nullptr } } } });
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "held"));
}

TEST_F(ApiTest, GarbageCollectorHonoursPropagationPolicies)
{
  const auto owner = server.create(config_map("owner"));
  auto dep = config_map("dep");
  dep["metadata"]["ownerReferences"] = { owner_ref(owner) };
  server.create(dep);
  server.remove("v1", "ConfigMap", "default", "owner"); // background
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "dep"));

  const auto owner2 = server.create(config_map("owner2"));
  auto dep2 = config_map("dep2");
  dep2["metadata"]["ownerReferences"] = { owner_ref(owner2) };
  server.create(dep2);
  server.remove("v1", "ConfigMap", "default", "owner2", "Orphan");
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "owner2"));
  const auto orphan = *server.get("v1", "ConfigMap", "default", "dep2");
  EXPECT_FALSE(orphan["metadata"].contains("ownerReferences"));

  // Foreground: the owner waits for a blocking dependent, here held by a finalizer.
  const auto owner3 = server.create(config_map("owner3"));
  auto dep3 = config_map("dep3");
  dep3["metadata"]["ownerReferences"] = { owner_ref(owner3, true) };
  dep3["metadata"]["finalizers"] = { "example.com/hold" };
  server.create(dep3);
  server.remove("v1", "ConfigMap", "default", "owner3", "Foreground");
  const auto waiting = *server.get("v1", "ConfigMap", "default", "owner3");
  EXPECT_EQ(waiting["metadata"]["finalizers"], json::array({ "foregroundDeletion" }));
  EXPECT_TRUE((*server.get("v1", "ConfigMap", "default", "dep3"))["metadata"].contains("deletionTimestamp"));
  server.merge_patch("v1", "ConfigMap", "default", "dep3", { { "metadata", { { "finalizers", nullptr } } } });
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "dep3"));
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "owner3"));

  // A dependent whose owner never existed is collected.
  auto dangling = config_map("dangling");
  dangling["metadata"]["ownerReferences"] = { { { "apiVersion", "v1" },
                                                { "kind", "ConfigMap" },
                                                { "name", "ghost" },
                                                { "uid", "00000000-0000-4000-8000-000000000000" } } };
  server.create(dangling);
  EXPECT_FALSE(server.get("v1", "ConfigMap", "default", "dangling"));
}

TEST_F(ApiTest, DeletingANamespaceDeletesItsContentsFirst)
{
  server.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "team" } } } });
  auto cm = config_map("held", "team");
  cm["metadata"]["finalizers"] = { "example.com/hold" };
  server.create(cm);
  server.create(config_map("plain", "team"));
  server.remove("v1", "Namespace", "", "team");
  const auto ns = *server.get("v1", "Namespace", "", "team");
  EXPECT_EQ(ns["status"]["phase"], "Terminating");
  EXPECT_FALSE(server.get("v1", "ConfigMap", "team", "plain"));
  auto e = error_of([&] { server.create(config_map("new", "team")); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.message(),
            "configmaps \"new\" is forbidden: unable to create new content in namespace team because it is being "
            "terminated");
  server.merge_patch("v1", "ConfigMap", "team", "held", { { "metadata", { { "finalizers", nullptr } } } });
  EXPECT_FALSE(server.get("v1", "Namespace", "", "team"));
}

TEST_F(ApiTest, HooksPlayControllers)
{
  server.on({ .kind = "Deployment" }, [](KubeTestServer& s, const ObjectEvent& e) {
    if (e.type != "ADDED") {
      return;
    }
    json status = { { "apiVersion", "apps/v1" },
                    { "kind", "Deployment" },
                    { "metadata",
                      { { "name", (*e.object)["metadata"]["name"] },
                        { "namespace", (*e.object)["metadata"]["namespace"] } } } };
    set_condition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
    s.apply_status(status, "test-controller");
  });
  server.create({ { "apiVersion", "apps/v1" },
                  { "kind", "Deployment" },
                  { "metadata", { { "name", "web" } } },
                  { "spec",
                    { { "selector", { { "matchLabels", { { "app", "web" } } } } },
                      { "template",
                        { { "metadata", { { "labels", { { "app", "web" } } } } },
                          { "spec", { { "containers", json::array() } } } } } } } });
  server.wait_idle();
  const auto d = *server.get("apps/v1", "Deployment", "default", "web");
  EXPECT_EQ(d["status"]["conditions"][0]["type"], "Available");
  EXPECT_EQ(d["status"]["conditions"][0]["status"], "True");
}

TEST(ApiCrdDelay, ResourcesAreServedOnceTheCrdIsEstablished)
{
  ServerOptions o;
  // Long enough that a loaded machine still checks before it passes.
  o.crd_establish_delay = std::chrono::seconds(2);
  KubeTestServer server(o);
  server.start();
  server.create(widget_crd());
  EXPECT_EQ(error_of([&] { server.create(widget("w")); }).code(), 404);
  // The Established condition, found by type: "" while absent.
  const auto established = [&] {
    const auto crd = server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.test.ocne.io");
    if (!crd || !crd->contains("status") || !(*crd)["status"].contains("conditions")) {
      return std::string();
    }
    for (const auto& c : (*crd)["status"]["conditions"]) {
      if (c.value("type", "") == "Established") {
        return c.value("status", "");
      }
    }
    return std::string();
  };
  EXPECT_NE(established(), "True") << "established before the delay";
  bool done = false;
  for (int i = 0; i < 750 && !done; ++i) {
    done = established() == "True";
    if (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_TRUE(done) << "the CRD never became Established";
  EXPECT_NO_THROW(server.create(widget("w")));
}

TEST_F(ApiTest, ListsFilterByLabel)
{
  auto a = config_map("a");
  a["metadata"]["labels"] = { { "tier", "front" } };
  auto b = config_map("b");
  b["metadata"]["labels"] = { { "tier", "back" } };
  server.create(a);
  server.create(b);
  server.create(config_map("c", "kube-system"));
  const auto front = server.list("v1", "ConfigMap", "", "tier=front");
  ASSERT_EQ(front.size(), 1U);
  EXPECT_EQ(front[0]["metadata"]["name"], "a");
  EXPECT_EQ(front[0]["kind"], "ConfigMap");
  EXPECT_EQ(server.list("v1", "ConfigMap", "", "tier").size(), 2U);
  EXPECT_EQ(server.list("v1", "ConfigMap").size(), 3U);
  EXPECT_EQ(server.list("v1", "ConfigMap", "kube-system").size(), 1U);
}

TEST_F(ApiTest, TheFakeDeploymentControllerRollsDeploymentsOut)
{
  play_deployment_controller(server);
  server.create({ { "apiVersion", "apps/v1" },
                  { "kind", "Deployment" },
                  { "metadata", { { "name", "web" }, { "namespace", "kube-system" } } },
                  { "spec",
                    { { "replicas", 3 },
                      { "selector", { { "matchLabels", { { "app", "web" } } } } },
                      { "template",
                        { { "metadata", { { "labels", { { "app", "web" } } } } },
                          { "spec", { { "containers", json::array() } } } } } } } });
  server.wait_idle();
  const auto d = *server.get("apps/v1", "Deployment", "kube-system", "web");
  EXPECT_EQ(d["status"]["availableReplicas"], 3);
  EXPECT_EQ(d["status"]["updatedReplicas"], 3);
  EXPECT_EQ(d["status"]["observedGeneration"], 1);
  EXPECT_EQ(d["status"]["conditions"][0]["type"], "Available");
}

// As the kubelet: a pod that mounts a Secret that does not exist stays in
// ContainerCreating, so its Deployment is not Available until the Secret is
// created (a webhook is not reachable before cert-manager issued its
// certificate). An optional Secret volume does not hold it back.
TEST_F(ApiTest, TheFakeDeploymentControllerWaitsForMountedSecrets)
{
  play_deployment_controller(server);
  const auto deployment = [](const std::string& name, bool optional) {
    return json{
      { "apiVersion", "apps/v1" },
      { "kind", "Deployment" },
      { "metadata", { { "name", name }, { "namespace", "kube-system" } } },
      { "spec",
        { { "selector", { { "matchLabels", { { "app", name } } } } },
          { "template",
            { { "metadata", { { "labels", { { "app", name } } } } },
              { "spec",
                { { "containers", { { { "name", "manager" }, { "image", "example/manager:v1" } } } },
                  { "volumes",
                    { { { "name", "cert" },
                        { "secret", { { "secretName", name + "-cert" }, { "optional", optional } } } } } } } } } } } }
    };
  };
  server.create(deployment("webhook", false));
  server.create(deployment("relaxed", true));
  server.wait_idle();
  const auto available = [&](const std::string& name) {
    const auto d = server.get("apps/v1", "Deployment", "kube-system", name);
    for (const auto& c : (*d)["status"].value("conditions", json::array())) {
      if (c["type"] == "Available") {
        return c["status"] == "True";
      }
    }
    return false;
  };
  EXPECT_TRUE(available("relaxed"));
  EXPECT_FALSE(available("webhook"));
  const auto pods = server.list("v1", "Pod", "kube-system", "app=webhook");
  ASSERT_EQ(pods.size(), 1U);
  EXPECT_EQ(pods[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "ContainerCreating");

  server.create({ { "apiVersion", "v1" },
                  { "kind", "Secret" },
                  { "metadata", { { "name", "webhook-cert" }, { "namespace", "kube-system" } } } });
  server.wait_idle();
  EXPECT_TRUE(available("webhook"));
  EXPECT_TRUE(server.list("v1", "Pod", "kube-system", "app=webhook").empty());
}

// As the scheduler: pods that fit no node stay Pending with PodScheduled=False.
TEST_F(ApiTest, TheFakeDeploymentControllerCanLeavePodsUnschedulable)
{
  play_deployment_controller(
    server, DeploymentControllerOptions{ .delay = {}, .never_available = {}, .unschedulable = { "kube-system/web" } });
  server.create(
    { { "apiVersion", "apps/v1" },
      { "kind", "Deployment" },
      { "metadata", { { "name", "web" }, { "namespace", "kube-system" } } },
      { "spec",
        { { "selector", { { "matchLabels", { { "app", "web" } } } } },
          { "template",
            { { "metadata", { { "labels", { { "app", "web" } } } } },
              { "spec", { { "containers", { { { "name", "web" }, { "image", "example/web:v1" } } } } } } } } } } });
  server.wait_idle();
  const auto d = *server.get("apps/v1", "Deployment", "kube-system", "web");
  EXPECT_EQ(d["status"]["conditions"][0]["status"], "False");
  const auto pods = server.list("v1", "Pod", "kube-system", "app=web");
  ASSERT_EQ(pods.size(), 1U);
  EXPECT_EQ(pods[0]["status"]["phase"], "Pending");
  EXPECT_EQ(pods[0]["status"]["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(pods[0]["status"]["conditions"][0]["reason"], "Unschedulable");
}

TEST(Controllers, TheFakeClusterApiProvisionsClustersAndWritesTheirKubeconfig)
{
  OCNE_REQUIRE_SHARED();
  ServerOptions o;
  o.crd_paths = { shared_path("crds/capi/cluster.x-k8s.io_clusters.yaml") };
  KubeTestServer server(o);
  server.start();
  play_cluster_api(server, "apiVersion: v1\nkind: Config\n");
  server.create({ { "apiVersion", "cluster.x-k8s.io/v1beta1" },
                  { "kind", "Cluster" },
                  { "metadata", { { "name", "demo" }, { "namespace", "default" } } },
                  { "spec", { { "controlPlaneEndpoint", { { "host", "10.0.0.1" }, { "port", 6443 } } } } } });
  server.wait_idle();
  const auto cluster = *server.get("cluster.x-k8s.io/v1beta2", "Cluster", "default", "demo");
  EXPECT_EQ(cluster["status"]["phase"], "Provisioned");
  EXPECT_EQ(cluster["status"]["initialization"]["controlPlaneInitialized"], true);
  EXPECT_EQ(cluster["metadata"]["finalizers"], json::array({ "cluster.cluster.x-k8s.io" }));
  const auto secret = *server.get("v1", "Secret", "default", "demo-kubeconfig");
  EXPECT_EQ(secret["type"], "cluster.x-k8s.io/secret");
  EXPECT_EQ(secret["metadata"]["labels"]["cluster.x-k8s.io/cluster-name"], "demo");
  EXPECT_EQ(secret["data"]["value"], "YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCg==");

  server.remove("cluster.x-k8s.io/v1beta1", "Cluster", "default", "demo");
  server.wait_idle();
  EXPECT_FALSE(server.get("cluster.x-k8s.io/v1beta2", "Cluster", "default", "demo"));
  EXPECT_FALSE(server.get("v1", "Secret", "default", "demo-kubeconfig")); // collected with its owner
}

} // namespace
} // namespace ocne::test::kube
