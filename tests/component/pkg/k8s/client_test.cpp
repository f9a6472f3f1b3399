#include "pkg/k8s/client.hpp"

#include "pkg/core/strings.hpp"
#include "tests/component/pkg/k8s/fake_api.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using test::FakeApi;

ClientOptions
fast_options()
{
  ClientOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(5);
  o.retry.max_backoff = std::chrono::milliseconds(20);
  return o;
}

class ClientTest : public ::testing::Test
{
protected:
  FakeApi api;
};

TEST_F(ClientTest, GetSendsTokenAndMapsThePath)
{
  api.routes().Get("/api/v1/namespaces/ns1/configmaps/cm1", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"cm1","namespace":"ns1"},"data":{"a":"b"}})", "application/json");
  });
  api.start();
  Client client(api.access(), fast_options());
  auto cm = client.get({ "v1", "ConfigMap", "ns1", "cm1" });
  ASSERT_TRUE(cm) << cm.error().message();
  EXPECT_EQ((*cm)["data"]["a"], "b");
  EXPECT_EQ((*cm)["kind"], "ConfigMap");
  EXPECT_EQ((*cm)["apiVersion"], "v1");
  const auto gets = api.seen("GET", "/api/v1/namespaces/");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].authorization, "Bearer test-token");
}

TEST_F(ClientTest, NotFoundCarriesTheServerMessage)
{
  api.routes().Get("/api/v1/namespaces/ns1/configmaps/missing", [](const httplib::Request&, httplib::Response& res) {
    FakeApi::not_found(res, "configmaps \"missing\" not found");
  });
  api.start();
  Client client(api.access(), fast_options());
  auto cm = client.get({ "v1", "ConfigMap", "ns1", "missing" });
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(cm.error().message(), "get ConfigMap ns1/missing: configmaps \"missing\" not found");
  auto found = client.find({ "v1", "ConfigMap", "ns1", "missing" });
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(ClientTest, ApplyIsServerSideWithOurFieldManagerAndDefaultNamespace)
{
  api.routes().Patch("/apis/apps/v1/namespaces/default/deployments/web",
                     [](const httplib::Request& req, httplib::Response& res) {
                       auto body = json::parse(req.body);
                       body["metadata"]["uid"] = "u1";
                       res.set_content(body.dump(), "application/json");
                     });
  api.start();
  Client client(api.access(), fast_options());
  const json deployment = { { "apiVersion", "apps/v1" },
                            { "kind", "Deployment" },
                            { "metadata", { { "name", "web" }, { "managedFields", json::array() } } },
                            { "spec", { { "replicas", 2 } } } };
  auto applied = client.apply(deployment);
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_EQ((*applied)["metadata"]["uid"], "u1");
  const auto patches = api.seen("PATCH", "/apis/apps/v1/");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].content_type, "application/apply-patch+yaml");
  EXPECT_EQ(patches[0].query, "fieldManager=ocne");
  const auto sent = json::parse(patches[0].body);
  EXPECT_EQ(sent["metadata"]["namespace"], "default");
  EXPECT_FALSE(sent["metadata"].contains("managedFields"));
}

TEST_F(ClientTest, ApplyForcesConflictsOnlyOnObjectsWeManage)
{
  std::atomic<int> patches{ 0 };
  auto conflict_unless_forced = [&](const httplib::Request& req, httplib::Response& res) {
    ++patches;
    if (req.get_param_value("force") != "true") {
      FakeApi::status(
        res, 409, "Conflict", "Apply failed with 1 conflict: conflict with \"kubectl\" using v1: .data.a");
      return;
    }
    res.set_content(req.body, "application/json");
  };
  api.routes().Patch("/api/v1/namespaces/ns/configmaps/ours", conflict_unless_forced);
  api.routes().Patch("/api/v1/namespaces/ns/configmaps/theirs", conflict_unless_forced);
  api.routes().Get("/api/v1/namespaces/ns/configmaps/ours", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"ours","managedFields":[{"manager":"ocne","operation":"Apply"}]}})",
                    "application/json");
  });
  api.routes().Get("/api/v1/namespaces/ns/configmaps/theirs", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"theirs","managedFields":[{"manager":"kubectl","operation":"Apply"}]}})",
                    "application/json");
  });
  api.start();
  Client client(api.access(), fast_options());
  json cm = { { "apiVersion", "v1" },
              { "kind", "ConfigMap" },
              { "metadata", { { "name", "ours" }, { "namespace", "ns" } } } };
  ASSERT_TRUE(client.apply(cm));
  EXPECT_EQ(patches.load(), 2);

  cm["metadata"]["name"] = "theirs";
  auto theirs = client.apply(cm);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(theirs.error().message(),
            "apply ConfigMap ns/theirs: Apply failed with 1 conflict: conflict with \"kubectl\" using v1: .data.a");

  ApplyOptions force;
  force.conflicts = ConflictPolicy::force;
  EXPECT_TRUE(client.apply(cm, force));
}

TEST_F(ClientTest, ListFollowsContinueTokensAndPassesSelectors)
{
  api.routes().Get("/api/v1/namespaces/ns/secrets", [](const httplib::Request& req, httplib::Response& res) {
    const auto token = req.get_param_value("continue");
    const int page = token.empty() ? 0 : std::stoi(token);
    json items = json::array();
    for (int i = 0; i < 2; ++i) {
      items.push_back({ { "metadata", { { "name", "s" + std::to_string(page * 2 + i) } } } });
    }
    json list = { { "kind", "SecretList" },
                  { "apiVersion", "v1" },
                  { "metadata", { { "resourceVersion", "77" } } },
                  { "items", items } };
    if (page < 2) {
      list["metadata"]["continue"] = std::to_string(page + 1);
    }
    res.set_content(list.dump(), "application/json");
  });
  api.start();
  Client client(api.access(), fast_options());
  ListOptions options;
  options.namespace_ = "ns";
  options.label_selector = "cluster.x-k8s.io/cluster-name=demo";
  options.limit = 2;
  auto list = client.list({ "", "v1", "Secret" }, options);
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_EQ(list->items.size(), 6u);
  EXPECT_EQ(list->items[5]["metadata"]["name"], "s5");
  EXPECT_EQ(list->items[5]["kind"], "Secret");
  EXPECT_EQ(list->resource_version, "77");
  const auto gets = api.seen("GET", "/api/v1/namespaces/ns/secrets");
  ASSERT_EQ(gets.size(), 3u);
  EXPECT_EQ(gets[0].query, "labelSelector=cluster.x-k8s.io/cluster-name=demo&limit=2");
  EXPECT_EQ(gets[2].query, "continue=2&labelSelector=cluster.x-k8s.io/cluster-name=demo&limit=2");
}

TEST_F(ClientTest, RetriesAfter503AndConnectionResets)
{
  api.routes().Get("/api/v1/namespaces/ns/configmaps/cm", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"cm"}})", "application/json");
  });
  api.start();
  ocne::test::Fault unavailable;
  unavailable.status = 503;
  unavailable.retry_after = 0;
  api.faults().fail_next(2, unavailable, "GET", "/api/v1/namespaces/ns/configmaps/cm");
  ocne::test::Fault reset;
  reset.kind = ocne::test::Fault::Kind::drop_mid_body;
  api.faults().fail_next(1, reset, "GET", "/api/v1/namespaces/ns/configmaps/cm");
  Client client(api.access(), fast_options());
  auto cm = client.get({ "v1", "ConfigMap", "ns", "cm" });
  ASSERT_TRUE(cm) << cm.error().message();
  EXPECT_EQ(api.faults().injected(), 3);
}

TEST_F(ClientTest, GivesUpAfterTheRetryBudgetWithTheLastAnswer)
{
  api.start();
  ocne::test::Fault unavailable;
  unavailable.status = 503;
  unavailable.body =
    R"({"kind":"Status","message":"etcdserver: leader changed","reason":"ServiceUnavailable","code":503})";
  api.faults().fail_next(100, unavailable, "GET", "/api/v1/namespaces/ns/configmaps/cm");
  auto options = fast_options();
  options.retry.max_attempts = 3;
  Client client(api.access(), options);
  auto cm = client.get({ "v1", "ConfigMap", "ns", "cm" });
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().kind(), ErrorKind::transient);
  EXPECT_EQ(cm.error().message(), "get ConfigMap ns/cm: etcdserver: leader changed");
  EXPECT_EQ(api.faults().injected(), 3);
}

TEST_F(ClientTest, CreateIfAbsentReturnsTheExistingObject)
{
  api.routes().Post("/api/v1/namespaces/ns/configmaps", [](const httplib::Request&, httplib::Response& res) {
    FakeApi::status(res, 409, "AlreadyExists", "configmaps \"cm\" already exists");
  });
  api.routes().Get("/api/v1/namespaces/ns/configmaps/cm", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"cm","namespace":"ns","uid":"old"}})", "application/json");
  });
  api.start();
  Client client(api.access(), fast_options());
  const json cm = { { "apiVersion", "v1" },
                    { "kind", "ConfigMap" },
                    { "metadata", { { "name", "cm" }, { "namespace", "ns" } } } };
  auto created = client.create(cm);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind(), ErrorKind::already_exists);
  auto existing = client.create_if_absent(cm);
  ASSERT_TRUE(existing) << existing.error().message();
  EXPECT_FALSE(existing->second);
  EXPECT_EQ(existing->first["metadata"]["uid"], "old");
}

TEST_F(ClientTest, DeleteSendsThePropagationPolicy)
{
  api.routes().Delete("/api/v1/namespaces/ns/configmaps/cm", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"Status","status":"Success"})", "application/json");
  });
  api.routes().Delete("/api/v1/namespaces/ns/configmaps/gone", [](const httplib::Request&, httplib::Response& res) {
    FakeApi::not_found(res, "configmaps \"gone\" not found");
  });
  api.start();
  Client client(api.access(), fast_options());
  DeleteOptions options;
  options.propagation = Propagation::foreground;
  ASSERT_TRUE(client.remove({ "v1", "ConfigMap", "ns", "cm" }, options));
  EXPECT_EQ(api.seen("DELETE", "/api/v1/namespaces/ns/configmaps/cm")[0].query, "propagationPolicy=Foreground");
  auto gone = client.remove({ "v1", "ConfigMap", "ns", "gone" });
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind(), ErrorKind::not_found);
  options.ignore_not_found = true;
  EXPECT_TRUE(client.remove({ "v1", "ConfigMap", "ns", "gone" }, options));
}

TEST_F(ClientTest, PatchStatusTargetsTheSubresource)
{
  api.routes().Patch(
    "/apis/apps/v1/namespaces/ns/deployments/d/status",
    [](const httplib::Request& req, httplib::Response& res) { res.set_content(req.body, "application/json"); });
  api.start();
  Client client(api.access(), fast_options());
  auto patched = client.patch_status({ "apps/v1", "Deployment", "ns", "d" }, { { "availableReplicas", 1 } });
  ASSERT_TRUE(patched) << patched.error().message();
  const auto sent = api.seen("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/status");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(json::parse(sent[0].body), json({ { "status", { { "availableReplicas", 1 } } } }));
}

TEST_F(ClientTest, DiscoveryIsCachedAndRefreshedForUnknownKinds)
{
  api.routes().Get("/apis/example.com/v1/namespaces/ns/widgets/w", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"w"}})", "application/json");
  });
  api.start();
  Client client(api.access(), fast_options());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.mapping({ "", "v1", "ConfigMap" }));
  }
  EXPECT_EQ(api.core_discovery.load(), 1);

  auto missing = client.get({ "example.com/v1", "Widget", "ns", "w" });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(missing.error().message(),
            "the server context \"fake\" (" + api.url() + ") does not serve example.com/v1 (is its CRD installed?)");

  api.widgets_installed = true;
  auto found = client.get({ "example.com/v1", "Widget", "ns", "w" });
  ASSERT_TRUE(found) << found.error().message();
  auto mapping = client.mapping({ "example.com", "v1", "Gadget" });
  ASSERT_TRUE(mapping);
  EXPECT_FALSE(mapping->namespaced);
  EXPECT_EQ(mapping->resource, "gadgets");
  EXPECT_TRUE(client.mapping({ "example.com", "v1", "Widget" })->has_status);
  EXPECT_EQ(api.example_discovery.load(), 2);

  auto unknown = client.mapping({ "example.com", "v1", "Sprocket" });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(),
            "the server context \"fake\" (" + api.url() +
              ") has no kind Sprocket in example.com/v1 (is its CRD installed?)");
}

TEST_F(ClientTest, UnreachableServerNamesKubeconfigAndContext)
{
  ClusterAccess access;
  access.server = "http://127.0.0.1:1";
  access.context = "gone";
  access.file = "/home/u/.kube/config";
  auto options = fast_options();
  options.retry.max_attempts = 2;
  Client client(access, options);
  auto version = client.server_version();
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().kind(), ErrorKind::transient);
  EXPECT_EQ(version.error().message().rfind(
              "connect to context \"gone\" (http://127.0.0.1:1): GET http://127.0.0.1:1/version: ", 0),
            0u)
    << version.error().message();
  EXPECT_TRUE(ocne::str::ends_with(version.error().message(), "(kubeconfig /home/u/.kube/config, context \"gone\")"))
    << version.error().message();
}

} // namespace
} // namespace ocne::k8s
