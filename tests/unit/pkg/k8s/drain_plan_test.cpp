// plan_drain: which pods of a node go, which stay, which block.

#include "pkg/k8s/drain.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;

json
pod(const std::string& name, const std::string& owner_kind = "ReplicaSet", const std::string& phase = "Running")
{
  json p = { { "metadata", { { "name", name }, { "namespace", "apps" }, { "uid", "uid-" + name } } },
             { "spec", { { "nodeName", "w1" } } },
             { "status", { { "phase", phase } } } };
  if (!owner_kind.empty()) {
    p["metadata"]["ownerReferences"] = { { { "kind", owner_kind }, { "name", "owner" }, { "controller", true } } };
  }
  return p;
}

json
with_emptydir(json p)
{
  p["spec"]["volumes"] = { { { "name", "scratch" }, { "emptyDir", json::object() } } };
  return p;
}

TEST(DrainPlan, DaemonSetMirrorAndOcnePodsStayTheRestGoes)
{
  auto mirror = pod("kube-apiserver-w1", "Node");
  mirror["metadata"]["annotations"] = { { "kubernetes.io/config.mirror", "abc" } };
  auto ours = pod("node-update-w1-x", "");
  ours["metadata"]["labels"] = { { "ocne.oracle.com/purpose", "node-update" } };
  const auto plan =
    plan_drain({ pod("web-1"), pod("kube-proxy-x", "DaemonSet"), mirror, ours, pod("db-0", "StatefulSet") }, {});
  ASSERT_EQ(plan.to_remove.size(), 2U);
  EXPECT_EQ(plan.to_remove[0].key(), "apps/web-1");
  EXPECT_EQ(plan.to_remove[0].uid, "uid-web-1");
  EXPECT_EQ(plan.to_remove[1].key(), "apps/db-0");
  EXPECT_EQ(plan.daemonset_pods, std::vector<std::string>{ "apps/kube-proxy-x" });
  EXPECT_EQ(plan.mirror_pods, std::vector<std::string>{ "apps/kube-apiserver-w1" });
  EXPECT_EQ(plan.skipped_pods, std::vector<std::string>{ "apps/node-update-w1-x" });
  EXPECT_TRUE(plan.emptydir_pods.empty());
  EXPECT_TRUE(plan.unmanaged_pods.empty());
}

TEST(DrainPlan, EmptyDirPodsBlockWithoutConsentAndEveryOneIsNamed)
{
  const std::vector<json> pods = { with_emptydir(pod("cache-1")),
                                   with_emptydir(pod("cache-2")),
                                   pod("web-1"),
                                   with_emptydir(pod("done", "ReplicaSet", "Succeeded")) };
  const auto plan = plan_drain(pods, {});
  EXPECT_EQ(plan.emptydir_pods, (std::vector<std::string>{ "apps/cache-1", "apps/cache-2" }));
  ASSERT_EQ(plan.to_remove.size(), 2U); // web-1 and the finished pod, whatever its volumes
  const auto refused = check_emptydir("w1", plan, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(refused.error().message(),
            "cannot drain node w1: these pods use emptyDir volumes, whose data would be lost: apps/cache-1, "
            "apps/cache-2 (allow it with --delete-emptydir-data)");

  const auto allowed = plan_drain(pods, { .delete_emptydir_data = true });
  EXPECT_TRUE(allowed.emptydir_pods.empty());
  EXPECT_EQ(allowed.to_remove.size(), 4U);
  EXPECT_TRUE(check_emptydir("w1", allowed, { .delete_emptydir_data = true }));
}

TEST(DrainPlan, PodsWithoutAControllerAreRemovedAndListed)
{
  const auto plan = plan_drain({ pod("bare", ""), pod("failed", "", "Failed") }, {});
  EXPECT_EQ(plan.unmanaged_pods, std::vector<std::string>{ "apps/bare" });
  EXPECT_EQ(plan.to_remove.size(), 2U);
}

} // namespace
} // namespace ocne::k8s
