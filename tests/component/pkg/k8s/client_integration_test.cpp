#include "pkg/core/strings.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/wait.hpp"
#include "tests/component/pkg/clusterctl/capi_graph.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using ocne::test::kube::KubeTestServer;

class KubeClientTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    ocne::test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "kubeconfig";
    server = std::make_unique<KubeTestServer>(so);
    server->start();
    auto access = load_kubeconfig({ dir() / "kubeconfig" });
    ASSERT_TRUE(access) << access.error().message();
    ClientOptions options;
    options.retry.initial_backoff = std::chrono::milliseconds(10);
    client = std::make_unique<Client>(std::move(*access), options);
    server->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "ns" } } } });
  }

  static json
  configmap(const std::string& name, const json& data = json::object())
  {
    return { { "apiVersion", "v1" },
             { "kind", "ConfigMap" },
             { "metadata", { { "name", name }, { "namespace", "ns" } } },
             { "data", data } };
  }

  std::unique_ptr<KubeTestServer> server;
  std::unique_ptr<Client> client;
};

TEST_F(KubeClientTest, ConnectsWithTheClientCertificateOfTheWrittenKubeconfig)
{
  auto version = client->server_version();
  ASSERT_TRUE(version) << version.error().message();
  EXPECT_EQ(*version, "v1.32.4");
  EXPECT_FALSE(client->access().client_cert_pem.empty());
  EXPECT_FALSE(client->access().insecure_skip_tls_verify);
}

TEST_F(KubeClientTest, AServerWithAnotherCaFailsNamingKubeconfigAndContext)
{
  KubeconfigSpec spec;
  spec.name = "wrong-ca";
  spec.server = server->url();
  spec.ca_pem = ocne::test::make_test_ca("someone else").cert_pem;
  spec.client_cert_pem = server->client_cert_pem();
  spec.client_key_pem = Secret(server->client_key_pem());
  const auto path = dir() / "wrong.kubeconfig";
  ASSERT_TRUE(write_kubeconfig(path, make_kubeconfig(spec).reveal()));
  auto access = load_kubeconfig({ path });
  ASSERT_TRUE(access);
  Client wrong(std::move(*access));
  auto version = wrong.server_version();
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().kind(), ErrorKind::auth);
  const auto& message = version.error().message();
  EXPECT_TRUE(str::starts_with(message,
                               "connect to context \"wrong-ca\" (" + server->url() + "): GET " + server->url() +
                                 "/version: TLS verification failed: "))
    << message;
  EXPECT_TRUE(str::ends_with(message, "(kubeconfig " + path.string() + ", context \"wrong-ca\")")) << message;
}

TEST_F(KubeClientTest, AppliesTheClusterApiCrdSetAndCustomResourcesInOneStream)
{
  OCNE_REQUIRE_SHARED();
  std::string stream;
  for (const char* folder : { "crds/capi", "crds/oci" }) {
    for (const auto& entry : std::filesystem::directory_iterator(ocne::test::shared_path(folder))) {
      if (entry.path().extension() == ".yaml") {
        stream += "---\n" + *fs::read_file(entry.path()) + "\n";
      }
    }
  }
  // Custom resources of those CRDs come first in the stream on purpose.
  const std::string objects = R"(---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: demo, namespace: ns, labels: {cluster.x-k8s.io/cluster-name: demo}}
spec:
  clusterNetwork: {pods: {cidrBlocks: ["10.244.0.0/16"]}}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta2, kind: OCICluster, name: demo}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: OCICluster
metadata: {name: demo, namespace: ns}
spec: {compartmentId: "ocid1.compartment.oc1..x"}
)";
  auto applied = apply_manifest(*client, objects + stream, "capi.yaml", {}, null_progress());
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_GE(applied->size(), 20u);
  auto cluster = client->get({ "cluster.x-k8s.io/v1beta1", "Cluster", "ns", "demo" });
  ASSERT_TRUE(cluster) << cluster.error().message();
  EXPECT_EQ((*cluster)["spec"]["clusterNetwork"]["pods"]["cidrBlocks"][0], "10.244.0.0/16");
  // Applying the same stream again changes nothing and fails nothing.
  auto again = apply_manifest(*client, objects + stream, "capi.yaml", {}, null_progress());
  ASSERT_TRUE(again) << again.error().message();
}

TEST_F(KubeClientTest, SchemaRejectionNamesTheDocument)
{
  OCNE_REQUIRE_SHARED();
  clusterctl::test::load_capi_crds(*server);
  client->invalidate_discovery();
  auto applied =
    apply_manifest(*client,
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: ns}\n---\n"
                   "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {name: m, namespace: ns}\n"
                   "spec: {clusterName: demo}\n",
                   "bad.yaml",
                   {},
                   null_progress());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().kind(), ErrorKind::invalid_input);
  EXPECT_TRUE(str::starts_with(applied.error().message(), "bad.yaml:5: document 2: apply Machine ns/m: "))
    << applied.error().message();
}

TEST_F(KubeClientTest, StaleResourceVersionIsAConflict)
{
  auto created = client->create(configmap("cm", { { "a", "1" } }));
  ASSERT_TRUE(created) << created.error().message();
  auto changed = *created;
  changed["data"]["a"] = "2";
  server->update(changed);
  auto stale = *created;
  stale["data"]["a"] = "3";
  auto replaced = client->replace(stale);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().kind(), ErrorKind::conflict);
  EXPECT_TRUE(str::starts_with(replaced.error().message(), "update ConfigMap ns/cm: ")) << replaced.error().message();
  auto again = client->create(configmap("cm"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::already_exists);
  auto absent = client->create_if_absent(configmap("cm"));
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->second);
  EXPECT_EQ(absent->first["data"]["a"], "2");
}

TEST_F(KubeClientTest, ApplyConflictsAreForcedOnlyOnOurOwnObjects)
{
  server->apply(configmap("theirs", { { "a", "kubectl" } }), "kubectl");
  auto theirs = client->apply(configmap("theirs", { { "a", "ocne" } }));
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().kind(), ErrorKind::conflict);

  // Another manager forces one of our fields away. We still manage .data.b,
  // so the object stays ours (a manager whose every field is taken over
  // loses its managedFields entry, as in the real API server).
  ASSERT_TRUE(client->apply(configmap("ours", { { "a", "ocne" }, { "b", "ocne" } })));
  server->apply(configmap("ours", { { "a", "kubectl" } }), "kubectl", true);
  auto ours = client->apply(configmap("ours", { { "a", "ocne" }, { "b", "ocne" } }));
  ASSERT_TRUE(ours) << ours.error().message();
  EXPECT_EQ((*ours)["data"]["a"], "ocne");
}

TEST_F(KubeClientTest, ListsWithSelectorsAcrossPages)
{
  for (int i = 0; i < 25; ++i) {
    auto cm = configmap(fmt::format("cm-{:02}", i));
    cm["metadata"]["labels"] = { { "tier", i % 2 == 0 ? "even" : "odd" } };
    server->create(cm);
  }
  ListOptions options;
  options.namespace_ = "ns";
  options.label_selector = "tier=even";
  options.limit = 4;
  auto list = client->list({ "", "v1", "ConfigMap" }, options);
  ASSERT_TRUE(list) << list.error().message();
  EXPECT_EQ(list->items.size(), 13u);
  for (const auto& item : list->items) {
    EXPECT_EQ(item["metadata"]["labels"]["tier"], "even");
  }
  int pages = 0;
  for (const auto& r : server->requests()) {
    pages += str::starts_with(r.target, "/api/v1/namespaces/ns/configmaps?") ? 1 : 0;
  }
  EXPECT_EQ(pages, 4);
}

TEST_F(KubeClientTest, WatchSurvivesDisconnectsAndCompaction)
{
  server->create(configmap("first"));
  std::atomic<bool> done{ false };
  std::thread driver([&] {
    auto wait_watch = [&] {
      for (int i = 0; i < 500 && server->open_watches() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    };
    wait_watch();
    server->create(configmap("second"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server->disconnect_watches(true);
    server->create(configmap("third"));
    wait_watch();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server->disconnect_watches(true);
    server->remove("v1", "ConfigMap", "ns", "first");
    server->compact();
    server->create(configmap("last"));
  });
  WatchOptions options;
  options.list.namespace_ = "ns";
  options.timeout = std::chrono::seconds(30);
  options.reconnect_delay = std::chrono::milliseconds(300);
  std::set<std::string> added;
  std::set<std::string> deleted;
  WatchStats stats;
  auto status = client->watch(
    { "", "v1", "ConfigMap" },
    options,
    [&](const WatchEvent& e) {
      const auto name = string_at(*e.object, "/metadata/name");
      if (e.type == WatchEvent::Type::added) {
        added.insert(name);
      } else if (e.type == WatchEvent::Type::deleted) {
        deleted.insert(name);
      }
      return added.count("last") == 0 || deleted.count("first") == 0;
    },
    &stats);
  driver.join();
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(added, (std::set<std::string>{ "first", "second", "third", "last" }));
  EXPECT_EQ(deleted, std::set<std::string>{ "first" });
  EXPECT_GE(stats.reconnects, 1);
  EXPECT_GE(stats.relists, 1);
}

TEST_F(KubeClientTest, RetriesInjected503sAndConnectionResets)
{
  server->create(configmap("cm", { { "a", "1" } }));
  ocne::test::kube::Fault unavailable;
  unavailable.status = 503;
  unavailable.retry_after = 0;
  server->faults().fail_next(2, unavailable, "GET", "/api/v1/namespaces/ns/configmaps/cm");
  ocne::test::kube::Fault reset;
  reset.kind = ocne::test::kube::Fault::Kind::reset;
  server->faults().fail_next(1, reset, "GET", "/api/v1/namespaces/ns/configmaps/cm");
  auto cm = client->get({ "v1", "ConfigMap", "ns", "cm" });
  ASSERT_TRUE(cm) << cm.error().message();
  EXPECT_EQ(server->faults().injected(), 3);
  // Server-side apply is idempotent, so it is retried too.
  server->faults().fail_next(2, unavailable, "PATCH", "/api/v1/namespaces/ns/configmaps/cm");
  ASSERT_TRUE(client->apply(configmap("cm", { { "a", "2" } }), { ConflictPolicy::force, false }));
  // A plain create is not retried (a second POST may meet the first one's
  // object); create_if_absent is, since "exists" is success for it.
  server->faults().fail_next(1, unavailable, "POST", "/api/v1/namespaces/ns/configmaps");
  auto once = client->create(configmap("plain"));
  ASSERT_FALSE(once);
  EXPECT_EQ(once.error().kind(), ErrorKind::transient) << once.error().message();
  server->faults().fail_next(2, unavailable, "POST", "/api/v1/namespaces/ns/configmaps");
  auto retried = client->create_if_absent(configmap("plain"));
  ASSERT_TRUE(retried) << retried.error().message();
  EXPECT_TRUE(retried->second);
  EXPECT_EQ(server->faults().injected(), 8);
}

TEST_F(KubeClientTest, WaitsForADeploymentAScriptedControllerMakesAvailable)
{
  server->on({ .group = "apps", .kind = "Deployment", .delay = std::chrono::milliseconds(200) },
             [](KubeTestServer& s, const ocne::test::kube::ObjectEvent& e) {
               if (e.type != "ADDED") {
                 return;
               }
               auto d = *e.object;
               d["status"] = { { "observedGeneration", d["metadata"].value("generation", 1) },
                               { "replicas", 1 },
                               { "availableReplicas", 1 } };
               ocne::test::kube::set_condition(d, "Available", "True", "MinimumReplicasAvailable");
               s.update_status(d);
             });
  const json deployment = {
    { "apiVersion", "apps/v1" },
    { "kind", "Deployment" },
    { "metadata", { { "name", "capi-controller-manager" }, { "namespace", "ns" } } },
    { "spec",
      { { "replicas", 1 },
        { "selector", { { "matchLabels", { { "app", "capi" } } } } },
        { "template",
          { { "metadata", { { "labels", { { "app", "capi" } } } } },
            { "spec",
              { { "containers", { { { "name", "manager" }, { "image", "registry.k8s.io/capi:v1.12.3" } } } } } } } } } }
  };
  ASSERT_TRUE(client->apply(deployment));
  WaitOptions wait;
  wait.timeout = std::chrono::seconds(10);
  wait.interval = std::chrono::milliseconds(50);
  auto status = wait_deployment_available(*client, "ns", "capi-controller-manager", wait, null_progress());
  ASSERT_TRUE(status) << status.error().message();
}

TEST_F(KubeClientTest, DeletePropagatesToDependentsAndStatusIsASubresource)
{
  OCNE_REQUIRE_SHARED();
  clusterctl::test::load_capi_crds(*server);
  auto owner = client->create(configmap("owner"));
  ASSERT_TRUE(owner);
  auto dependent = configmap("dependent");
  dependent["metadata"]["ownerReferences"] = json::array({ { { "apiVersion", "v1" },
                                                             { "kind", "ConfigMap" },
                                                             { "name", "owner" },
                                                             { "uid", (*owner)["metadata"]["uid"] } } });
  ASSERT_TRUE(client->create(dependent));
  DeleteOptions del;
  del.propagation = Propagation::foreground;
  ASSERT_TRUE(client->remove({ "v1", "ConfigMap", "ns", "owner" }, del));
  WaitOptions wait;
  wait.timeout = std::chrono::seconds(10);
  wait.interval = std::chrono::milliseconds(50);
  ASSERT_TRUE(wait_deleted(*client, { "v1", "ConfigMap", "ns", "dependent" }, wait, null_progress()));
  ASSERT_TRUE(wait_deleted(*client, { "v1", "ConfigMap", "ns", "owner" }, wait, null_progress()));

  const json cluster = { { "apiVersion", "cluster.x-k8s.io/v1beta2" },
                         { "kind", "Cluster" },
                         { "metadata", { { "name", "demo" }, { "namespace", "ns" } } },
                         { "spec", { { "paused", true } } } };
  ASSERT_TRUE(client->apply(cluster));
  const ObjectRef ref{ "cluster.x-k8s.io/v1beta2", "Cluster", "ns", "demo" };
  auto patched = client->patch_status(ref, { { "initialization", { { "infrastructureProvisioned", true } } } });
  ASSERT_TRUE(patched) << patched.error().message();
  auto now = client->get(ref);
  ASSERT_TRUE(now);
  EXPECT_EQ((*now)["status"]["initialization"]["infrastructureProvisioned"], true);
  EXPECT_EQ((*now)["spec"]["paused"], true);
  // A status change through the main resource is ignored, as the API does.
  auto main = client->patch(ref, PatchType::merge, { { "status", { { "phase", "Provisioned" } } } });
  ASSERT_TRUE(main);
  EXPECT_FALSE((*client->get(ref))["status"].contains("phase"));
}

} // namespace
} // namespace ocne::k8s
