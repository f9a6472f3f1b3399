#include "pkg/clusterctl/mover.hpp"
#include "pkg/core/strings.hpp"
#include "tests/component/pkg/clusterctl/capi_graph.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::clusterctl {
namespace {

using nlohmann::json;
using ocne::test::kube::KubeTestServer;

class MoveTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    ocne::test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "source.kubeconfig";
    source_server = std::make_unique<KubeTestServer>(so);
    so.kubeconfig_path = dir() / "target.kubeconfig";
    target_server = std::make_unique<KubeTestServer>(so);
    source_server->start();
    target_server->start();
    test::load_capi_crds(*source_server, label_crds);
    test::load_capi_crds(*target_server, label_crds);
    source = connect(dir() / "source.kubeconfig");
    target = connect(dir() / "target.kubeconfig");
  }

  std::unique_ptr<k8s::Client>
  connect(const fs::Path& kubeconfig)
  {
    auto access = k8s::load_kubeconfig({ kubeconfig });
    EXPECT_TRUE(access) << access.error().message();
    k8s::ClientOptions options;
    options.retry.initial_backoff = std::chrono::milliseconds(10);
    return std::make_unique<k8s::Client>(std::move(*access), options);
  }

  static MoveOptions
  options(const std::string& ns)
  {
    MoveOptions o;
    o.namespace_ = ns;
    o.retry_delay = std::chrono::milliseconds(10);
    o.block_move_timeout = std::chrono::seconds(5);
    return o;
  }

  static std::string
  name_of(const json& o)
  {
    return o["metadata"]["name"].get<std::string>();
  }

  bool label_crds = true;
  std::unique_ptr<KubeTestServer> source_server;
  std::unique_ptr<KubeTestServer> target_server;
  std::unique_ptr<k8s::Client> source;
  std::unique_ptr<k8s::Client> target;
};

TEST_F(MoveTest, MovesAFullClusterApiGraphWithOwnerReferencesIntact)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 2);
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->plan.nodes.size(), graph.moving.size() + graph.shared.size()) << report->plan.to_text();
  EXPECT_EQ(report->deleted.size(), graph.moving.size());

  // Everything that moves is in the target, with owner references that
  // point at the target's objects, and gone from the source.
  std::map<std::string, json> target_by_uid;
  for (const auto& o : graph.moving) {
    const auto api = o["apiVersion"].get<std::string>();
    const auto kind = o["kind"].get<std::string>();
    auto moved = target_server->get(api, kind, "capi", name_of(o));
    ASSERT_TRUE(moved.has_value()) << kind << " " << name_of(o) << " is not in the target";
    target_by_uid[(*moved)["metadata"]["uid"].get<std::string>()] = *moved;
    EXPECT_FALSE(source_server->get(api, kind, "capi", name_of(o)).has_value())
      << kind << " " << name_of(o) << " is still in the source";
    const auto want = o["metadata"].value("ownerReferences", json::array());
    const auto got = (*moved)["metadata"].value("ownerReferences", json::array());
    ASSERT_EQ(got.size(), want.size()) << kind << " " << name_of(o);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i]["name"], want[i]["name"]);
      EXPECT_EQ(got[i]["kind"], want[i]["kind"]);
      EXPECT_EQ(got[i]["controller"], want[i]["controller"]);
      EXPECT_NE(got[i]["uid"], want[i]["uid"]) << "owner UID not rewritten on " << kind << " " << name_of(o);
    }
    EXPECT_EQ(
      (*moved)["metadata"].value("annotations", json::object()).count("clusterctl.cluster.x-k8s.io/delete-for-move"),
      0u);
  }
  for (const auto& [uid, o] : target_by_uid) {
    for (const auto& ref : o["metadata"].value("ownerReferences", json::array())) {
      const auto owner = target_by_uid.find(ref["uid"].get<std::string>());
      ASSERT_NE(owner, target_by_uid.end()) << name_of(o) << " points at a UID the target does not have";
      EXPECT_EQ(name_of(owner->second), ref["name"]);
    }
  }
  // The Cluster runs again in the target: spec.paused removed, not false.
  auto cluster = target_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  ASSERT_TRUE(cluster);
  EXPECT_FALSE((*cluster)["spec"].contains("paused")) << cluster->dump();
  // Shared identity objects are copied and stay; unrelated ones stay only.
  for (const auto& o : graph.shared) {
    EXPECT_TRUE(target_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
    EXPECT_TRUE(source_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
  }
  for (const auto& o : graph.staying) {
    EXPECT_TRUE(source_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
    EXPECT_FALSE(target_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
  }
  // Secret data travels byte for byte.
  auto kubeconfig = target_server->get("v1", "Secret", "capi", "demo-kubeconfig");
  ASSERT_TRUE(kubeconfig);
  EXPECT_EQ((*kubeconfig)["data"]["value"], "Y2VydA==");
}

TEST_F(MoveTest, DryRunPlanListsGroupsInOrderAndTouchesNothing)
{
  test::make_capi_graph(*source_server, "capi", "demo", 1);
  auto plan = plan_move(*source, options("capi"));
  ASSERT_TRUE(plan) << plan.error().message();
  const auto text = plan->to_text();
  EXPECT_TRUE(str::starts_with(text, "Move plan for namespace capi from context ")) << text;
  EXPECT_NE(text.find("  pause: Cluster capi/demo\n  group 1:\n    Cluster capi/demo\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    Secret capi/demo-kubeconfig, owned by Cluster capi/demo (by name)\n"), std::string::npos)
    << text;
  EXPECT_NE(text.find("    OCIClusterIdentity capi/oci-identity (copied, kept in the source)"), std::string::npos)
    << text;
  // Owners always come in an earlier group.
  std::map<std::size_t, std::size_t> group_of;
  for (std::size_t g = 0; g < plan->groups.size(); ++g) {
    for (const auto i : plan->groups[g]) {
      group_of[i] = g;
    }
  }
  for (std::size_t i = 0; i < plan->nodes.size(); ++i) {
    for (const auto o : plan->nodes[i].owners) {
      EXPECT_LT(group_of[o], group_of[i]) << plan->nodes[i].ref.to_string();
    }
  }
  EXPECT_TRUE(target_server->list("cluster.x-k8s.io/v1beta2", "Cluster", "capi").empty());
  auto cluster = source_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*cluster)["spec"].contains("paused"));
}

TEST_F(MoveTest, RefusesWhileProvisioning)
{
  test::make_capi_graph(*source_server, "capi", "demo", 1, false);
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::not_ready);
  EXPECT_EQ(
    report.error().message(),
    "cannot start the move operation while Cluster capi/demo is still provisioning the infrastructure; "
    "cannot start the move operation while Machine capi/demo-control-plane-abcde is still provisioning the node; "
    "cannot start the move operation while Machine capi/demo-md-0-x7k2p-w0 is still provisioning the node");
  EXPECT_TRUE(target_server->list("cluster.x-k8s.io/v1beta2", "Cluster", "capi").empty());
}

TEST_F(MoveTest, FailedCreateRollsBackTheTargetAndUnpausesTheSource)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 1);
  ocne::test::kube::Fault rejected;
  rejected.status = 400;
  rejected.message = "injected rejection";
  target_server->faults().fail_next(100, rejected, "POST", "/apis/cluster.x-k8s.io/v1beta2/namespaces/capi/machines");
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_FALSE(report);
  const auto& message = report.error().message();
  EXPECT_TRUE(str::starts_with(message, "move failed: creating Machine")) << message; // or MachineSet
  EXPECT_NE(message.find("injected rejection"), std::string::npos) << message;
  EXPECT_NE(message.find("were deleted again; the source is complete and unpaused"), std::string::npos) << message;
  for (const auto& o : graph.objects) {
    EXPECT_TRUE(source_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
  }
  auto cluster = source_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*cluster)["spec"].contains("paused")) << cluster->dump();
  for (const char* kind : { "Cluster", "MachineDeployment", "MachineSet" }) {
    EXPECT_TRUE(target_server->list("cluster.x-k8s.io/v1beta2", kind, "capi").empty()) << kind;
  }
  EXPECT_TRUE(target_server->list("v1", "Secret", "capi").empty());
}

TEST_F(MoveTest, SurvivesTransientErrorsOnBothSides)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 1);
  ocne::test::kube::Fault unavailable;
  unavailable.status = 503;
  unavailable.retry_after = 0;
  target_server->faults().fail_next(3, unavailable, "POST", "/apis/");
  ocne::test::kube::Fault reset;
  reset.kind = ocne::test::kube::Fault::Kind::drop_mid_body;
  source_server->faults().fail_next(2, reset, "GET", "/apis/cluster.x-k8s.io/");
  source_server->faults().fail_next(2, unavailable, "DELETE", "/api/v1/namespaces/capi/secrets/");
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->deleted.size(), graph.moving.size());
  EXPECT_GE(target_server->faults().injected(), 3);
}

TEST_F(MoveTest, AFailedDeleteLeavesTheTargetRunningAndASecondRunFinishes)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 1);
  ocne::test::kube::Fault rejected;
  rejected.status = 400;
  rejected.message = "injected rejection";
  source_server->faults().fail_next(
    100, rejected, "DELETE", "/apis/cluster.x-k8s.io/v1beta2/namespaces/capi/clusters/demo");
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_FALSE(report);
  const auto& message = report.error().message();
  EXPECT_TRUE(str::starts_with(message, "move failed: deleting Cluster capi/demo from the source: ")) << message;
  EXPECT_TRUE(str::ends_with(message,
                             "are in the target and unpaused, but 1 remain in the paused source and must be deleted "
                             "there (run the move again): Cluster capi/demo"))
    << message;
  auto in_target = target_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  ASSERT_TRUE(in_target);
  EXPECT_FALSE((*in_target)["spec"].contains("paused"));

  source_server->faults().clear();
  auto again = move(*source, *target, options("capi"), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  for (const auto& o : graph.moving) {
    EXPECT_FALSE(source_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
    EXPECT_TRUE(target_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
  }
  in_target = target_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*in_target)["spec"].contains("paused"));
}

// A move killed right after it paused the source, before anything reached
// the target, continues on the next run; a Cluster someone else paused is
// still refused.
TEST_F(MoveTest, APauseOfItsOwnIsResumedAndSomeoneElsesIsRefused)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 1);
  source_server->merge_patch(
    "cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo", { { "spec", { { "paused", true } } } });
  auto refused = move(*source, *target, options("capi"), null_progress());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("is already paused; unpause it or finish the move that paused it"),
            std::string::npos)
    << refused.error().message();

  // What the move's own pause writes, in one request.
  source_server->merge_patch("cluster.x-k8s.io/v1beta2",
                             "Cluster",
                             "capi",
                             "demo",
                             { { "metadata", { { "annotations", { { k_paused_for_move_annotation, "true" } } } } } });
  auto report = move(*source, *target, options("capi"), null_progress());
  ASSERT_TRUE(report) << report.error().message();
  for (const auto& o : graph.moving) {
    EXPECT_TRUE(target_server->get(o["apiVersion"], o["kind"], "capi", name_of(o)).has_value()) << name_of(o);
  }
  const auto cluster = target_server->get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  ASSERT_TRUE(cluster);
  EXPECT_FALSE((*cluster)["spec"].contains("paused")) << cluster->dump();
  EXPECT_EQ((*cluster)["metadata"].value("annotations", json::object()).count(k_paused_for_move_annotation), 0U)
    << cluster->dump();
}

class MoveUnlabelledTest : public MoveTest
{
protected:
  MoveUnlabelledTest()
  {
    label_crds = false;
  }
};

TEST_F(MoveUnlabelledTest, FallsBackToClusterApiGroups)
{
  const auto graph = test::make_capi_graph(*source_server, "capi", "demo", 1);
  auto plan = plan_move(*source, options("capi"));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->nodes.size(), graph.moving.size() + graph.shared.size());
  EXPECT_NE(plan->to_text().find("note: no CRD carries the clusterctl.cluster.x-k8s.io label"), std::string::npos);
}

} // namespace
} // namespace ocne::clusterctl
