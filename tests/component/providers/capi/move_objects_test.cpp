// The driver's move step: clusterctl move tried again while Cluster API is
// still provisioning (the mover's ErrorKind::not_ready), on a fake clock, so
// neither the retries nor the timeout cost wall time.

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "providers/capi/driver_steps.hpp"
#include "tests/component/pkg/clusterctl/capi_graph.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::capi {
namespace {

using nlohmann::json;
using ocne::test::kube::KubeTestServer;
using std::chrono::seconds;

class MoveObjectsTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED(); // the real Cluster API CRDs
    ocne::test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "source.kubeconfig";
    source_server = std::make_unique<KubeTestServer>(so);
    so.kubeconfig_path = dir() / "target.kubeconfig";
    target_server = std::make_unique<KubeTestServer>(so);
    source_server->start();
    target_server->start();
    clusterctl::test::load_capi_crds(*source_server);
    clusterctl::test::load_capi_crds(*target_server);
    source = connect(dir() / "source.kubeconfig");
    target = connect(dir() / "target.kubeconfig");
    options.move_timeout = seconds(10);
    options.interval = seconds(2);
    options.clock = &clock;
  }

  std::unique_ptr<k8s::Client>
  connect(const fs::Path& kubeconfig)
  {
    auto access = k8s::load_kubeconfig({ kubeconfig });
    EXPECT_TRUE(access) << access.error().message();
    return std::make_unique<k8s::Client>(std::move(*access));
  }

  // What Cluster API reports once the machines have their nodes.
  void
  provision(const clusterctl::test::CapiGraph& graph)
  {
    for (const auto& o : graph.moving) {
      const auto kind = o["kind"].get<std::string>();
      if (kind != "Cluster" && kind != "Machine") {
        continue;
      }
      const auto name = o["metadata"]["name"].get<std::string>();
      auto live = source_server->get(o["apiVersion"].get<std::string>(), kind, graph.ns, name);
      ASSERT_TRUE(live);
      (*live)["status"] =
        kind == "Cluster"
          ? json{ { "initialization", { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } }
          : json{ { "nodeRef", { { "name", name } } } };
      source_server->update_status(*live);
    }
  }

  std::unique_ptr<KubeTestServer> source_server;
  std::unique_ptr<KubeTestServer> target_server;
  std::unique_ptr<k8s::Client> source;
  std::unique_ptr<k8s::Client> target;
  ocne::test::FakeClock clock;
  CapiOptions options;
};

std::size_t
count(const std::string& text, const std::string& what)
{
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(MoveObjectsTest, TriesAgainWhileProvisioningAndMovesOnceReady)
{
  const auto graph = clusterctl::test::make_capi_graph(*source_server, "capi", "demo", 1, false);
  clock.on_sleep([&](std::chrono::milliseconds) {
    if (clock.sleeps().size() == 3) {
      provision(graph);
    }
  });
  log::Capture capture;
  auto moved = detail::move_objects(*source, *target, "capi", options, null_progress());
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_EQ(clock.sleeps(), std::vector<std::chrono::milliseconds>(3, seconds(2)));
  EXPECT_FALSE(target_server->list("cluster.x-k8s.io/v1beta2", "Cluster", "capi").empty());
  // The reason did not change between the looks: said once.
  EXPECT_EQ(count(capture.text(), "Waiting to move the Cluster API objects: cannot start the move operation"), 1U)
    << capture.text();
}

TEST_F(MoveObjectsTest, GivesUpAtTheDeadlineWithTheLastReason)
{
  clusterctl::test::make_capi_graph(*source_server, "capi", "demo", 1, false);
  auto moved = detail::move_objects(*source, *target, "capi", options, null_progress());
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind(), ErrorKind::timeout);
  EXPECT_TRUE(str::starts_with(moved.error().message(),
                               "the Cluster API objects could not be moved within 10s: cannot start the move "
                               "operation while Cluster capi/demo is still provisioning the infrastructure"))
    << moved.error().message();
  EXPECT_EQ(clock.slept(), seconds(10));
  EXPECT_TRUE(target_server->list("cluster.x-k8s.io/v1beta2", "Cluster", "capi").empty());
}

TEST_F(MoveObjectsTest, AnyOtherRefusalEndsTheStepAtOnce)
{
  clusterctl::test::make_capi_graph(*source_server, "capi", "demo", 1, true);
  ocne::test::kube::Fault rejected;
  rejected.status = 400;
  rejected.message = "injected rejection";
  target_server->faults().fail_next(100, rejected, "POST", "/apis/cluster.x-k8s.io/v1beta2/namespaces/capi/machines");
  auto moved = detail::move_objects(*source, *target, "capi", options, null_progress());
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.error().kind(), ErrorKind::not_ready);
  EXPECT_NE(moved.error().kind(), ErrorKind::timeout);
  EXPECT_NE(moved.error().message().find("injected rejection"), std::string::npos) << moved.error().message();
  EXPECT_TRUE(clock.sleeps().empty()) << "a refusal that waiting cannot change is not retried";
}

} // namespace
} // namespace ocne::providers::capi
