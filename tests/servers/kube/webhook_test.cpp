// Conversion and admission webhooks: the server calls them as kube-apiserver
// does (ConversionReview, AdmissionReview, rules, selectors, failurePolicy,
// caBundle, Service routing) and fails requests with its messages.

#include "pkg/core/secret.hpp"
#include "pkg/http/transport.hpp"
#include "tests/servers/kube/error_of.hpp"
#include "tests/servers/kube/https_server.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/pki.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

std::string
b64(const std::string& s)
{
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    out += { k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63] };
  }
  if (i + 1 == s.size()) {
    const unsigned v = static_cast<unsigned char>(s[i]) << 16;
    out += { k[v >> 18], k[(v >> 12) & 63], '=', '=' };
  } else if (i + 2 == s.size()) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += { k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '=' };
  }
  return out;
}

// A webhook server of the test's own: answers reviews with answer(review).
class FakeWebhook
{
public:
  explicit FakeWebhook(std::vector<std::string> sans = { "IP:127.0.0.1", "DNS:hooks.webhooks.svc" })
    : m_ca(make_ca("test-webhook-ca"))
  {
    const CertKey cert = issue_cert(m_ca, "hooks", {}, sans, false, true);
    m_server = std::make_unique<HttpsServer>(TlsFiles{ cert.cert_pem, cert.key_pem, "" },
                                             [this](const HttpRequest& req, HttpResponse& res) {
                                               json review = json::parse(req.body);
                                               {
                                                 const std::lock_guard lock(m_mutex);
                                                 m_reviews.push_back(review);
                                                 m_paths.push_back(req.target);
                                               }
                                               res.set_header("Content-Type", "application/json");
                                               res.body = answer(review).dump();
                                             });
    m_server->start("127.0.0.1", 0);
  }
  ~FakeWebhook()
  {
    m_server->stop();
  }

  std::string
  url(const std::string& path) const
  {
    return "https://127.0.0.1:" + std::to_string(port()) + path;
  }
  int
  port() const
  {
    return m_server->port();
  }
  std::string
  ca_bundle() const
  {
    return b64(m_ca.cert_pem);
  }
  std::vector<json>
  reviews() const
  {
    const std::lock_guard lock(m_mutex);
    return m_reviews;
  }
  std::vector<std::string>
  paths() const
  {
    const std::lock_guard lock(m_mutex);
    return m_paths;
  }
  void
  stop()
  {
    m_server->stop();
  }

  std::function<json(const json&)> answer;

private:
  CertKey m_ca;
  std::unique_ptr<HttpsServer> m_server;
  mutable std::mutex m_mutex;
  std::vector<json> m_reviews;
  std::vector<std::string> m_paths;
};

// v1 (storage) says spec.size, v2 says spec.count.
json
gadget_crd(const json& client_config)
{
  const json schema = {
    { "openAPIV3Schema",
      { { "type", "object" },
        { "properties",
          { { "spec", { { "type", "object" }, { "x-kubernetes-preserve-unknown-fields", true } } },
            { "status", { { "type", "object" }, { "x-kubernetes-preserve-unknown-fields", true } } } } } } }
  };
  return { { "apiVersion", "apiextensions.k8s.io/v1" },
           { "kind", "CustomResourceDefinition" },
           { "metadata", { { "name", "gadgets.test.ocne.io" } } },
           { "spec",
             { { "group", "test.ocne.io" },
               { "names", { { "kind", "Gadget" }, { "plural", "gadgets" } } },
               { "scope", "Namespaced" },
               { "conversion",
                 { { "strategy", "Webhook" },
                   { "webhook", { { "conversionReviewVersions", { "v1" } }, { "clientConfig", client_config } } } } },
               { "versions",
                 { { { "name", "v1" },
                     { "served", true },
                     { "storage", true },
                     { "schema", schema },
                     { "subresources", { { "status", json::object() } } } },
                   { { "name", "v2" },
                     { "served", true },
                     { "storage", false },
                     { "schema", schema },
                     { "subresources", { { "status", json::object() } } } } } } } } };
}

// What a conversion webhook for gadgets answers.
json
convert_gadgets(const json& review)
{
  const json& req = review["request"];
  json out = json::array();
  for (auto o : req["objects"]) {
    const std::string to = req["desiredAPIVersion"];
    if (to == "test.ocne.io/v2" && o["spec"].contains("size")) {
      o["spec"]["count"] = o["spec"]["size"];
      o["spec"].erase("size");
    } else if (to == "test.ocne.io/v1" && o["spec"].contains("count")) {
      o["spec"]["size"] = o["spec"]["count"];
      o["spec"].erase("count");
    }
    o["apiVersion"] = to;
    out.push_back(o);
  }
  return { { "apiVersion", "apiextensions.k8s.io/v1" },
           { "kind", "ConversionReview" },
           { "response",
             { { "uid", req["uid"] }, { "convertedObjects", out }, { "result", { { "status", "Success" } } } } } };
}

json
allow(const json& review, json extra = json::object())
{
  json response = { { "uid", review["request"]["uid"] }, { "allowed", true } };
  response.update(extra);
  return { { "apiVersion", "admission.k8s.io/v1" }, { "kind", "AdmissionReview" }, { "response", response } };
}

json
gadget(const std::string& name, int size)
{
  return { { "apiVersion", "test.ocne.io/v1" },
           { "kind", "Gadget" },
           { "metadata", { { "name", name }, { "namespace", "default" } } },
           { "spec", { { "size", size } } } };
}

json
configmap(const std::string& name, json labels = json::object())
{
  json cm = { { "apiVersion", "v1" },
              { "kind", "ConfigMap" },
              { "metadata", { { "name", name }, { "namespace", "default" } } },
              { "data", { { "k", "v" } } } };
  if (!labels.empty()) {
    cm["metadata"]["labels"] = labels;
  }
  return cm;
}

json
webhook_config(const std::string& kind, const json& webhook)
{
  return { { "apiVersion", "admissionregistration.k8s.io/v1" },
           { "kind", kind },
           { "metadata", { { "name", "test-hooks" } } },
           { "webhooks", { webhook } } };
}

json
hook(const std::string& name, const json& client_config, const std::vector<json>& rules)
{
  return { { "name", name },
           { "clientConfig", client_config },
           { "rules", rules },
           { "sideEffects", "None" },
           { "admissionReviewVersions", { "v1" } } };
}

json
rule(std::vector<std::string> operations,
     std::string group,
     std::vector<std::string> versions,
     std::vector<std::string> resources)
{
  return {
    { "operations", operations }, { "apiGroups", { group } }, { "apiVersions", versions }, { "resources", resources }
  };
}

class WebhookTest : public test::TempDirTest
{
protected:
  void
  start(bool admit_direct_calls = true)
  {
    ServerOptions o;
    o.admit_direct_calls = admit_direct_calls;
    server = std::make_unique<KubeTestServer>(o);
    server->start();
  }

  int
  reviews_of_kind(const std::string& kind) const
  {
    int n = 0;
    for (const auto& r : hooks.reviews()) {
      n += r.value("kind", "") == kind ? 1 : 0;
    }
    return n;
  }

  FakeWebhook hooks;
  std::unique_ptr<KubeTestServer> server;
};

// ---- conversion -------------------------------------------------------------

TEST_F(WebhookTest, ConversionIsCalledForOtherVersionsAndItsAnswerIsUsed)
{
  hooks.answer = convert_gadgets;
  start();
  server->create(gadget_crd({ { "url", hooks.url("/convert") }, { "caBundle", hooks.ca_bundle() } }));
  server->create(gadget("a", 3));
  server->create(gadget("b", 4));
  EXPECT_EQ(reviews_of_kind("ConversionReview"), 0) << "the storage version needs no webhook";

  const auto a = server->get("test.ocne.io/v2", "Gadget", "default", "a");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["apiVersion"], "test.ocne.io/v2");
  EXPECT_EQ((*a)["spec"], json({ { "count", 3 } }));
  ASSERT_EQ(reviews_of_kind("ConversionReview"), 1);
  const json review = hooks.reviews().back();
  EXPECT_EQ(review["apiVersion"], "apiextensions.k8s.io/v1");
  EXPECT_EQ(review["request"]["desiredAPIVersion"], "test.ocne.io/v2");
  EXPECT_EQ(review["request"]["objects"][0]["spec"], json({ { "size", 3 } }));
  EXPECT_EQ(hooks.paths().back(), "/convert?timeout=30s");

  // A list is one review with every object.
  const auto items = server->list("test.ocne.io/v2", "Gadget", "default");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1]["spec"], json({ { "count", 4 } }));
  ASSERT_EQ(reviews_of_kind("ConversionReview"), 2);
  EXPECT_EQ(hooks.reviews().back()["request"]["objects"].size(), 2u);

  // A write at v2 is stored at v1, converted by the webhook.
  json c = gadget("c", 5);
  c["apiVersion"] = "test.ocne.io/v2";
  c["spec"] = { { "count", 5 } };
  const json created = server->create(c);
  EXPECT_EQ(created["spec"], json({ { "count", 5 } }));
  const int before = reviews_of_kind("ConversionReview");
  EXPECT_EQ((*server->get("test.ocne.io/v1", "Gadget", "default", "c"))["spec"], json({ { "size", 5 } }));
  EXPECT_EQ((*server->get("test.ocne.io/v1", "Gadget", "default", "a"))["spec"], json({ { "size", 3 } }));
  server->list("test.ocne.io/v1", "Gadget");
  EXPECT_EQ(reviews_of_kind("ConversionReview"), before) << "reads at the storage version call nothing";

  // A merge patch at v2 works on the v2 object.
  server->merge_patch("test.ocne.io/v2", "Gadget", "default", "a", { { "spec", { { "count", 9 } } } });
  EXPECT_EQ((*server->get("test.ocne.io/v1", "Gadget", "default", "a"))["spec"], json({ { "size", 9 } }));
}

TEST_F(WebhookTest, AnUnreachableConversionWebhookFailsReadsAtOtherVersionsWithKubeApiserversMessage)
{
  hooks.answer = convert_gadgets;
  start();
  const std::string url = hooks.url("/convert");
  const int port = hooks.port();
  hooks.stop();
  server->create(gadget_crd({ { "url", url }, { "caBundle", hooks.ca_bundle() } }));
  server->create(gadget("a", 3));
  EXPECT_TRUE(server->get("test.ocne.io/v1", "Gadget", "default", "a"));

  const auto e = error_of([&] { server->get("test.ocne.io/v2", "Gadget", "default", "a"); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_EQ(e.reason(), "");
  const std::string where = "https://127.0.0.1:" + std::to_string(port) + "/convert?timeout=30s";
  EXPECT_EQ(e.message(),
            "conversion webhook for test.ocne.io/v1, Kind=Gadget failed: Post \"" + where +
              "\": dial tcp 127.0.0.1:" + std::to_string(port) + ": connect: connection refused");
  EXPECT_EQ(error_of([&] { server->list("test.ocne.io/v2", "Gadget"); }).code(), 500);
  json c = gadget("c", 5);
  c["apiVersion"] = "test.ocne.io/v2";
  const auto w = error_of([&] { server->create(c); });
  EXPECT_EQ(w.code(), 500);
  EXPECT_EQ(w.message().rfind("conversion webhook for test.ocne.io/v2, Kind=Gadget failed: Post ", 0), 0u)
    << w.message();
  EXPECT_FALSE(server->get("test.ocne.io/v1", "Gadget", "default", "c"));
}

TEST_F(WebhookTest, AWrongOrEmptyCaBundleFailsTheCallAsAnUnknownAuthority)
{
  hooks.answer = convert_gadgets;
  start();
  const CertKey other = make_ca("someone-else");
  server->create(gadget_crd({ { "url", hooks.url("/convert") }, { "caBundle", b64(other.cert_pem) } }));
  server->create(gadget("a", 3));
  const auto e = error_of([&] { server->get("test.ocne.io/v2", "Gadget", "default", "a"); });
  EXPECT_EQ(e.message(),
            "conversion webhook for test.ocne.io/v1, Kind=Gadget failed: Post \"" + hooks.url("/convert?timeout=30s") +
              "\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
  EXPECT_EQ(reviews_of_kind("ConversionReview"), 0);

  auto crd = *server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "gadgets.test.ocne.io");
  crd["spec"]["conversion"]["webhook"]["clientConfig"].erase("caBundle");
  server->update(crd);
  EXPECT_NE(error_of([&] { server->get("test.ocne.io/v2", "Gadget", "default", "a"); })
              .message()
              .find("x509: certificate signed by unknown authority"),
            std::string::npos);

  crd = *server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "gadgets.test.ocne.io");
  crd["spec"]["conversion"]["webhook"]["clientConfig"]["caBundle"] = hooks.ca_bundle();
  server->update(crd);
  EXPECT_TRUE(server->get("test.ocne.io/v2", "Gadget", "default", "a"));
}

TEST_F(WebhookTest, AServiceIsReachedOnlyWhileItHasAReadyEndpointAndARoute)
{
  hooks.answer = convert_gadgets;
  start();
  server->create(
    gadget_crd({ { "service", { { "namespace", "webhooks" }, { "name", "hooks" }, { "path", "/convert" } } },
                 { "caBundle", hooks.ca_bundle() } }));
  server->create(gadget("a", 3));
  const std::string where = "Post \"https://hooks.webhooks.svc:443/convert?timeout=30s\": ";
  const std::string prefix = "conversion webhook for test.ocne.io/v1, Kind=Gadget failed: " + where;
  auto read = [&] { server->get("test.ocne.io/v2", "Gadget", "default", "a"); };

  EXPECT_EQ(error_of(read).message(), prefix + "service \"hooks\" not found");
  server->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "webhooks" } } } });
  server->create({ { "apiVersion", "v1" },
                   { "kind", "Service" },
                   { "metadata", { { "name", "hooks" }, { "namespace", "webhooks" } } },
                   { "spec", { { "ports", { { { "port", 8443 }, { "targetPort", 9443 } } } } } } });
  EXPECT_EQ(error_of(read).message(), prefix + "no service port '\xc6\xbb' found for service \"hooks\"");
  server->merge_patch("v1",
                      "Service",
                      "webhooks",
                      "hooks",
                      { { "spec", { { "ports", { { { "port", 443 }, { "targetPort", 9443 } } } } } } });
  EXPECT_EQ(error_of(read).message(), prefix + "no endpoints available for service \"hooks\"");
  server->create(
    { { "apiVersion", "v1" },
      { "kind", "Endpoints" },
      { "metadata", { { "name", "hooks" }, { "namespace", "webhooks" } } },
      { "subsets", { { { "addresses", { { { "ip", "10.244.0.10" } } } }, { "ports", { { { "port", 9443 } } } } } } } });
  EXPECT_EQ(error_of(read).message(), prefix + "dial tcp hooks.webhooks.svc:443: connect: connection refused");
  server->route_service("webhooks", "hooks", 443, hooks.url(""));
  const auto a = server->get("test.ocne.io/v2", "Gadget", "default", "a");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["spec"], json({ { "count", 3 } }));
  // The pods go away: no ready address.
  server->merge_patch("v1", "Endpoints", "webhooks", "hooks", { { "subsets", json::array() } });
  EXPECT_EQ(error_of(read).message(), prefix + "no endpoints available for service \"hooks\"");
}

TEST_F(WebhookTest, AConversionThatFailsOrAnswersBadlyIsA500)
{
  start();
  server->create(gadget_crd({ { "url", hooks.url("/convert") }, { "caBundle", hooks.ca_bundle() } }));
  server->create(gadget("a", 3));
  const std::string prefix = "conversion webhook for test.ocne.io/v1, Kind=Gadget failed: ";
  auto read = [&] { server->get("test.ocne.io/v2", "Gadget", "default", "a"); };
  hooks.answer = [](const json& review) {
    return json{ { "apiVersion", "apiextensions.k8s.io/v1" },
                 { "kind", "ConversionReview" },
                 { "response",
                   { { "uid", review["request"]["uid"] },
                     { "result", { { "status", "Failure" }, { "message", "cannot convert size" } } } } } };
  };
  EXPECT_EQ(error_of(read).message(), prefix + "cannot convert size");
  hooks.answer = [](const json& review) {
    json r = convert_gadgets(review);
    r["response"]["convertedObjects"] = json::array();
    return r;
  };
  EXPECT_EQ(error_of(read).message(), prefix + "expected 1 converted objects, got 0");
  hooks.answer = [](const json& review) {
    json r = convert_gadgets(review);
    r["response"]["uid"] = "not-it";
    return r;
  };
  EXPECT_EQ(error_of(read).message().rfind(prefix + "expected response uid ", 0), 0u);
}

TEST_F(WebhookTest, AWatchAtAnotherVersionSeesConvertedObjects)
{
  hooks.answer = convert_gadgets;
  start(false);
  server->create(gadget_crd({ { "url", hooks.url("/convert") }, { "caBundle", hooks.ca_bundle() } }));
  server->create(gadget("a", 3));

  http::TransportOptions t;
  t.tls.ca_pem = server->ca_pem();
  t.tls.client_cert_pem = server->client_cert_pem();
  t.tls.client_key_pem = Secret(server->client_key_pem());
  t.retry.max_attempts = 1;
  http::Transport admin(t);
  const auto r =
    admin.send({ .method = "GET",
                 .url = server->url() + "/apis/test.ocne.io/v2/namespaces/default/gadgets?watch=1&timeoutSeconds=1" });
  ASSERT_TRUE(r) << r.error().message();
  const json first = json::parse(r->body.substr(0, r->body.find('\n')));
  EXPECT_EQ(first["type"], "ADDED");
  EXPECT_EQ(first["object"]["apiVersion"], "test.ocne.io/v2");
  EXPECT_EQ(first["object"]["spec"], json({ { "count", 3 } }));
}

// ---- admission --------------------------------------------------------------

TEST_F(WebhookTest, AValidatingWebhookThatDeniesRefusesTheWriteWithItsStatus)
{
  hooks.answer = [](const json& review) {
    return allow(review, { { "allowed", false }, { "status", { { "message", "no red configmaps" } } } });
  };
  start();
  server->create(webhook_config("ValidatingWebhookConfiguration",
                                hook("deny.test.ocne.io",
                                     { { "url", hooks.url("/validate") }, { "caBundle", hooks.ca_bundle() } },
                                     { rule({ "CREATE" }, "", { "v1" }, { "configmaps" }) })));
  const auto e = error_of([&] { server->create(configmap("red")); });
  EXPECT_EQ(e.code(), 400);
  EXPECT_EQ(e.message(), "admission webhook \"deny.test.ocne.io\" denied the request: no red configmaps");
  EXPECT_FALSE(server->get("v1", "ConfigMap", "default", "red"));
  const json review = hooks.reviews().back();
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["request"]["operation"], "CREATE");
  EXPECT_EQ(review["request"]["kind"], json({ { "group", "" }, { "version", "v1" }, { "kind", "ConfigMap" } }));
  EXPECT_EQ(review["request"]["resource"],
            json({ { "group", "" }, { "version", "v1" }, { "resource", "configmaps" } }));
  EXPECT_EQ(review["request"]["namespace"], "default");
  EXPECT_EQ(review["request"]["name"], "red");
  EXPECT_EQ(review["request"]["object"]["data"], json({ { "k", "v" } }));
  EXPECT_TRUE(review["request"]["oldObject"].is_null());
  EXPECT_EQ(hooks.paths().back(), "/validate?timeout=10s");

  hooks.answer = [](const json& r) {
    return allow(r,
                 { { "allowed", false },
                   { "status", { { "code", 403 }, { "reason", "Forbidden" }, { "message", "not today" } } } });
  };
  const auto f = error_of([&] { server->create(configmap("blue")); });
  EXPECT_EQ(f.code(), 403);
  EXPECT_EQ(f.reason(), "Forbidden");
  EXPECT_EQ(f.message(), "admission webhook \"deny.test.ocne.io\" denied the request: not today");
  // UPDATE is not in the rule.
  hooks.answer = [](const json& r) { return allow(r); };
  server->create(configmap("green"));
  hooks.answer = [](const json& r) { return allow(r, { { "allowed", false } }); };
  const int calls = static_cast<int>(hooks.reviews().size());
  server->merge_patch("v1", "ConfigMap", "default", "green", { { "data", { { "k", "w" } } } });
  EXPECT_EQ(static_cast<int>(hooks.reviews().size()), calls);
  EXPECT_EQ(error_of([&] { server->create(configmap("pink")); }).message(),
            "admission webhook \"deny.test.ocne.io\" denied the request without explanation");
}

TEST_F(WebhookTest, AMutatingWebhooksJsonPatchIsAppliedBeforeValidation)
{
  hooks.answer = [](const json& review) {
    if (review["request"]["object"]["metadata"]["name"] != "m") {
      return allow(review);
    }
    const json patch =
      json::array({ { { "op", "add" }, { "path", "/metadata/labels" }, { "value", { { "mutated", "yes" } } } } });
    return allow(review, { { "patchType", "JSONPatch" }, { "patch", b64(patch.dump()) } });
  };
  start();
  server->create(webhook_config("MutatingWebhookConfiguration",
                                hook("mutate.test.ocne.io",
                                     { { "url", hooks.url("/mutate") }, { "caBundle", hooks.ca_bundle() } },
                                     { rule({ "CREATE", "UPDATE" }, "", { "v1" }, { "configmaps" }) })));
  const json created = server->create(configmap("m"));
  EXPECT_EQ(created["metadata"]["labels"], json({ { "mutated", "yes" } }));
  EXPECT_EQ((*server->get("v1", "ConfigMap", "default", "m"))["metadata"]["labels"], json({ { "mutated", "yes" } }));
}

TEST_F(WebhookTest, AnUnreachableWebhookFailsTheWriteUnlessItsFailurePolicyIsIgnore)
{
  start();
  const std::string url = hooks.url("/validate");
  const std::string port = std::to_string(hooks.port());
  hooks.stop();
  json wh = hook("gone.test.ocne.io",
                 { { "url", url }, { "caBundle", hooks.ca_bundle() } },
                 { rule({ "*" }, "", { "v1" }, { "configmaps" }) });
  server->create(webhook_config("ValidatingWebhookConfiguration", wh));
  const auto e = error_of([&] { server->create(configmap("x")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_EQ(e.reason(), "InternalError");
  const std::string why = "failed calling webhook \"gone.test.ocne.io\": failed to call webhook: Post \"" + url +
                          "?timeout=10s\": dial tcp 127.0.0.1:" + port + ": connect: connection refused";
  EXPECT_EQ(e.message(), "Internal error occurred: " + why);
  EXPECT_EQ(e.status()["details"]["causes"], json::array({ { { "message", why } } }));
  EXPECT_FALSE(server->get("v1", "ConfigMap", "default", "x"));

  wh["failurePolicy"] = "Ignore";
  auto config = *server->get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "test-hooks");
  config["webhooks"] = { wh };
  server->update(config);
  server->create(configmap("x"));
  EXPECT_TRUE(server->get("v1", "ConfigMap", "default", "x"));
}

TEST_F(WebhookTest, RulesMatchOperationsResourcesSubresourcesVersionsAndSelectors)
{
  hooks.answer = [](const json& review) { return allow(review); };
  start();
  server->create(gadget_crd({ { "url", hooks.url("/convert") }, { "caBundle", hooks.ca_bundle() } }));
  json wh = hook("rules.test.ocne.io",
                 { { "url", hooks.url("/validate") }, { "caBundle", hooks.ca_bundle() } },
                 { rule({ "CREATE", "DELETE" }, "test.ocne.io", { "v2" }, { "gadgets" }),
                   rule({ "UPDATE" }, "test.ocne.io", { "v1" }, { "gadgets/status" }) });
  wh["objectSelector"] = { { "matchLabels", { { "watched", "yes" } } } };
  wh["namespaceSelector"] = { { "matchExpressions", { { { "key", "skip" }, { "operator", "DoesNotExist" } } } } };
  server->create(webhook_config("ValidatingWebhookConfiguration", wh));
  hooks.answer = [](const json& review) {
    if (review.value("kind", "") == "ConversionReview") {
      return convert_gadgets(review);
    }
    return allow(review);
  };
  auto admissions = [&] { return reviews_of_kind("AdmissionReview"); };

  json g = gadget("g", 1);
  server->create(g);
  EXPECT_EQ(admissions(), 0) << "the object selector does not match";
  g["metadata"]["name"] = "h";
  g["metadata"]["labels"] = { { "watched", "yes" } };
  server->create(g);
  ASSERT_EQ(admissions(), 1) << "v1 is Equivalent to the rule's v2";
  json review;
  for (const auto& r : hooks.reviews()) {
    if (r["kind"] == "AdmissionReview") {
      review = r;
    }
  }
  EXPECT_EQ(review["request"]["kind"]["version"], "v2");
  EXPECT_EQ(review["request"]["requestKind"]["version"], "v1");
  EXPECT_EQ(review["request"]["object"]["apiVersion"], "test.ocne.io/v2");
  EXPECT_EQ(review["request"]["object"]["spec"], json({ { "count", 1 } }));

  server->merge_patch("test.ocne.io/v1", "Gadget", "default", "h", { { "spec", { { "size", 2 } } } });
  EXPECT_EQ(admissions(), 1) << "UPDATE of the main resource is not in the rules";
  server->merge_patch("test.ocne.io/v1", "Gadget", "default", "h", { { "status", { { "ok", true } } } }, "status");
  ASSERT_EQ(admissions(), 2) << "gadgets/status UPDATE is";
  server->remove("test.ocne.io/v1", "Gadget", "default", "h");
  EXPECT_EQ(admissions(), 3);
  EXPECT_EQ(hooks.reviews().back()["request"]["operation"], "DELETE");
  EXPECT_TRUE(hooks.reviews().back()["request"]["object"].is_null());
  EXPECT_EQ(hooks.reviews().back()["request"]["oldObject"]["metadata"]["name"], "h");

  server->create({ { "apiVersion", "v1" },
                   { "kind", "Namespace" },
                   { "metadata", { { "name", "quiet" }, { "labels", { { "skip", "true" } } } } } });
  g["metadata"]["name"] = "q";
  g["metadata"]["namespace"] = "quiet";
  server->create(g);
  EXPECT_EQ(admissions(), 3) << "the namespace selector excludes namespace quiet";

  // Exact: the rule's v2 no longer stands for v1.
  auto config = *server->get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "test-hooks");
  config["webhooks"][0]["matchPolicy"] = "Exact";
  server->update(config);
  g["metadata"]["name"] = "e";
  g["metadata"]["namespace"] = "default";
  server->create(g);
  EXPECT_EQ(admissions(), 3);
}

TEST_F(WebhookTest, DirectCallsSkipAdmissionUnlessAskedButHttpRequestsDoNot)
{
  hooks.answer = [](const json& review) { return allow(review, { { "allowed", false } }); };
  start(false);
  server->create(webhook_config("ValidatingWebhookConfiguration",
                                hook("deny.test.ocne.io",
                                     { { "url", hooks.url("/validate") }, { "caBundle", hooks.ca_bundle() } },
                                     { rule({ "CREATE" }, "", { "v1" }, { "configmaps" }) })));
  server->create(configmap("direct"));
  EXPECT_TRUE(hooks.reviews().empty());

  http::TransportOptions t;
  t.tls.ca_pem = server->ca_pem();
  t.tls.client_cert_pem = server->client_cert_pem();
  t.tls.client_key_pem = Secret(server->client_key_pem());
  t.retry.max_attempts = 1;
  http::Transport admin(t);
  http::Request req;
  req.method = "POST";
  req.url = server->url() + "/api/v1/namespaces/default/configmaps";
  req.body = configmap("over-http").dump();
  req.headers.set("Content-Type", "application/json");
  const auto r = admin.send(std::move(req));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body),
            json::parse(R"({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "admission webhook \"deny.test.ocne.io\" denied the request without explanation",
                            "code": 400})"));
  EXPECT_EQ(hooks.reviews().size(), 1u);
}

} // namespace
} // namespace ocne::test::kube
