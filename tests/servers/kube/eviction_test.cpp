// The eviction subresource and the fake disruption and ReplicaSet
// controllers: the rules of kube-apiserver's eviction.go, over HTTPS.

#include "pkg/http/transport.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/pod_controllers.hpp"
#include "tests/support/kube_workloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

class EvictionTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    server.start();
    http::TransportOptions t;
    t.tls.ca_pem = server.ca_pem();
    t.tls.client_cert_pem = server.client_cert_pem();
    t.tls.client_key_pem = Secret(server.client_key_pem());
    t.retry.max_attempts = 1;
    admin = std::make_unique<http::Transport>(t);
    add_node(server, "n1");
    add_node(server, "n2");
  }

  http::Response
  post(const std::string& path, const json& body)
  {
    http::Request r;
    r.method = "POST";
    r.url = server.url() + path;
    r.body = body.dump();
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Accept", "application/json");
    auto res = admin->send(std::move(r));
    if (!res) {
      ADD_FAILURE() << res.error().message();
      return {};
    }
    return *res;
  }

  http::Response
  evict(const std::string& pod, const std::string& ns = "default", json delete_options = nullptr)
  {
    json body = { { "apiVersion", "policy/v1" },
                  { "kind", "Eviction" },
                  { "metadata", { { "name", pod }, { "namespace", ns } } } };
    if (!delete_options.is_null()) {
      body["deleteOptions"] = delete_options;
    }
    return post("/api/v1/namespaces/" + ns + "/pods/" + pod + "/eviction", body);
  }

  bool
  exists(const std::string& pod, const std::string& ns = "default")
  {
    return server.get("v1", "Pod", ns, pod).has_value();
  }

  json
  budget_status(const std::string& name)
  {
    server.wait_idle();
    return (*server.get("policy/v1", "PodDisruptionBudget", "default", name))["status"];
  }

  KubeTestServer server;
  std::unique_ptr<http::Transport> admin;
};

TEST_F(EvictionTest, APodWithoutABudgetIsDeleted)
{
  add_replicaset(server, "default", "web", { "n1" });
  const auto r = evict("web-1");
  EXPECT_EQ(r.status, 201) << r.body;
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["kind"], "Status");
  EXPECT_EQ(body["status"], "Success");
  EXPECT_FALSE(exists("web-1"));
}

TEST_F(EvictionTest, ABudgetWithNoDisruptionLeftRefusesWith429AndItsCause)
{
  add_replicaset(server, "default", "web", { "n1", "n2" });
  add_budget(server, "default", "web", "web", 2);
  play_disruption_controller(server);
  const auto before = budget_status("web");
  EXPECT_EQ(before["disruptionsAllowed"], 0);
  EXPECT_EQ(before["currentHealthy"], 2);
  EXPECT_EQ(before["desiredHealthy"], 2);

  const auto r = evict("web-1");
  EXPECT_EQ(r.status, 429);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["reason"], "TooManyRequests");
  EXPECT_EQ(body["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(body["details"]["causes"], json::parse(R"([{"reason": "DisruptionBudget",
                             "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}])"));
  EXPECT_FALSE(body["details"].contains("retryAfterSeconds"));
  EXPECT_TRUE(exists("web-1"));
  EXPECT_EQ(budget_status("web"), before);
}

TEST_F(EvictionTest, AnEvictionTakesOneDisruptionAndRecordsThePod)
{
  add_replicaset(server, "default", "web", { "n1", "n2" });
  add_budget(server, "default", "web", "web", 1);
  play_disruption_controller(server);
  ASSERT_EQ(budget_status("web")["disruptionsAllowed"], 1);
  const auto r = evict("web-1");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(exists("web-1"));
  // The second pod is now the last healthy one.
  const auto second = evict("web-2");
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_TRUE(exists("web-2"));
  const auto status = budget_status("web");
  EXPECT_EQ(status["disruptionsAllowed"], 0);
  EXPECT_EQ(status["currentHealthy"], 1);
  // The controller dropped the evicted pod from disruptedPods once it was gone.
  EXPECT_FALSE(status.contains("disruptedPods")) << status.dump();
}

TEST_F(EvictionTest, TheEvictionWritesDisruptedPodsBeforeTheControllerCatchesUp)
{
  add_replicaset(server, "default", "web", { "n1", "n2", "n1" });
  // Status as the controller would write it, without a controller running.
  auto pdb = add_budget(server, "default", "web", "web", 1);
  pdb["status"] = { { "observedGeneration", pdb["metadata"]["generation"] },
                    { "disruptionsAllowed", 2 },
                    { "currentHealthy", 3 },
                    { "desiredHealthy", 1 },
                    { "expectedPods", 3 } };
  server.update_status(pdb);
  EXPECT_EQ(evict("web-1").status, 201);
  const auto status = (*server.get("policy/v1", "PodDisruptionBudget", "default", "web"))["status"];
  EXPECT_EQ(status["disruptionsAllowed"], 1);
  ASSERT_TRUE(status["disruptedPods"].contains("web-1")) << status.dump();
  EXPECT_EQ(status["conditions"], nullptr);
  EXPECT_EQ(evict("web-2").status, 201);
  const auto last = (*server.get("policy/v1", "PodDisruptionBudget", "default", "web"))["status"];
  EXPECT_EQ(last["disruptionsAllowed"], 0);
  EXPECT_EQ(last["conditions"][0]["type"], "DisruptionAllowed");
  EXPECT_EQ(last["conditions"][0]["status"], "False");
  EXPECT_EQ(last["conditions"][0]["reason"], "InsufficientPods");
}

TEST_F(EvictionTest, ABudgetTheControllerHasNotSeenIsStillBeingProcessed)
{
  add_replicaset(server, "default", "web", { "n1" });
  add_budget(server, "default", "web", "web", 0); // no status: observedGeneration 0 < generation 1
  const auto r = evict("web-1");
  EXPECT_EQ(r.status, 429);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["details"]["retryAfterSeconds"], 10);
  EXPECT_EQ(body["details"]["causes"][0]["message"],
            "The disruption budget web is still being processed by the server.");
  EXPECT_EQ(r.headers.get("Retry-After"), "10");
  EXPECT_TRUE(exists("web-1"));
}

TEST_F(EvictionTest, TwoBudgetsOverOnePodAreAServerError)
{
  add_replicaset(server, "default", "web", { "n1" });
  add_budget(server, "default", "a", "web", 0);
  add_budget(server, "default", "b", "web", 0);
  play_disruption_controller(server);
  server.wait_idle();
  const auto r = evict("web-1");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["message"],
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  EXPECT_TRUE(exists("web-1"));
}

TEST_F(EvictionTest, PodsThatAreNotRunningOrAlreadyGoingIgnoreTheBudget)
{
  add_replicaset(server, "default", "web", { "n1", "n2", "n1" });
  add_budget(server, "default", "web", "web", 3);
  play_disruption_controller(server);
  ASSERT_EQ(budget_status("web")["disruptionsAllowed"], 0);
  server.merge_patch("v1", "Pod", "default", "web-1", { { "status", { { "phase", "Succeeded" } } } }, "status");
  server.merge_patch("v1", "Pod", "default", "web-2", { { "status", { { "phase", "Pending" } } } }, "status");
  EXPECT_EQ(evict("web-1").status, 201);
  EXPECT_EQ(evict("web-2").status, 201);
  EXPECT_FALSE(exists("web-1"));
  EXPECT_FALSE(exists("web-2"));
  EXPECT_EQ(evict("web-3").status, 429);
}

TEST_F(EvictionTest, AnUnreadyPodGoesWhileTheBudgetIsHealthyOrAlwaysWithAlwaysAllow)
{
  add_replicaset(server, "default", "web", { "n1", "n2", "n1" });
  add_budget(server, "default", "web", "web", 2);
  play_disruption_controller(server);
  server.merge_patch(
    "v1", "Pod", "default", "web-3", { { "status", { { "conditions", ready_conditions(false) } } } }, "status");
  const auto status = budget_status("web");
  ASSERT_EQ(status["currentHealthy"], 2);
  ASSERT_EQ(status["disruptionsAllowed"], 0);
  // current 2 >= desired 2: the unready pod may go, the ready ones may not.
  EXPECT_EQ(evict("web-1").status, 429);
  EXPECT_EQ(evict("web-3").status, 201);

  add_replicaset(server, "default", "db", { "n1", "n2" });
  add_budget(server, "default", "db", "db", 2);
  server.merge_patch(
    "v1", "Pod", "default", "db-1", { { "status", { { "conditions", ready_conditions(false) } } } }, "status");
  ASSERT_EQ(budget_status("db")["currentHealthy"], 1);
  EXPECT_EQ(evict("db-1").status, 429); // 1 < 2: the budget is not healthy
  server.merge_patch("policy/v1",
                     "PodDisruptionBudget",
                     "default",
                     "db",
                     { { "spec", { { "unhealthyPodEvictionPolicy", "AlwaysAllow" } } } });
  server.wait_idle();
  EXPECT_EQ(evict("db-1").status, 201);
  EXPECT_EQ(evict("db-2").status, 429);
}

TEST_F(EvictionTest, TheRequestIsCheckedLikeTheApiServerChecksIt)
{
  add_replicaset(server, "default", "web", { "n1" });
  const auto mismatch = post("/api/v1/namespaces/default/pods/web-1/eviction",
                             { { "apiVersion", "policy/v1" },
                               { "kind", "Eviction" },
                               { "metadata", { { "name", "other" }, { "namespace", "default" } } } });
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(json::parse(mismatch.body)["message"], "name in URL does not match name in Eviction object");
  const auto missing = evict("nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["message"], "pods \"nope\" not found");
  const auto wrong_kind = post("/api/v1/namespaces/default/pods/web-1/eviction",
                               { { "apiVersion", "v1" }, { "kind", "Pod" }, { "metadata", { { "name", "web-1" } } } });
  EXPECT_EQ(wrong_kind.status, 400);
  EXPECT_TRUE(exists("web-1"));
}

TEST_F(EvictionTest, AnEmptySelectorCoversNoPodAndDryRunChangesNothing)
{
  add_replicaset(server, "default", "web", { "n1", "n2" });
  server.create({ { "apiVersion", "policy/v1" },
                  { "kind", "PodDisruptionBudget" },
                  { "metadata", { { "name", "all" }, { "namespace", "default" } } },
                  { "spec", { { "minAvailable", 5 }, { "selector", json::object() } } } });
  EXPECT_EQ(evict("web-1", "default", { { "dryRun", { "All" } } }).status, 201);
  EXPECT_TRUE(exists("web-1"));
  EXPECT_EQ(evict("web-1").status, 201);
  EXPECT_FALSE(exists("web-1"));
}

TEST_F(EvictionTest, DiscoveryListsTheEvictionSubresourceAsKubectlLooksForIt)
{
  http::Request r;
  r.url = server.url() + "/api/v1";
  r.headers.set("Accept", "application/json");
  const auto res = admin->send(std::move(r));
  ASSERT_TRUE(res);
  bool found = false;
  const auto doc = json::parse(res->body);
  for (const auto& resource : doc["resources"]) {
    if (resource["name"] == "pods/eviction") {
      found = true;
      EXPECT_EQ(resource["group"], "policy");
      EXPECT_EQ(resource["version"], "v1");
      EXPECT_EQ(resource["kind"], "Eviction");
      EXPECT_EQ(resource["verbs"], json::array({ "create" }));
    }
  }
  EXPECT_TRUE(found);
}

TEST(DisruptionController, ComputesTheBudgetsFromMinAvailableMaxUnavailableAndPercentages)
{
  KubeTestServer server;
  server.start();
  add_node(server, "n1");
  add_replicaset(server, "default", "web", { "n1", "n1", "n1", "n1" });
  add_budget(server, "default", "int", "web", 3);
  play_disruption_controller(server);
  server.wait_idle();
  auto status = [&](const std::string& name) {
    server.wait_idle();
    return (*server.get("policy/v1", "PodDisruptionBudget", "default", name))["status"];
  };
  EXPECT_EQ(status("int")["expectedPods"], 4);
  EXPECT_EQ(status("int")["desiredHealthy"], 3);
  EXPECT_EQ(status("int")["disruptionsAllowed"], 1);
  EXPECT_EQ(status("int")["conditions"][0]["reason"], "SufficientPods");
  server.remove("policy/v1", "PodDisruptionBudget", "default", "int");

  add_budget(server, "default", "pct", "web", "60%"); // ceil(4 * 0.6) = 3
  EXPECT_EQ(status("pct")["desiredHealthy"], 3);
  EXPECT_EQ(status("pct")["disruptionsAllowed"], 1);
  server.remove("policy/v1", "PodDisruptionBudget", "default", "pct");

  add_budget(server, "default", "max", "web", nullptr, 1); // 4 - 1 = 3
  EXPECT_EQ(status("max")["desiredHealthy"], 3);
  // The ReplicaSet's replicas count, not the pods: a missing pod lowers health, not the target.
  server.remove("v1", "Pod", "default", "web-4");
  EXPECT_EQ(status("max")["expectedPods"], 4);
  EXPECT_EQ(status("max")["currentHealthy"], 3);
  EXPECT_EQ(status("max")["disruptionsAllowed"], 0);
  EXPECT_EQ(status("max")["conditions"][0]["reason"], "InsufficientPods");
  server.remove("policy/v1", "PodDisruptionBudget", "default", "max");

  add_budget(server, "default", "maxpct", "web", nullptr, "50%"); // 4 - ceil(2) = 2
  EXPECT_EQ(status("maxpct")["desiredHealthy"], 2);
  EXPECT_EQ(status("maxpct")["disruptionsAllowed"], 1);
}

TEST(ReplicaSetPods, AnEvictedPodComesBackOnAnotherSchedulableNodeAndTheBudgetFollows)
{
  KubeTestServer server;
  server.start();
  add_node(server, "n1");
  add_node(server, "n2");
  add_node(server, "n3", /*ready=*/false);
  add_replicaset(server, "default", "web", { "n1", "n1" });
  add_budget(server, "default", "web", "web", 1);
  play_disruption_controller(server);
  play_replicaset_pods(server, { .ready_after = std::chrono::milliseconds(50) });
  server.merge_patch("v1", "Node", "", "n1", { { "spec", { { "unschedulable", true } } } });
  server.remove("v1", "Pod", "default", "web-1");
  server.wait_idle();
  std::vector<json> pods = server.list("v1", "Pod", "default");
  ASSERT_EQ(pods.size(), 2U);
  const json& fresh = pods[0]["metadata"]["name"] == "web-2" ? pods[1] : pods[0];
  EXPECT_EQ(fresh["metadata"]["name"].get<std::string>().rfind("web-", 0), 0U);
  EXPECT_EQ(fresh["spec"]["nodeName"], "n2"); // n1 is cordoned, n3 not Ready
  EXPECT_EQ(fresh["status"]["phase"], "Running");
  EXPECT_EQ(fresh["metadata"]["labels"]["app"], "web");
  const auto status = (*server.get("policy/v1", "PodDisruptionBudget", "default", "web"))["status"];
  EXPECT_EQ(status["currentHealthy"], 2);
  EXPECT_EQ(status["disruptionsAllowed"], 1);
}

TEST(ReplicaSetPods, NeverReadyReplacementsKeepTheBudgetClosed)
{
  KubeTestServer server;
  server.start();
  add_node(server, "n1");
  add_node(server, "n2");
  add_replicaset(server, "default", "web", { "n1", "n2" });
  add_budget(server, "default", "web", "web", 1);
  play_disruption_controller(server);
  play_replicaset_pods(server, { .never_ready = { "default/web" } });
  server.remove("v1", "Pod", "default", "web-1");
  server.wait_idle();
  ASSERT_EQ(server.list("v1", "Pod", "default").size(), 2U);
  const auto status = (*server.get("policy/v1", "PodDisruptionBudget", "default", "web"))["status"];
  EXPECT_EQ(status["currentHealthy"], 1);
  EXPECT_EQ(status["disruptionsAllowed"], 0);
}

} // namespace
} // namespace ocne::test::kube
