// The server over HTTPS: authentication, discovery, Status bodies, watch
// streams, pagination, server-side apply requests and fault injection.

#include "pkg/core/fs.hpp"
#include "pkg/http/transport.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/widget_crd.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

class HttpTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    ServerOptions o;
    o.tokens = { "s3cr3t-token" };
    o.kubeconfig_path = dir() / "kubeconfig";
    o.bookmark_interval = std::chrono::milliseconds(100);
    server = std::make_unique<KubeTestServer>(o);
    server->start();
    http::TransportOptions t;
    t.tls.ca_pem = server->ca_pem();
    t.tls.client_cert_pem = server->client_cert_pem();
    t.tls.client_key_pem = Secret(server->client_key_pem());
    t.retry.max_attempts = 1;
    admin = std::make_unique<http::Transport>(t);
    http::TransportOptions anon;
    anon.tls.ca_pem = server->ca_pem();
    anon.retry.max_attempts = 1;
    anonymous = std::make_unique<http::Transport>(anon);
  }

  http::Response
  send(const std::string& method,
       const std::string& path,
       const std::string& body = "",
       const std::string& content_type = "application/json",
       const std::string& accept = "application/json")
  {
    http::Request r;
    r.method = method;
    r.url = server->url() + path;
    r.body = body;
    if (!body.empty()) {
      r.headers.set("Content-Type", content_type);
    }
    r.headers.set("Accept", accept);
    auto res = admin->send(std::move(r));
    if (!res) {
      ADD_FAILURE() << res.error().message();
      return {};
    }
    return *res;
  }

  std::unique_ptr<KubeTestServer> server;
  std::unique_ptr<http::Transport> admin;
  std::unique_ptr<http::Transport> anonymous;
};

TEST_F(HttpTest, AuthenticatesClientCertificatesAndBearerTokens)
{
  const auto none = anonymous->send({ .method = "GET", .url = server->url() + "/api/v1/namespaces" });
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(json::parse(none->body),
            json::parse(R"({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401})"));
  http::Request with_token{ .method = "GET", .url = server->url() + "/api/v1/namespaces" };
  with_token.headers.set("Authorization", "Bearer s3cr3t-token");
  EXPECT_EQ(anonymous->send(with_token)->status, 200);
  with_token.headers.set("Authorization", "Bearer wrong");
  EXPECT_EQ(anonymous->send(with_token)->status, 401);
  // /version is public, as on kube-apiserver.
  const auto version = anonymous->send({ .method = "GET", .url = server->url() + "/version" });
  EXPECT_EQ(json::parse(version->body)["gitVersion"], "v1.32.4");
  EXPECT_EQ(send("GET", "/api/v1/namespaces/default").status, 200);
  const auto records = server->requests();
  EXPECT_EQ(records.back().user, "kubernetes-admin");
}

TEST_F(HttpTest, WritesAPrivateKubeconfigWithEmbeddedCredentials)
{
  const auto mode = fs::file_mode(dir() / "kubeconfig");
  ASSERT_TRUE(mode);
  EXPECT_EQ(*mode, 0600U);
  const auto text = fs::read_file(dir() / "kubeconfig");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("server: " + server->url() + "\n"), std::string::npos);
  EXPECT_NE(text->find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(text->find("client-key-data: "), std::string::npos);
  EXPECT_NE(text->find("current-context: kubernetes-admin@ocne-test"), std::string::npos);
}

TEST_F(HttpTest, ServesDiscoveryDocuments)
{
  const auto api = json::parse(send("GET", "/api").body);
  EXPECT_EQ(api["kind"], "APIVersions");
  EXPECT_EQ(api["versions"], json::array({ "v1" }));
  const auto apis = json::parse(send("GET", "/apis").body);
  EXPECT_EQ(apis["kind"], "APIGroupList");
  bool apps = false;
  for (const auto& g : apis["groups"]) {
    apps = apps || (g["name"] == "apps" && g["preferredVersion"]["groupVersion"] == "apps/v1");
  }
  EXPECT_TRUE(apps);
  const auto resources = json::parse(send("GET", "/apis/apps/v1").body);
  std::vector<std::string> names;
  for (const auto& r : resources["resources"]) {
    names.push_back(r["name"]);
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "deployments/status"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "deployments/scale"), names.end());

  server->create(widget_crd());
  const auto aggregated = send(
    "GET", "/apis", "", "", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
  EXPECT_EQ(aggregated.header("Content-Type"), "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  const auto doc = json::parse(aggregated.body);
  EXPECT_EQ(doc["kind"], "APIGroupDiscoveryList");
  json widgets;
  for (const auto& item : doc["items"]) {
    if (item["metadata"]["name"] == "test.ocne.io") {
      widgets = item;
    }
  }
  ASSERT_FALSE(widgets.is_null());
  EXPECT_EQ(widgets["versions"][0]["version"], "v1"); // preferred first
  EXPECT_EQ(widgets["versions"][0]["resources"][0]["subresources"][0]["subresource"], "status");
  EXPECT_EQ(send("GET", "/apis/test.ocne.io").status, 200);
  EXPECT_EQ(send("GET", "/apis/no.such.group/v1").status, 404);

  const auto openapi = json::parse(send("GET", "/openapi/v3").body);
  ASSERT_TRUE(openapi["paths"].contains("apis/test.ocne.io/v1"));
  const std::string url = openapi["paths"]["apis/test.ocne.io/v1"]["serverRelativeURL"];
  const auto gv = json::parse(send("GET", url).body);
  EXPECT_TRUE(gv["components"]["schemas"].contains("io.ocne.test.v1.Widget"));
}

TEST_F(HttpTest, ErrorsAreStatusObjects)
{
  const auto missing = send("GET", "/api/v1/namespaces/default/configmaps/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body),
            json::parse(R"({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "configmaps \"nope\" not found", "reason": "NotFound",
                            "details": {"name": "nope", "kind": "configmaps"}, "code": 404})"));
  const auto malformed = send("POST", "/api/v1/namespaces/default/configmaps", "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json::parse(malformed.body)["reason"], "BadRequest");
  const auto unknown = send("GET", "/apis/apps/v1/namespaces/default/gizmos");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["message"], "the server could not find the requested resource");
  const auto selector = send("GET", "/api/v1/configmaps?labelSelector=a%20in%20()");
  EXPECT_EQ(selector.status, 400);
}

TEST_F(HttpTest, PaginatesWithStableContinueTokens)
{
  for (int i = 0; i < 5; ++i) {
    server->create({ { "apiVersion", "v1" },
                     { "kind", "ConfigMap" },
                     { "metadata", { { "name", "cm-" + std::to_string(i) }, { "namespace", "default" } } } });
  }
  const auto first = json::parse(send("GET", "/api/v1/namespaces/default/configmaps?limit=2").body);
  ASSERT_EQ(first["items"].size(), 2U);
  EXPECT_EQ(first["items"][0]["metadata"]["name"], "cm-0");
  EXPECT_EQ(first["metadata"]["remainingItemCount"], 3);
  EXPECT_FALSE(first["items"][0].contains("kind")); // typed lists carry no kind per item
  const std::string token = first["metadata"]["continue"];
  // Changes after the first page do not show in the rest of this list.
  server->remove("v1", "ConfigMap", "default", "cm-3");
  server->create({ { "apiVersion", "v1" },
                   { "kind", "ConfigMap" },
                   { "metadata", { { "name", "cm-9" }, { "namespace", "default" } } } });
  const auto second = json::parse(send("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=" + token).body);
  ASSERT_EQ(second["items"].size(), 2U);
  EXPECT_EQ(second["items"][0]["metadata"]["name"], "cm-2");
  EXPECT_EQ(second["items"][1]["metadata"]["name"], "cm-3");
  const auto third = json::parse(
    send("GET",
         "/api/v1/namespaces/default/configmaps?limit=2&continue=" + second["metadata"]["continue"].get<std::string>())
      .body);
  ASSERT_EQ(third["items"].size(), 1U);
  EXPECT_EQ(third["items"][0]["metadata"]["name"], "cm-4");
  EXPECT_FALSE(third["metadata"].contains("continue"));

  server->compact();
  const auto expired = send("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=" + token);
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(json::parse(expired.body)["reason"], "Expired");
  EXPECT_EQ(send("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=garbage").status, 400);
}

TEST_F(HttpTest, ServerSideApplyTakesYamlAndNeedsAFieldManager)
{
  const std::string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: \"1\"\n";
  const auto no_manager =
    send("PATCH", "/api/v1/namespaces/default/configmaps/applied", yaml, "application/apply-patch+yaml");
  EXPECT_EQ(no_manager.status, 422);
  EXPECT_EQ(json::parse(no_manager.body)["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  const auto created = send(
    "PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=me", yaml, "application/apply-patch+yaml");
  EXPECT_EQ(created.status, 201);
  const auto again = send(
    "PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=me", yaml, "application/apply-patch+yaml");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["metadata"]["resourceVersion"],
            json::parse(created.body)["metadata"]["resourceVersion"]);
  server->create(widget_crd());
  const auto smp = send("PATCH",
                        "/apis/test.ocne.io/v1/namespaces/default/widgets/w",
                        R"({"spec": {"size": 2}})",
                        "application/strategic-merge-patch+json");
  EXPECT_EQ(smp.status, 415);
}

TEST_F(HttpTest, UnknownFieldsWarnUnlessStrict)
{
  server->create(widget_crd());
  const std::string body =
    R"({"apiVersion": "test.ocne.io/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1, "extra": true}})";
  const auto warned = send("POST", "/apis/test.ocne.io/v1/namespaces/default/widgets", body);
  EXPECT_EQ(warned.status, 201);
  EXPECT_EQ(warned.header("Warning"), "299 - \"unknown field \\\"spec.extra\\\"\"");
  EXPECT_FALSE(json::parse(warned.body)["spec"].contains("extra")); // pruned
  const auto strict =
    send("POST", "/apis/test.ocne.io/v1/namespaces/default/widgets?fieldValidation=Strict", json::parse(body).dump());
  EXPECT_EQ(strict.status, 400);
}

TEST_F(HttpTest, TablesForKubectlGet)
{
  server->create(widget_crd());
  server->create({ { "apiVersion", "test.ocne.io/v1" },
                   { "kind", "Widget" },
                   { "metadata", { { "name", "w" }, { "namespace", "default" } } },
                   { "spec", { { "size", 3 } } } });
  const auto table = json::parse(send("GET",
                                      "/apis/test.ocne.io/v1/namespaces/default/widgets",
                                      "",
                                      "",
                                      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
                                   .body);
  EXPECT_EQ(table["kind"], "Table");
  ASSERT_EQ(table["columnDefinitions"].size(), 3U);
  EXPECT_EQ(table["columnDefinitions"][1]["name"], "Size");
  EXPECT_EQ(table["rows"][0]["cells"], json::parse(R"(["w", 3, null])"));
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
}

// Collects a watch stream's events in a thread.
class WatchStream
{
public:
  WatchStream(const http::Transport& t, const std::string& url)
  {
    m_thread = std::thread([this, &t, url] {
      http::Request r{ .method = "GET", .url = url };
      r.on_body = [this](std::string_view chunk) {
        const std::lock_guard lock(m_mutex);
        m_buffer.append(chunk);
        for (auto nl = m_buffer.find('\n'); nl != std::string::npos; nl = m_buffer.find('\n')) {
          m_events.push_back(json::parse(m_buffer.substr(0, nl)));
          m_buffer.erase(0, nl + 1);
        }
        return true;
      };
      auto res = t.send(std::move(r));
      m_ok = res.has_value();
      m_done = true;
    });
  }
  ~WatchStream()
  {
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }
  // Waits until n events arrived (or 10 s).
  std::vector<json>
  wait(std::size_t n)
  {
    return wait_until([n](const std::vector<json>& events) { return events.size() >= n; });
  }
  // Waits until n events other than bookmarks arrived (or 10 s): bookmarks
  // come on a timer, so their number depends on how fast the test runs.
  std::vector<json>
  wait_changes(std::size_t n)
  {
    return wait_until([n](const std::vector<json>& events) {
      return static_cast<std::size_t>(
               std::count_if(events.begin(), events.end(), [](const json& e) { return e["type"] != "BOOKMARK"; })) >= n;
    });
  }
  template<typename Done>
  std::vector<json>
  wait_until(Done done)
  {
    for (int i = 0; i < 500; ++i) {
      {
        const std::lock_guard lock(m_mutex);
        if (done(m_events)) {
          return m_events;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::lock_guard lock(m_mutex);
    return m_events;
  }
  void
  join()
  {
    m_thread.join();
  }
  bool
  ok() const
  {
    return m_ok;
  }

private:
  std::thread m_thread;
  std::mutex m_mutex;
  std::string m_buffer;
  std::vector<json> m_events;
  std::atomic<bool> m_done{ false };
  std::atomic<bool> m_ok{ false };
};

TEST_F(HttpTest, WatchStreamsChangesFromAResourceVersion)
{
  const auto before = server->create({ { "apiVersion", "v1" },
                                       { "kind", "ConfigMap" },
                                       { "metadata", { { "name", "old" }, { "namespace", "default" } } } });
  const std::string rv = before["metadata"]["resourceVersion"];
  WatchStream watch(*admin,
                    server->url() +
                      "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=" + rv);
  auto cm = server->create(
    { { "apiVersion", "v1" },
      { "kind", "ConfigMap" },
      { "metadata", { { "name", "new" }, { "namespace", "default" }, { "labels", { { "a", "b" } } } } } });
  cm["data"] = { { "k", "v" } };
  server->update(cm);
  server->remove("v1", "ConfigMap", "default", "new");
  auto events = watch.wait_changes(3);
  std::vector<std::string> types;
  for (const auto& e : events) {
    if (e["type"] != "BOOKMARK") {
      types.push_back(e["type"]);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{ "ADDED", "MODIFIED", "DELETED" }));
  json first;
  for (const auto& e : events) {
    if (e["type"] != "BOOKMARK" && first.is_null()) {
      first = e;
    }
  }
  EXPECT_EQ(first["object"]["metadata"]["name"], "new"); // not "old": it is older than rv
  EXPECT_EQ(first["object"]["apiVersion"], "v1");
  // Bookmarks come when asked for.
  bool bookmark = false;
  for (int i = 0; i < 50 && !bookmark; ++i) {
    for (const auto& e : watch.wait(events.size() + 1)) {
      bookmark = bookmark || e["type"] == "BOOKMARK";
    }
  }
  EXPECT_TRUE(bookmark);
  EXPECT_EQ(server->open_watches(), 1);
  server->disconnect_watches(false);
  watch.join();
  EXPECT_TRUE(watch.ok()); // a clean end of the stream
  EXPECT_EQ(server->open_watches(), 0);
}

TEST_F(HttpTest, WatchWithSelectorsSeesObjectsLeaveAndEnter)
{
  server->create({ { "apiVersion", "v1" },
                   { "kind", "ConfigMap" },
                   { "metadata", { { "name", "x" }, { "namespace", "default" } } } });
  WatchStream watch(*admin, server->url() + "/api/v1/configmaps?watch=true&labelSelector=role%3Dweb");
  for (int i = 0; i < 3000 && server->open_watches() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server->open_watches(), 1); // else the label changes would come before it
  auto cm = *server->get("v1", "ConfigMap", "default", "x");
  cm["metadata"]["labels"] = { { "role", "web" } };
  cm = server->update(cm);
  cm["metadata"]["labels"]["role"] = "db";
  server->update(cm);
  const auto events = watch.wait(2);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "DELETED");
  server->disconnect_watches(true);
  // Ended watches stop counting at once, so a test can wait for a client's
  // new watch without seeing the old one.
  EXPECT_EQ(server->open_watches(), 0);
  watch.join();
  EXPECT_FALSE(watch.ok()); // an abrupt end is a transport error for the client
}

TEST_F(HttpTest, WatchFromACompactedVersionGetsGone)
{
  server->create({ { "apiVersion", "v1" },
                   { "kind", "ConfigMap" },
                   { "metadata", { { "name", "a" }, { "namespace", "default" } } } });
  const auto old_rv = server->resource_version() - 1;
  server->compact();
  WatchStream watch(
    *admin, server->url() + "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + std::to_string(old_rv));
  watch.join();
  const auto events = watch.wait(1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["type"], "ERROR");
  EXPECT_EQ(events[0]["object"]["code"], 410);
  EXPECT_EQ(events[0]["object"]["reason"], "Expired");
  EXPECT_EQ(events[0]["object"]["message"].get<std::string>().rfind("too old resource version: ", 0), 0U);
}

TEST_F(HttpTest, InjectsStatusFaultsWithRetryAfterAndResets)
{
  server->faults().fail_next(1, { .status = 503, .retry_after = 2 }, "GET", "/api/v1/namespaces");
  const auto busy = send("GET", "/api/v1/namespaces");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("Retry-After"), "2");
  const auto status = json::parse(busy.body);
  EXPECT_EQ(status["reason"], "ServiceUnavailable");
  EXPECT_EQ(status["details"]["retryAfterSeconds"], 2);
  EXPECT_EQ(send("GET", "/api/v1/namespaces").status, 200);

  // libcurl sends a request again by itself when a reused connection dies
  // before any answer, so both attempts are reset.
  server->faults().fail_next(2, { .kind = Fault::Kind::reset }, "GET", "/api/v1/namespaces");
  const auto reset = admin->send({ .method = "GET", .url = server->url() + "/api/v1/namespaces" });
  EXPECT_FALSE(reset);
  server->faults().clear();
  server->faults().fail_next(1, { .kind = Fault::Kind::drop_mid_body }, "GET", "/api/v1/namespaces");
  const auto dropped = admin->send({ .method = "GET", .url = server->url() + "/api/v1/namespaces" });
  EXPECT_FALSE(dropped);
  EXPECT_GE(server->faults().injected(), 3);
  EXPECT_EQ(send("GET", "/api/v1/namespaces").status, 200);
}

} // namespace
} // namespace ocne::test::kube
