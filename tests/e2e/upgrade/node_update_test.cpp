// `ocne node update -N NODE` through the binary, one node at a time: the
// fake OCK hosts deploy the staged commit and reboot into it
// (node_update_world.hpp).

#include "tests/e2e/upgrade/node_update_world.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/support/kube_workloads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

namespace ocne::test {
namespace {

using nlohmann::json;

bool
cordoned(const json& node)
{
  return node.contains("spec") && node["spec"].value("unschedulable", false);
}

class NodeUpdate : public NodeUpdateWorld
{
protected:
  void
  SetUp() override
  {
    NodeUpdateWorld::SetUp();
    add_staged_node("cp-1", true);
    add_staged_node("worker-1", false);
    add_staged_node("worker-2", false);
  }

  // Updated, uncordoned, journal gone, rebooted once into the new commit.
  void
  expect_updated(const std::string& name, int reboots = 1)
  {
    const auto h = hosts().snapshot(name);
    EXPECT_EQ(h.booted_commit, k_new_commit) << name;
    EXPECT_EQ(h.reboots, reboots) << name;
    const auto n = node(name);
    EXPECT_FALSE(cordoned(n)) << name;
    const auto annotations = n["metadata"].value("annotations", json::object());
    EXPECT_FALSE(annotations.contains(k_journal)) << name << " " << annotations.dump();
    EXPECT_FALSE(annotations.contains("ocne.oracle.com/update-available")) << name;
    EXPECT_EQ(n["status"]["nodeInfo"].value("kubeletVersion", ""), k_new_kubelet) << name;
  }

  std::vector<std::string>
  commands_on(const std::string& node_name)
  {
    std::vector<std::string> out;
    for (const auto& c : hosts().commands()) {
      if (c.rfind(node_name + ": ", 0) == 0) {
        out.push_back(c.substr(node_name.size() + 2));
      }
    }
    return out;
  }
};

TEST_F(NodeUpdate, UncordonsOnlyAfterANewBootIdReadyAndTheTargetVersion)
{
  const auto boot_before = node("cp-1")["status"]["nodeInfo"].value("bootID", "");
  const auto r = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Node cp-1: updated from v1.33.5+1.el8 to v1.34.1+1.el8"), std::string::npos) << r.out;
  expect_updated("cp-1");
  EXPECT_EQ(hosts().snapshot("cp-1").deploys, 1);
  const auto f = flips();
  ASSERT_EQ(f.size(), 2U);
  EXPECT_TRUE(f[0].unschedulable);
  EXPECT_EQ(f[0].boot_id, boot_before);
  // The fake keeps the node Ready for a while after the trigger: an
  // uncordon on Ready alone would come before the reboot.
  EXPECT_FALSE(f[1].unschedulable);
  EXPECT_NE(f[1].boot_id, boot_before);
  EXPECT_EQ(f[1].ready, "True");
  EXPECT_EQ(f[1].kubelet, k_new_kubelet);
  const auto cmds = commands_on("cp-1");
  for (const char* expected : { "ostree admin deploy ock:ock",
                                "rpm-ostree kargs --delete-if-present=ignition.firstboot=1",
                                "systemd-run --on-active=5 --unit=ocne-node-update-reboot systemctl reboot" }) {
    EXPECT_EQ(std::count(cmds.begin(), cmds.end(), expected), 1) << expected;
  }
  // The node pods went with the run.
  for (const auto& pod : server().list("v1", "Pod", "ocne-system")) {
    EXPECT_TRUE(pod["metadata"].contains("deletionTimestamp")) << pod["metadata"].value("name", "");
  }
  // Nothing left to do.
  const auto again = ocne({ "node", "update", "-N", "cp-1" });
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("Node cp-1 has no updates available"), std::string::npos) << again.err;
  EXPECT_EQ(hosts().snapshot("cp-1").reboots, 1);
}

TEST_F(NodeUpdate, DrainsThroughEvictionRetryingTheBudget)
{
  mark_updated("cp-1");
  // Two pods on worker-1, at least one must stay available: the second
  // eviction waits until the first one's replacement is Ready elsewhere.
  add_replicaset(server(), "shop", "web", { "worker-1", "worker-1" });
  add_budget(server(), "shop", "web", "web", 1);
  const auto r = ocne({ "node", "update", "-N", "worker-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("worker-1");
  EXPECT_GE(count_requests("POST", "/namespaces/shop/pods/", 429), 1);
  EXPECT_EQ(count_requests("POST", "/eviction", 201) + count_requests("POST", "/eviction", 200), 2);
  EXPECT_EQ(count_requests("DELETE", "/namespaces/shop/pods/"), 0);
  EXPECT_NE(r.err.find("needs 1 healthy pods"), std::string::npos) << r.err;
  int web_pods = 0;
  for (const auto& pod : server().list("v1", "Pod", "shop")) {
    web_pods += pod["metadata"].contains("deletionTimestamp") ? 0 : 1;
  }
  EXPECT_EQ(web_pods, 2);
}

TEST_F(NodeUpdate, DisableEvictionDeletes)
{
  mark_updated("cp-1");
  add_replicaset(server(), "shop", "web", { "worker-1", "worker-2" });
  add_budget(server(), "shop", "web", "web", 2);
  const auto r = ocne({ "node", "update", "-N", "worker-1", "-c" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("worker-1");
  EXPECT_EQ(count_requests("POST", "/eviction"), 0);
  EXPECT_EQ(count_requests("DELETE", "/namespaces/shop/pods/web-1"), 1);
}

TEST_F(NodeUpdate, EmptyDirNeedsD)
{
  mark_updated("cp-1");
  add_replicaset(
    server(), "shop", "cache", { "worker-1" }, json::array({ { { "name", "tmp" }, { "emptyDir", json::object() } } }));
  const auto refused = ocne({ "node", "update", "-N", "worker-1" });
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("shop/cache-1"), std::string::npos) << refused.err;
  EXPECT_FALSE(cordoned(node("worker-1")));
  EXPECT_FALSE(node("worker-1")["metadata"]["annotations"].contains(k_journal));
  EXPECT_EQ(count_requests("POST", "/eviction"), 0);

  const auto r = ocne({ "node", "update", "-N", "worker-1", "-d" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("worker-1");
}

TEST_F(NodeUpdate, WorkersWaitForTheControlPlanes)
{
  server().clear_requests();
  const auto r = ocne({ "node", "update", "-N", "worker-2" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Node worker-2 cannot be updated to 1.34 while control plane node cp-1 runs 1.33"),
            std::string::npos)
    << r.err;
  for (const auto& req : server().requests()) {
    EXPECT_TRUE(req.method == "GET" || req.target.find("/namespaces/ocne-system") != std::string::npos ||
                (req.method == "POST" && req.target == "/api/v1/namespaces"))
      << req.method << " " << req.target;
  }
  EXPECT_EQ(hosts().snapshot("worker-2").reboots, 0);
}

TEST_F(NodeUpdate, NoUpdateIsRefusedAndAnUnannouncedDownloadIsFound)
{
  const auto missing = ocne({ "node", "update", "-N", "worker-9" });
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("Node worker-9 does not exist"), std::string::npos) << missing.err;

  // Nothing downloaded at all.
  hosts().host("cp-1").staged_commit.clear();
  server().merge_patch("v1",
                       "Node",
                       "",
                       "cp-1",
                       { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", nullptr } } } } } });
  auto r = ocne({ "node", "update", "-N", "cp-1" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Node cp-1 has no updates available"), std::string::npos) << r.err;
  r = ocne({ "node", "update", "-N", "cp-1", "--force" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nothing is staged on node cp-1: run 'ocne cluster stage' first"), std::string::npos) << r.err;
  EXPECT_FALSE(cordoned(node("cp-1")));

  // Downloaded but never announced (kubelets that cannot annotate their
  // Node, Oracle #479): the staged commit says it.
  hosts().host("cp-1").staged_commit = k_new_commit;
  r = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("cp-1");
}

TEST_F(NodeUpdate, AnOperatorsCordonIsKept)
{
  mark_updated("cp-1");
  server().merge_patch("v1", "Node", "", "worker-2", { { "spec", { { "unschedulable", true } } } });
  const auto r = ocne({ "node", "update", "-N", "worker-2" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Node worker-2 was cordoned before this update: it stays cordoned"), std::string::npos) << r.err;
  const auto n = node("worker-2");
  EXPECT_TRUE(cordoned(n));
  EXPECT_FALSE(n["metadata"]["annotations"].contains(k_journal));
  EXPECT_EQ(hosts().snapshot("worker-2").booted_commit, k_new_commit);
}

TEST_F(NodeUpdate, RebootIntoTheOldOsIsAnErrorAndStaysCordoned)
{
  hosts().host("cp-1").boot_fallback = true;
  hosts().host("cp-1").kubelet_of_commit[k_old_commit] = k_new_kubelet; // the version alone would pass
  auto r = ocne({ "node", "update", "-N", "cp-1" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Node cp-1 rebooted but runs commit " + k_old_commit + " instead of the staged " + k_new_commit),
            std::string::npos)
    << r.err;
  EXPECT_TRUE(cordoned(node("cp-1")));
  EXPECT_TRUE(node("cp-1")["metadata"]["annotations"].contains(k_journal));
  // cluster info tells.
  const auto info = ocne({ "cluster", "info", "-s" });
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("Unfinished node updates:\n  cp-1: rebooting, begun "), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("'ocne node update -N cp-1' continues it"), std::string::npos) << info.out;
  const auto as_json = ocne({ "cluster", "info", "-s", "-o", "json" });
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  bool found = false;
  const auto parsed = json::parse(as_json.out);
  for (const auto& n : parsed["nodes"]) {
    if (n.value("name", "") == "cp-1") {
      found = true;
      EXPECT_EQ(n["nodeUpdate"].value("phase", ""), "rebooting") << n.dump();
    } else {
      EXPECT_FALSE(n.contains("nodeUpdate")) << n.dump();
    }
  }
  EXPECT_TRUE(found) << as_json.out;
  // Another node's update waits for this one.
  mark_updated("worker-1");
  const auto other = ocne({ "node", "update", "-N", "worker-2" });
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("Node cp-1's update is unfinished (rebooting); run 'ocne node update -N cp-1' first"),
            std::string::npos)
    << other.err;

  hosts().host("cp-1").boot_fallback = false;
  r = ocne({ "node", "update", "-N", "cp-1", "--force" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("cp-1", 2);
  EXPECT_EQ(ocne({ "cluster", "info", "-s" }).out.find("Unfinished node updates"), std::string::npos);
}

TEST_F(NodeUpdate, ForceRebootsAgainInTheSameRunWhenTheFirstBootFellBack)
{
  // The first boot falls back to the old commit; the second takes the staged one.
  hosts().host("cp-1").fallback_boots = 1;
  hosts().host("cp-1").kubelet_of_commit[k_old_commit] = k_new_kubelet; // the version alone would pass
  // Without a second reboot the run would wait this out.
  set_ocne_env("OCNE_NODE_UPDATE_READY_TIMEOUT", "20");
  const auto r = ocne({ "node", "update", "-N", "cp-1", "--force" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Node cp-1 booted " + k_old_commit + " instead of " + k_new_commit +
                       "; --force: deploying and rebooting again"),
            std::string::npos)
    << r.err;
  expect_updated("cp-1", 2);
  EXPECT_EQ(hosts().snapshot("cp-1").deploys, 2);
}

TEST_F(NodeUpdate, AForbiddenNodePodWhileRebootingFailsAtOnce)
{
  // Stopped in phase rebooting, before the reboot was set off.
  set_ocne_env("OCNE_TEST_KILL_AT", "rebooting");
  const auto killed = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(killed.signal, 9) << killed.exit_code << " " << killed.err;
  set_ocne_env("OCNE_TEST_KILL_AT", "none");
  // Waiting cannot make a forbidden node pod allowed: the run must say so,
  // not wait out the timeout.
  set_ocne_env("OCNE_NODE_UPDATE_READY_TIMEOUT", "20");
  server().faults().fail_next(
    1000,
    { .kind = kube::Fault::Kind::status,
      .status = 403,
      .message = "pods is forbidden: User \"ocne\" cannot create resource \"pods\" in the namespace \"ocne-system\"" },
    "POST",
    "/api/v1/namespaces/ocne-system/pods");
  const auto r = ocne({ "node", "update", "-N", "cp-1" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot create resource"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("did not come back at the new version in time"), std::string::npos) << r.err;
  EXPECT_EQ(hosts().snapshot("cp-1").reboots, 0);
}

TEST_F(NodeUpdate, AConflictOnTheUncordonIsReadAgainAndRetried)
{
  // Once cp-1 is back on its new boot, the next write of its Node by ocne
  // (the uncordon) meets a conflict, as when the kubelet posted its status
  // between ocne's read and its patch.
  auto fired = std::make_shared<std::atomic<bool>>(false);
  server().on({ .kind = "Node" }, [fired](kube::KubeTestServer& s, const kube::ObjectEvent& e) {
    const auto boot = [](const json& n) { return n["status"]["nodeInfo"].value("bootID", ""); };
    if (!e.old_object || (*e.object)["metadata"].value("name", "") != "cp-1" ||
        boot(*e.old_object) == boot(*e.object) || fired->exchange(true)) {
      return;
    }
    s.faults().fail_next(1,
                         { .kind = kube::Fault::Kind::status,
                           .status = 409,
                           .message = "Operation cannot be fulfilled on nodes \"cp-1\": the object has been modified; "
                                      "please apply your changes to the latest version and try again" },
                         "PATCH",
                         "/api/v1/nodes/cp-1");
  });
  const auto r = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fired->load());
  EXPECT_EQ(count_requests("PATCH", "/api/v1/nodes/cp-1", 409), 1);
  expect_updated("cp-1");
}

TEST_F(NodeUpdate, TheApiGoneDuringTheFirstControlPlaneRebootIsWaitedOut)
{
  // libvirt: ocne reaches the API through cp-1, so it is away while cp-1 reboots.
  hosts().host("cp-1").api_front = true;
  hosts().set_reboot_timing(
    { .shutdown_after = std::chrono::milliseconds(300), .down_for = std::chrono::milliseconds(1500) });
  const auto r = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every request was reset for 1.5 s while ocne waited for the reboot.
  EXPECT_EQ(hosts().snapshot("cp-1").api_outages, 1);
  expect_updated("cp-1");
}

TEST_F(NodeUpdate, SingleNodeClusterIsNotDrained)
{
  // A world of its own: one node.
  server().remove("v1", "Node", "", "worker-1");
  server().remove("v1", "Node", "", "worker-2");
  add_replicaset(server(), "shop", "web", { "cp-1" });
  const auto r = ocne({ "node", "update", "-N", "cp-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("cp-1");
  EXPECT_TRUE(flips().empty());
  EXPECT_EQ(count_requests("POST", "/eviction"), 0);
}

TEST_F(NodeUpdate, FlagsAreChecked)
{
  auto r = ocne({ "node", "update", "-N", "cp-1", "-t", "5x" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--timeout 5x: not a duration (e.g. 30m)"), std::string::npos) << r.err;
  r = ocne({ "node", "update" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--node is required"), std::string::npos) << r.err;
  EXPECT_EQ(hosts().snapshot("cp-1").reboots, 0);
}

// Killed at each step of one node's update, the next run finishes it with
// one reboot.
class NodeUpdateKill
  : public NodeUpdate
  , public testing::WithParamInterface<const char*>
{};

TEST_P(NodeUpdateKill, TheNextRunFinishesWithOneReboot)
{
  mark_updated("cp-1");
  add_replicaset(server(), "shop", "web", { "worker-1", "worker-2" });
  add_budget(server(), "shop", "web", "web", 1);
  set_ocne_env("OCNE_TEST_KILL_AT", GetParam());
  const auto killed = ocne({ "node", "update", "-N", "worker-1" });
  ASSERT_EQ(killed.signal, 9) << killed.exit_code << " " << killed.err;
  set_ocne_env("OCNE_TEST_KILL_AT", "none");
  const auto r = ocne({ "node", "update", "-N", "worker-1" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_updated("worker-1");
  EXPECT_LE(hosts().snapshot("worker-1").deploys, 1);
}

INSTANTIATE_TEST_SUITE_P(
  Points,
  NodeUpdateKill,
  testing::Values("cordoned", "evicted shop/web-1", "drained", "rebooting", "deployed", "reboot scheduled", "rebooted"),
  [](const testing::TestParamInfo<const char*>& p) {
    std::string name;
    for (const char* c = p.param; *c != '\0'; ++c) {
      name += std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '_';
    }
    return name;
  });

} // namespace
} // namespace ocne::test
