// Move between two in-memory API servers (fake_cluster.hpp). The same
// scenarios run against the full Kubernetes test server in
// tests/component/pkg/clusterctl/move_test.cpp.

#include "pkg/clusterctl/mover.hpp"

#include "pkg/core/strings.hpp"
#include "tests/component/pkg/clusterctl/fake_cluster.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ocne::clusterctl {
namespace {

using nlohmann::json;
using test::FakeCluster;

const std::string k_infra = "infrastructure.cluster.x-k8s.io";

void
install_crds(FakeCluster& c, bool label)
{
  struct Crd
  {
    std::string group, kind, plural;
  };
  const std::vector<Crd> crds = {
    { "cluster.x-k8s.io", "Cluster", "clusters" },
    { "cluster.x-k8s.io", "MachineDeployment", "machinedeployments" },
    { "cluster.x-k8s.io", "MachineSet", "machinesets" },
    { "cluster.x-k8s.io", "Machine", "machines" },
    { "controlplane.cluster.x-k8s.io", "KubeadmControlPlane", "kubeadmcontrolplanes" },
    { "bootstrap.cluster.x-k8s.io", "KubeadmConfig", "kubeadmconfigs" },
    { "bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate", "kubeadmconfigtemplates" },
    { k_infra, "OCICluster", "ociclusters" },
    { k_infra, "OCIClusterIdentity", "ociclusteridentities" },
    { k_infra, "OCIMachine", "ocimachines" },
    { k_infra, "OCIMachineTemplate", "ocimachinetemplates" },
  };
  for (const auto& crd : crds) {
    json labels = json::object();
    if (label) {
      labels["clusterctl.cluster.x-k8s.io"] = "";
    }
    c.create({ { "apiVersion", "apiextensions.k8s.io/v1" },
               { "kind", "CustomResourceDefinition" },
               { "metadata", { { "name", crd.plural + "." + crd.group }, { "labels", labels } } },
               { "spec",
                 { { "group", crd.group },
                   { "scope", "Namespaced" },
                   { "names", { { "kind", crd.kind }, { "plural", crd.plural } } },
                   { "versions",
                     { { { "name", "v1beta1" }, { "served", true }, { "storage", false } },
                       { { "name", "v1beta2" }, { "served", true }, { "storage", true } } } } } } });
  }
}

struct Graph
{
  std::vector<json> moving;
  std::vector<json> shared;
  std::vector<json> staying;
};

json
owner(const json& o)
{
  return { { "apiVersion", o["apiVersion"] }, { "kind", o["kind"] },  { "name", o["metadata"]["name"] },
           { "uid", o["metadata"]["uid"] },   { "controller", true }, { "blockOwnerDeletion", true } };
}

Graph
make_graph(FakeCluster& c, bool provisioned)
{
  Graph g;
  auto obj = [](const std::string& av, const std::string& kind, const std::string& name, const json* own) {
    json o = { { "apiVersion", av },
               { "kind", kind },
               { "metadata", { { "name", name }, { "namespace", "capi" } } },
               { "spec", json::object() } };
    if (own != nullptr) {
      o["metadata"]["ownerReferences"] = json::array({ owner(*own) });
      o["metadata"]["finalizers"] = json::array({ "cluster.x-k8s.io/test" });
    }
    return o;
  };
  auto add = [&](json o, std::vector<json>& bucket) {
    auto created = c.create(std::move(o));
    bucket.push_back(created);
    return created;
  };
  c.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "capi" } } } });
  auto cluster = obj("cluster.x-k8s.io/v1beta2", "Cluster", "demo", nullptr);
  if (provisioned) {
    cluster["status"] = { { "initialization",
                            { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } };
  }
  cluster = add(cluster, g.moving);
  auto secret = [](const std::string& name) {
    return json{ { "apiVersion", "v1" },
                 { "kind", "Secret" },
                 { "metadata", { { "name", name }, { "namespace", "capi" } } },
                 { "data", { { "value", "Y2VydA==" } } } };
  };
  for (const auto* suffix : { "kubeconfig", "ca", "etcd", "sa" }) {
    add(secret(std::string("demo-") + suffix), g.moving);
  }
  add(secret("oci-credentials"), g.shared);
  auto identity = obj(k_infra + "/v1beta2", "OCIClusterIdentity", "oci-identity", nullptr);
  identity["spec"] = { { "type", "UserPrincipal" },
                       { "principalSecret", { { "name", "oci-credentials" }, { "namespace", "capi" } } } };
  add(identity, g.shared);
  auto infra = obj(k_infra + "/v1beta2", "OCICluster", "demo", &cluster);
  infra["spec"]["identityRef"] = { { "kind", "OCIClusterIdentity" }, { "name", "oci-identity" } };
  add(infra, g.moving);
  auto kcp = add(obj("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", "demo-cp", &cluster), g.moving);
  add(obj(k_infra + "/v1beta2", "OCIMachineTemplate", "demo-cp", &cluster), g.moving);
  auto md = add(obj("cluster.x-k8s.io/v1beta2", "MachineDeployment", "demo-md", &cluster), g.moving);
  add(obj("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfigTemplate", "demo-md", &cluster), g.moving);
  auto ms = add(obj("cluster.x-k8s.io/v1beta2", "MachineSet", "demo-md-x", &md), g.moving);
  for (const auto& [name, machine_owner] : std::vector<std::pair<std::string, json>>{
         { "demo-cp-a", kcp }, { "demo-md-x-1", ms }, { "demo-md-x-2", ms } }) {
    auto machine = obj("cluster.x-k8s.io/v1beta2", "Machine", name, &machine_owner);
    if (provisioned) {
      machine["status"] = { { "nodeRef", { { "name", name } } } };
    }
    machine = add(machine, g.moving);
    add(obj(k_infra + "/v1beta2", "OCIMachine", name, &machine), g.moving);
    auto config = add(obj("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfig", name, &machine), g.moving);
    auto data = secret(name);
    data["metadata"]["ownerReferences"] = json::array({ owner(config) });
    add(data, g.moving);
  }
  auto forced = json{ { "apiVersion", "v1" },
                      { "kind", "ConfigMap" },
                      { "metadata",
                        { { "name", "cloud-config" },
                          { "namespace", "capi" },
                          { "labels", { { "clusterctl.cluster.x-k8s.io/move", "" } } } } } };
  add(forced, g.moving);
  add(secret("unrelated"), g.staying);
  return g;
}

class MoveUnitTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    install_crds(source_cluster, true);
    install_crds(target_cluster, true);
    source_cluster.start();
    target_cluster.start();
    source = std::make_unique<k8s::Client>(source_cluster.access("source"));
    target = std::make_unique<k8s::Client>(target_cluster.access("target"));
  }

  static MoveOptions
  options()
  {
    MoveOptions o;
    o.namespace_ = "capi";
    o.retry_delay = std::chrono::milliseconds(5);
    return o;
  }

  static std::string
  name_of(const json& o)
  {
    return o["metadata"]["name"];
  }

  FakeCluster source_cluster;
  FakeCluster target_cluster;
  std::unique_ptr<k8s::Client> source;
  std::unique_ptr<k8s::Client> target;
};

TEST_F(MoveUnitTest, MovesTheGraphAndRewritesOwnerReferences)
{
  const auto g = make_graph(source_cluster, true);
  auto report = move(*source, *target, options(), null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->plan.nodes.size(), g.moving.size() + g.shared.size()) << report->plan.to_text();
  std::map<std::string, json> by_uid;
  for (const auto& o : g.moving) {
    auto moved = target_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o));
    ASSERT_TRUE(moved) << name_of(o);
    by_uid[(*moved)["metadata"]["uid"]] = *moved;
    EXPECT_FALSE(source_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o)))
      << name_of(o) << " left in the source";
  }
  for (const auto& [uid, o] : by_uid) {
    for (const auto& ref : o["metadata"].value("ownerReferences", json::array())) {
      ASSERT_TRUE(by_uid.count(ref["uid"])) << name_of(o) << " has a dangling owner reference";
      EXPECT_EQ(name_of(by_uid[ref["uid"]]), ref["name"]);
      EXPECT_EQ(ref["controller"], true);
    }
  }
  for (const auto& o : g.shared) {
    EXPECT_TRUE(target_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o))) << name_of(o);
    EXPECT_TRUE(source_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o))) << name_of(o);
  }
  EXPECT_TRUE(source_cluster.get("v1", "Secret", "capi", "unrelated"));
  EXPECT_FALSE(target_cluster.get("v1", "Secret", "capi", "unrelated"));
  auto cluster = target_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*cluster)["spec"].contains("paused"));
  EXPECT_FALSE((*cluster).contains("status")); // status is not copied, as with clusterctl
}

TEST_F(MoveUnitTest, PlanOrdersOwnersFirst)
{
  make_graph(source_cluster, true);
  auto plan = plan_move(*source, options());
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_GE(plan->groups.size(), 5u) << plan->to_text();
  EXPECT_NE(plan->to_text().find("  group 1:\n    Cluster capi/demo\n    ConfigMap capi/cloud-config\n"),
            std::string::npos)
    << plan->to_text();
  std::map<std::size_t, std::size_t> group_of;
  for (std::size_t gi = 0; gi < plan->groups.size(); ++gi) {
    for (const auto i : plan->groups[gi]) {
      group_of[i] = gi;
    }
  }
  for (std::size_t i = 0; i < plan->nodes.size(); ++i) {
    for (const auto* owners : { &plan->nodes[i].owners, &plan->nodes[i].soft_owners }) {
      for (const auto o : *owners) {
        EXPECT_LT(group_of[o], group_of[i]) << plan->nodes[i].ref.to_string();
      }
    }
  }
}

TEST_F(MoveUnitTest, RefusesWhileProvisioning)
{
  make_graph(source_cluster, false);
  auto report = move(*source, *target, options(), null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::not_ready) << "waiting may change it: callers retry on the kind";
  EXPECT_TRUE(str::starts_with(
    report.error().message(),
    "cannot start the move operation while Cluster capi/demo is still provisioning the infrastructure; "
    "cannot start the move operation while Machine capi/demo-cp-a is still provisioning the node"))
    << report.error().message();
}

TEST_F(MoveUnitTest, FailedCreateRollsBackAndUnpauses)
{
  const auto g = make_graph(source_cluster, true);
  ocne::test::Fault rejected;
  rejected.status = 400;
  rejected.body = R"({"kind":"Status","code":400,"reason":"BadRequest","message":"injected rejection"})";
  target_cluster.faults().fail_next(100, rejected, "POST", "/apis/cluster.x-k8s.io/v1beta2/namespaces/capi/machines");
  auto report = move(*source, *target, options(), null_progress());
  ASSERT_FALSE(report) << "faults injected: " << target_cluster.faults().injected() << "\n" << report->plan.to_text();
  const auto& message = report.error().message();
  // The prefix rule also hits MachineSets: either is fine.
  EXPECT_TRUE(str::starts_with(message, "move failed: creating Machine")) << message;
  EXPECT_NE(message.find(" of 26 objects were not created ("), std::string::npos) << message;
  EXPECT_NE(message.find("injected rejection; "), std::string::npos) << message;
  EXPECT_TRUE(str::ends_with(message, "were deleted again; the source is complete and unpaused")) << message;
  for (const auto& o : g.moving) {
    EXPECT_TRUE(source_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o))) << name_of(o);
    EXPECT_FALSE(target_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o)))
      << name_of(o) << " left in the target";
  }
  auto cluster = source_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*cluster)["spec"].contains("paused")) << cluster->dump();
}

TEST_F(MoveUnitTest, FailedDeleteIsFinishedByASecondRun)
{
  const auto g = make_graph(source_cluster, true);
  ocne::test::Fault rejected;
  rejected.status = 400;
  rejected.body = R"({"kind":"Status","code":400,"reason":"BadRequest","message":"injected rejection"})";
  source_cluster.faults().fail_next(
    100, rejected, "DELETE", "/apis/cluster.x-k8s.io/v1beta2/namespaces/capi/clusters/demo");
  auto report = move(*source, *target, options(), null_progress());
  ASSERT_FALSE(report);
  EXPECT_TRUE(
    str::ends_with(report.error().message(),
                   "are in the target and unpaused, but 1 remain in the paused source and must be deleted there "
                   "(run the move again): Cluster capi/demo"))
    << report.error().message();
  source_cluster.faults().clear();
  auto again = move(*source, *target, options(), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  for (const auto& o : g.moving) {
    EXPECT_FALSE(source_cluster.get(o["apiVersion"], o["kind"], "capi", name_of(o))) << name_of(o);
  }
  auto cluster = target_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  ASSERT_TRUE(cluster);
  EXPECT_FALSE((*cluster)["spec"].contains("paused"));
  EXPECT_FALSE((*cluster)["metadata"]
                 .value("annotations", json::object())
                 .contains("clusterctl.cluster.x-k8s.io/delete-for-move"));
}

TEST_F(MoveUnitTest, RetriesTransientFailures)
{
  const auto g = make_graph(source_cluster, true);
  ocne::test::Fault unavailable;
  unavailable.status = 503;
  unavailable.retry_after = 0;
  target_cluster.faults().fail_next(3, unavailable, "POST", "/apis/");
  source_cluster.faults().fail_next(2, unavailable, "DELETE", "/api/v1/namespaces/capi/secrets/");
  auto report = move(*source, *target, options(), null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->deleted.size(), g.moving.size());
  EXPECT_EQ(target_cluster.faults().injected(), 3);
}

TEST_F(MoveUnitTest, WaitsForBlockMoveAnnotationsToGo)
{
  make_graph(source_cluster, true);
  const json block = { { "metadata", { { "annotations", { { "clusterctl.cluster.x-k8s.io/block-move", "" } } } } } };
  source_cluster.patch(k_infra + "/v1beta2", "OCICluster", "capi", "demo", block);
  // The move reads the blocked object once to plan and then polls it; the
  // provider drops the annotation only once the move has polled it twice,
  // and checks that nothing reached the target while it was blocked.
  std::mutex mutex;
  std::condition_variable polled;
  int reads = 0;
  source_cluster.on_request([&](const std::string& method, const std::string& path) {
    if (method == "GET" && str::ends_with(path, "/ociclusters/demo")) {
      const std::lock_guard lock(mutex);
      ++reads;
      polled.notify_all();
    }
  });
  bool target_empty_while_blocked = false;
  bool saw_polls = false;
  std::thread provider([&] {
    {
      std::unique_lock lock(mutex);
      saw_polls = polled.wait_for(lock, std::chrono::seconds(20), [&] { return reads >= 3; });
    }
    target_empty_while_blocked = target_cluster.list("cluster.x-k8s.io/v1beta2", "Cluster", "capi").empty() &&
                                 target_cluster.list("v1", "Secret", "capi").empty();
    source_cluster.patch(
      k_infra + "/v1beta2",
      "OCICluster",
      "capi",
      "demo",
      { { "metadata", { { "annotations", { { "clusterctl.cluster.x-k8s.io/block-move", nullptr } } } } } });
  });
  auto report = move(*source, *target, options(), null_progress());
  provider.join();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(saw_polls) << "the move never polled the blocked OCICluster";
  EXPECT_TRUE(target_empty_while_blocked) << "objects reached the target before the block was dropped";
  EXPECT_TRUE(target_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo"));
}

TEST_F(MoveUnitTest, ABlockThatStaysStopsTheMoveBeforeAnythingIsCreated)
{
  make_graph(source_cluster, true);
  source_cluster.patch(k_infra + "/v1beta2",
                       "OCICluster",
                       "capi",
                       "demo",
                       { { "metadata", { { "annotations", { { "clusterctl.cluster.x-k8s.io/block-move", "" } } } } } });
  auto o = options();
  o.block_move_timeout = std::chrono::milliseconds(300);
  auto report = move(*source, *target, o, null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(report.error().message(),
            "move failed: timed out after 300ms waiting for ocicluster capi/demo to drop the "
            "clusterctl.cluster.x-k8s.io/block-move annotation: last seen the annotation is still set; nothing was "
            "created in the target; the source is unpaused");
  auto cluster = source_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo");
  EXPECT_FALSE((*cluster)["spec"].contains("paused"));
  EXPECT_FALSE(target_cluster.get("cluster.x-k8s.io/v1beta2", "Cluster", "capi", "demo"));
}

TEST_F(MoveUnitTest, WithoutClusterctlLabelsUsesTheClusterApiGroups)
{
  FakeCluster bare;
  install_crds(bare, false);
  bare.start();
  const auto g = make_graph(bare, true);
  k8s::Client client(bare.access("bare"));
  auto plan = plan_move(client, options());
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->nodes.size(), g.moving.size() + g.shared.size());
  EXPECT_NE(plan->to_text().find("note: no CRD carries the clusterctl.cluster.x-k8s.io label; using the 11 CRDs"),
            std::string::npos)
    << plan->to_text();
}

} // namespace
} // namespace ocne::clusterctl
