// `ocne node update --node all` through the binary: three control planes
// and two workers at 1.33 with the 1.34 OS downloaded, kubeadm's kube-proxy
// at v1.33.5, a budgeted workload on the workers.

#include "tests/e2e/upgrade/node_update_world.hpp"
#include "tests/support/child.hpp"
#include "tests/support/kube_workloads.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <thread>

namespace ocne::test {
namespace {

using nlohmann::json;

const std::vector<std::string> k_nodes = { "cp-1", "cp-2", "cp-3", "worker-1", "worker-2" };
constexpr const char* k_proxy_image = "container-registry.oracle.com/olcne/kube-proxy";

class NodeUpdateAll : public NodeUpdateWorld
{
protected:
  void
  SetUp() override
  {
    NodeUpdateWorld::SetUp();
    for (const auto& name : k_nodes) {
      add_staged_node(name, name.rfind("cp-", 0) == 0);
      if (name.rfind("cp-", 0) == 0) {
        add_static_pods(name);
      }
    }
    // etcd and the other static pods come back a while after the Node is Ready.
    hosts().set_reboot_timing({ .shutdown_after = std::chrono::milliseconds(300),
                                .down_for = std::chrono::milliseconds(300),
                                .static_pods_after = std::chrono::milliseconds(500) });
    add_kube_proxy(std::string(k_proxy_image) + ":v1.33.5");
    add_replicaset(server(), "shop", "web", { "worker-1", "worker-2" });
    add_budget(server(), "shop", "web", "web", 1);
  }

  std::string
  proxy_image()
  {
    const auto ds = *server().get("apps/v1", "DaemonSet", "kube-system", "kube-proxy");
    return ds["spec"]["template"]["spec"]["containers"][0].value("image", "");
  }

  // Every node once rebooted into 1.34, uncordoned, no journal; kube-proxy at
  // 1.34; never two nodes cordoned at once; control planes before workers;
  // kube-proxy after the last control plane and before the first worker.
  void
  expect_converged()
  {
    for (const auto& name : k_nodes) {
      const auto h = hosts().snapshot(name);
      EXPECT_EQ(h.reboots, 1) << name;
      EXPECT_LE(h.deploys, 1) << name;
      EXPECT_EQ(h.booted_commit, k_new_commit) << name;
      const auto n = node(name);
      EXPECT_FALSE(n.contains("spec") && n["spec"].value("unschedulable", false)) << name;
      EXPECT_FALSE(n["metadata"].value("annotations", json::object()).contains(k_journal)) << name;
      EXPECT_EQ(n["status"]["nodeInfo"].value("kubeletVersion", ""), k_new_kubelet) << name;
    }
    EXPECT_EQ(proxy_image(), std::string(k_proxy_image) + ":v1.34.1");
    std::set<std::string> cordoned;
    std::vector<std::string> order;
    for (const auto& f : flips()) {
      if (f.node == "kube-proxy" || f.node == "kube-proxy rolled out") {
        order.push_back(f.node);
        continue;
      }
      if (f.unschedulable) {
        EXPECT_TRUE(cordoned.empty()) << f.node << " cordoned while " << *cordoned.begin() << " is";
        EXPECT_TRUE(f.static_pods_ready) << f.node << " cordoned while a static pod was not Ready";
        cordoned.insert(f.node);
        if (std::find(order.begin(), order.end(), f.node) == order.end()) {
          order.push_back(f.node);
        }
      } else {
        cordoned.erase(f.node);
        EXPECT_TRUE(f.static_pods_ready) << f.node << " uncordoned before its static pods were Ready";
        EXPECT_NE(f.kubelet, "v1.33.5+1.el8") << f.node << " uncordoned before its update";
      }
    }
    EXPECT_EQ(order,
              (std::vector<std::string>{
                "cp-1", "cp-2", "cp-3", "kube-proxy", "kube-proxy rolled out", "worker-1", "worker-2" }));
  }
};

TEST_F(NodeUpdateAll, ControlPlanesFirstOneAtATimeThenKubeProxyThenWorkers)
{
  const auto r = ocne({ "node", "update", "--node", "all" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& name : k_nodes) {
    EXPECT_NE(r.out.find("Node " + name + ": updated from v1.33.5+1.el8 to v1.34.1+1.el8"), std::string::npos) << r.out;
  }
  expect_converged();

  // A second run finds nothing to do and writes nothing.
  server().clear_requests();
  const auto again = ocne({ "node", "update", "--node", "all" });
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Node worker-2: up to date"), std::string::npos) << again.out;
  EXPECT_EQ(count_requests("PATCH", "/api/v1/nodes"), 0);
  EXPECT_EQ(count_requests("PATCH", "/daemonsets/kube-proxy"), 0);
  for (const auto& name : k_nodes) {
    EXPECT_EQ(hosts().snapshot(name).reboots, 1) << name;
  }
}

TEST_F(NodeUpdateAll, ANodeStillDownloadingIsAnErrorAfterTheOthers)
{
  // worker-2's service has not fetched 1.34 yet.
  hosts().host("worker-2").staged_commit.clear();
  server().merge_patch("v1",
                       "Node",
                       "",
                       "worker-2",
                       { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", nullptr } } } } } });
  const auto r = ocne({ "node", "update", "--node", "all" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("Node worker-2: not downloaded yet"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("worker-2 still download the staged OS"), std::string::npos) << r.err;
  EXPECT_EQ(hosts().snapshot("worker-1").reboots, 1);
  EXPECT_EQ(hosts().snapshot("worker-2").reboots, 0);
}

TEST_F(NodeUpdateAll, AControlPlaneStillDownloadingStopsTheRunBeforeTheWorkers)
{
  // cp-2's service has not fetched 1.34 yet: the workers must wait for it.
  hosts().host("cp-2").staged_commit.clear();
  server().merge_patch("v1",
                       "Node",
                       "",
                       "cp-2",
                       { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", nullptr } } } } } });
  const auto r = ocne({ "node", "update", "--node", "all" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("Node cp-2: not downloaded yet"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cp-2 still download the staged OS"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("update the control plane nodes first"), std::string::npos) << r.err;
  EXPECT_EQ(hosts().snapshot("cp-1").reboots, 1);
  EXPECT_EQ(hosts().snapshot("cp-2").reboots, 0);
  EXPECT_EQ(hosts().snapshot("cp-3").reboots, 1);
  for (const auto* worker : { "worker-1", "worker-2" }) {
    EXPECT_EQ(hosts().snapshot(worker).reboots, 0) << worker;
    EXPECT_FALSE(node(worker).value("spec", json::object()).value("unschedulable", false)) << worker;
  }
}

// kill -9 at seeded moments (OCNE_TEST_SEED, printed; OCNE_TEST_KILLS runs,
// default 3), each run continuing the last; the run after them converges.
// scripts/node-update-kill-sweep.sh runs many seeds.
TEST_F(NodeUpdateAll, KilledAtSeededMomentsTheNextRunConverges)
{
  const char* seed_env = std::getenv("OCNE_TEST_SEED");
  const unsigned seed = seed_env != nullptr ? static_cast<unsigned>(std::stoul(seed_env)) : std::random_device{}();
  const char* kills_env = std::getenv("OCNE_TEST_KILLS");
  const int kills = kills_env != nullptr ? std::stoi(kills_env) : 3;
  std::cerr << "NodeUpdateAll: OCNE_TEST_SEED=" << seed << " OCNE_TEST_KILLS=" << kills << "\n";
  std::mt19937 rng(seed);
  // A whole run takes a few seconds here: kills land anywhere in it.
  std::uniform_int_distribution<int> delay_ms(0, 4000);
  for (int i = 0; i < kills; ++i) {
    Child child({ ocne_binary().string(), "node", "update", "--node", "all", "-k", kubeconfig().string() },
                ocne_env(),
                dir() / "run.out",
                dir() / "run.err");
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng));
    while (child.running() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    child.kill(SIGKILL);
    child.wait();
  }
  const auto r = ocne({ "node", "update", "--node", "all" });
  ASSERT_EQ(r.exit_code, 0) << "seed " << seed << ": " << r.err;
  expect_converged();
}

// Killed at named points of a whole-cluster update (the n-th time with
// "#n"), the next run converges: each node rebooted exactly once.
class NodeUpdateAllKill
  : public NodeUpdateAll
  , public testing::WithParamInterface<const char*>
{};

TEST_P(NodeUpdateAllKill, TheNextRunConverges)
{
  set_ocne_env("OCNE_TEST_KILL_AT", GetParam());
  const auto killed = ocne({ "node", "update", "--node", "all" });
  ASSERT_EQ(killed.signal, 9) << killed.exit_code << " " << killed.err;
  set_ocne_env("OCNE_TEST_KILL_AT", "none");
  const auto r = ocne({ "node", "update", "--node", "all" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_converged();
}

INSTANTIATE_TEST_SUITE_P(Points,
                         NodeUpdateAllKill,
                         testing::Values("reboot scheduled#2", "uncordoned#3", "kube-proxy", "drained#5"),
                         [](const testing::TestParamInfo<const char*>& p) {
                           std::string name;
                           for (const char* c = p.param; *c != '\0'; ++c) {
                             name += std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '_';
                           }
                           return name;
                         });

} // namespace
} // namespace ocne::test
