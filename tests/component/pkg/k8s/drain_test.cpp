// drain_node against the Kubernetes test server with its eviction
// subresource, disruption controller and ReplicaSet pods.

#include "pkg/k8s/drain.hpp"

#include "pkg/k8s/kubeconfig.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/pod_controllers.hpp"
#include "tests/support/kube_workloads.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class DrainTest : public test::TempDirTest
{
protected:
  void
  start(test::kube::ReplicaSetPodsOptions pods = { .ready_after = 100ms })
  {
    test::kube::ServerOptions o;
    o.kubeconfig_path = dir() / "kubeconfig";
    server = std::make_unique<test::kube::KubeTestServer>(o);
    server->start();
    test::add_node(*server, "n1");
    test::add_node(*server, "n2");
    test::add_replicaset(*server, "apps", "web", { "n1", "n1" });
    test::kube::play_disruption_controller(*server);
    test::kube::play_replicaset_pods(*server, std::move(pods));
    // Cordoned, as node update does before it drains.
    server->merge_patch("v1", "Node", "", "n1", { { "spec", { { "unschedulable", true } } } });
    auto loaded = load_kubeconfig({ dir() / "kubeconfig" });
    ASSERT_TRUE(loaded) << loaded.error().message();
    client = std::make_unique<Client>(*loaded);
  }

  int
  requests(const std::string& method, const std::string& part)
  {
    int n = 0;
    for (const auto& r : server->requests()) {
      n += r.method == method && r.target.find(part) != std::string::npos ? 1 : 0;
    }
    return n;
  }

  std::vector<std::string>
  nodes_of_web_pods()
  {
    std::vector<std::string> nodes;
    for (const auto& p : server->list("v1", "Pod", "apps")) {
      nodes.push_back(p["spec"]["nodeName"]);
    }
    return nodes;
  }

  std::unique_ptr<test::kube::KubeTestServer> server;
  std::unique_ptr<Client> client;
};

TEST_F(DrainTest, EvictsRetryingTheBudgetUntilTheReplacementIsReadyAndLeavesDaemonSetPods)
{
  start();
  test::add_budget(*server, "apps", "web", "web", 1);
  const auto ds =
    server->create({ { "apiVersion", "apps/v1" },
                     { "kind", "DaemonSet" },
                     { "metadata", { { "name", "proxy" }, { "namespace", "apps" } } },
                     { "spec",
                       { { "selector", { { "matchLabels", { { "app", "proxy" } } } } },
                         { "template",
                           { { "metadata", { { "labels", { { "app", "proxy" } } } } },
                             { "spec", { { "containers", { { { "name", "p" }, { "image", "p" } } } } } } } } } } });
  test::add_pod(*server, "apps", "proxy-n1", "n1", { { "app", "proxy" } }, &ds);
  server->wait_idle();
  std::vector<std::string> checkpoints;
  auto report =
    drain_node(*client,
               "n1",
               { .retry_interval = 50ms, .checkpoint = [&](std::string_view c) { checkpoints.emplace_back(c); } },
               null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->evicted, 2);
  EXPECT_EQ(report->deleted, 0);
  EXPECT_GE(report->budget_refusals, 1);
  EXPECT_EQ(report->left, std::vector<std::string>{ "apps/proxy-n1" });
  EXPECT_EQ(checkpoints, (std::vector<std::string>{ "evicted apps/web-1", "evicted apps/web-2" }));
  EXPECT_EQ(requests("DELETE", "/pods/"), 0);
  EXPECT_EQ(requests("POST", "/eviction"), 2 + report->budget_refusals);
  server->wait_idle();
  const auto nodes = nodes_of_web_pods();
  EXPECT_EQ(std::count(nodes.begin(), nodes.end(), "n2"), 2) << "the web pods moved";
  EXPECT_EQ(std::count(nodes.begin(), nodes.end(), "n1"), 1) << "the DaemonSet pod stayed";
}

TEST_F(DrainTest, DisableEvictionDeletesWithoutAskingTheBudget)
{
  start();
  test::add_budget(*server, "apps", "web", "web", 2); // would refuse every eviction
  server->wait_idle();
  auto report = drain_node(*client, "n1", { .disable_eviction = true, .retry_interval = 50ms }, null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->deleted, 2);
  EXPECT_EQ(report->evicted, 0);
  EXPECT_EQ(requests("POST", "/eviction"), 0);
  EXPECT_EQ(requests("DELETE", "/pods/"), 2);
}

TEST_F(DrainTest, ATimeoutNamesThePodAndTheBudgetsAnswer)
{
  start({ .never_ready = { "apps/web" } });
  test::add_budget(*server, "apps", "web", "web", 1);
  server->wait_idle();
  auto report = drain_node(*client, "n1", { .timeout = 1s, .retry_interval = 50ms }, null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::timeout);
  EXPECT_NE(report.error().message().find("1 pod left: apps/web-2 (The disruption budget web needs 1 healthy pods "
                                          "and has 1 currently)"),
            std::string::npos)
    << report.error().message();
  EXPECT_TRUE(server->get("v1", "Pod", "apps", "web-2"));
}

TEST_F(DrainTest, EmptyDirPodsAreRefusedBeforeAnythingIsRemoved)
{
  start();
  const auto rs = *server->get("apps/v1", "ReplicaSet", "apps", "web");
  test::add_pod(*server,
                "apps",
                "cache",
                "n1",
                { { "app", "cache" } },
                &rs,
                true,
                { { { "name", "scratch" }, { "emptyDir", json::object() } } });
  server->wait_idle();
  server->clear_requests();
  auto report = drain_node(*client, "n1", { .retry_interval = 50ms }, null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::invalid_input);
  EXPECT_NE(report.error().message().find("apps/cache"), std::string::npos) << report.error().message();
  EXPECT_EQ(requests("POST", "/eviction"), 0);
  auto allowed = drain_node(*client, "n1", { .delete_emptydir_data = true, .retry_interval = 50ms }, null_progress());
  ASSERT_TRUE(allowed) << allowed.error().message();
  EXPECT_FALSE(server->get("v1", "Pod", "apps", "cache"));
}

} // namespace
} // namespace ocne::k8s
