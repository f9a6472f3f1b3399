// `ocne cluster info` through the binary against the Kubernetes test server.

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

using nlohmann::json;

class ClusterInfo : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    add_node({ .name = "cp-1", .control_plane = true });
    add_node({ .name = "worker-1", .cordoned = true, .update_available = true });
    add_node({ .name = "worker-2", .ready = false, .kubelet_version = "v1.31.9+1.el8" });
  }
};

TEST_F(ClusterInfo, TableShowsRolesStatesVersionsAndUpdates)
{
  const auto r = ocne({ "cluster", "info" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("control plane nodes: 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("worker nodes: 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nodes with available updates: 1\n"), std::string::npos) << r.out;
  // Control planes first, then workers by name; one row each.
  const auto cp = r.out.find("  cp-1 ");
  const auto w1 = r.out.find("  worker-1 ");
  const auto w2 = r.out.find("  worker-2 ");
  ASSERT_NE(cp, std::string::npos) << r.out;
  ASSERT_NE(w1, std::string::npos) << r.out;
  ASSERT_NE(w2, std::string::npos) << r.out;
  EXPECT_LT(cp, w1);
  EXPECT_LT(w1, w2);
  const auto row = [&](std::size_t at) { return r.out.substr(at, r.out.find('\n', at) - at); };
  EXPECT_NE(row(cp).find("control plane   Ready "), std::string::npos) << row(cp);
  EXPECT_NE(row(w1).find("Ready,SchedulingDisabled"), std::string::npos) << row(w1);
  EXPECT_TRUE(row(w1).ends_with("true")) << row(w1);
  EXPECT_NE(row(w2).find("NotReady"), std::string::npos) << row(w2);
  EXPECT_NE(row(w2).find("v1.31.9+1.el8"), std::string::npos) << row(w2);
  EXPECT_EQ(r.out.find("Cluster API:"), std::string::npos) << "no Cluster API here\n" << r.out;
}

TEST_F(ClusterInfo, WhatTheNodesSayTheirUpdateSourceDeploymentsAndAStagedUpdate)
{
  hosts().host("cp-1").staged_commit = "9f8e7d6c5b4a39281706f5e4d3c2b1a093b1e5c0e8a4f9d2c7b6a5e4d3c2b1a0";
  hosts().host("cp-1").failed_units = { "ocne-update.service" };
  const auto r = ocne({ "cluster", "info" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // cp-1 has no annotation; its staged commit makes the update available.
  EXPECT_NE(r.out.find("nodes with available updates: 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Node cp-1:\n"
                       "  Registry and tag for ostree patch images:\n"
                       "    registry: container-registry.oracle.com/olcne/ock-ostree\n"
                       "    tag: 1.32\n"
                       "    transport: ostree-unverified-registry\n"
                       "  Ostree deployments:\n"
                       "    * ock 3b1e5c0e8a4f9d2c7b6a5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09.0\n"
                       "  Staged update: 9f8e7d6c5b4a39281706f5e4d3c2b1a093b1e5c0e8a4f9d2c7b6a5e4d3c2b1a0 (booted "
                       "3b1e5c0e8a4f9d2c7b6a5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09)\n"
                       "  Failed units: ocne-update.service\n"),
            std::string::npos)
    << r.out;
  EXPECT_NE(r.out.find("Node worker-1:\n"), std::string::npos) << r.out;
  // worker-2 is NotReady: no pod can run there; said on stderr.
  EXPECT_EQ(r.out.find("Node worker-2:"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("node worker-2: NotReady"), std::string::npos) << r.err;
  EXPECT_TRUE(server().list("v1", "Pod", "ocne-system").empty()) << "a node pod is left";
  // Only the summary is read; the rest of a dump's files is not.
  for (const auto& c : hosts().commands()) {
    EXPECT_EQ(c.find("journalctl"), std::string::npos) << c;
  }
  const auto j = ocne({ "cluster", "info", "-o", "json", "-N", "cp-1" });
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto node = json::parse(j.out)["nodes"][0];
  EXPECT_EQ(node["updateAvailable"], true);
  EXPECT_EQ(node["stagedCommit"], "9f8e7d6c5b4a39281706f5e4d3c2b1a093b1e5c0e8a4f9d2c7b6a5e4d3c2b1a0");
  EXPECT_EQ(node["failedUnits"], json::array({ "ocne-update.service" }));
  EXPECT_NE(node["updateSource"].get<std::string>().find("tag: 1.32"), std::string::npos);
}

TEST_F(ClusterInfo, SkipNodesRunsNothingOnTheNodes)
{
  const auto r = ocne({ "cluster", "info", "-s" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Node cp-1:"), std::string::npos) << r.out;
  EXPECT_TRUE(hosts().commands().empty());
  EXPECT_FALSE(server().get("v1", "Namespace", "", "ocne-system"));
}

TEST_F(ClusterInfo, JsonHasEveryFieldAndTheNotReadyReason)
{
  const auto r = ocne({ "cluster", "info", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  ASSERT_EQ(doc["nodes"].size(), 3U);
  EXPECT_EQ(doc["serverVersion"], "v1.32.4");
  EXPECT_EQ(doc["nodes"][0]["name"], "cp-1");
  EXPECT_EQ(doc["nodes"][0]["role"], "control-plane");
  EXPECT_EQ(doc["nodes"][1]["cordoned"], true);
  EXPECT_EQ(doc["nodes"][1]["updateAvailable"], true);
  EXPECT_EQ(doc["nodes"][2]["ready"], false);
  EXPECT_EQ(doc["nodes"][2]["notReadyMessage"], "container runtime network not ready: NetworkReady=false");
  EXPECT_EQ(doc["nodes"][2]["osImage"], "Oracle Linux Server 8.10");
  EXPECT_TRUE(doc["clusterAPI"].empty());
}

TEST_F(ClusterInfo, NodesFilterAndUnknownNodesAreAnError)
{
  auto r = ocne({ "cluster", "info", "-N", "worker-2,cp-1", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["nodes"].size(), 2U);
  r = ocne({ "cluster", "info", "-N", "cp-1,nope,gone" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: no such node: nope, gone\n");
}

TEST_F(ClusterInfo, AClusterOcneKnowsByName)
{
  write(".ocne/clusters.yaml",
        "clusters:\n  demo:\n    config:\n      name: demo\n      provider: libvirt\n    kubeconfig: " +
          kubeconfig().string() + "\n",
        0600);
  auto r = run_ocne({ "cluster", "info", "-C", "demo", "-o", "json" }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["nodes"].size(), 3U);
  r = run_ocne({ "cluster", "info", "-C", "nope" }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cluster 'nope' does not exist"), std::string::npos) << r.err;
  r = run_ocne({ "cluster", "info", "-C", "demo", "-k", kubeconfig().string() }, dir());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(ClusterInfo, KubeconfigFromTheEnvironment)
{
  const auto r = run_ocne({ "cluster", "info", "-o", "json" }, dir(), { { "KUBECONFIG", kubeconfig().string() } });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["nodes"].size(), 3U);
}

TEST_F(ClusterInfo, AMissingKubeconfigNamesTheFile)
{
  const auto r = run_ocne({ "cluster", "info", "-k", (dir() / "nope").string() }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((dir() / "nope").string()), std::string::npos) << r.err;
}

TEST_F(ClusterInfo, ClusterApiObjectsWithVersionsAndHealth)
{
  OCNE_REQUIRE_SHARED();
  load_capi_crds();
  add_capi_cluster({ .kcp_up_to_date = 2, .md_ready = 1 });

  auto r = ocne({ "cluster", "info" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Cluster API:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Cluster               demo/demo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rollout not done: 2 of 3 replicas up to date"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Available is False: 1 of 2 machines available; 1 of 2 replicas ready"), std::string::npos)
    << r.out;

  r = ocne({ "cluster", "info", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto capi = json::parse(r.out)["clusterAPI"];
  ASSERT_EQ(capi.size(), 3U) << capi.dump(2);
  EXPECT_EQ(capi[0]["kind"], "Cluster");
  EXPECT_EQ(capi[0]["healthy"], true);
  EXPECT_EQ(capi[1]["kind"], "KubeadmControlPlane");
  EXPECT_EQ(capi[1]["version"], "v1.32.4");
  EXPECT_EQ(capi[1]["replicas"]["upToDate"], 2);
  EXPECT_EQ(capi[1]["healthy"], false);
  EXPECT_EQ(capi[2]["kind"], "MachineDeployment");
  EXPECT_EQ(capi[2]["version"], "v1.32.4");
}

} // namespace
} // namespace ocne::test

namespace ocne::test {
namespace {

// A workload cluster ocne started through Cluster API: its nodes from its
// own API, its Cluster API objects from the management cluster its record
// names (here the world's server; the workload is a second server).
TEST_F(ClusterInfo, AWorkloadClusterShowsItsObjectsFromTheManagementCluster)
{
  OCNE_REQUIRE_SHARED();
  load_capi_crds();
  add_capi_cluster({ .md_ready = 1 });
  kube::ServerOptions o;
  o.kubeconfig_path = dir() / "workload-kubeconfig";
  kube::KubeTestServer workload(o);
  workload.start();
  workload.create({ { "apiVersion", "v1" }, { "kind", "Node" }, { "metadata", { { "name", "demo-cp-1" } } } });
  write(".ocne/clusters.yaml",
        "clusters:\n  demo:\n    config:\n      name: demo\n      provider: oci\n    kubeconfig: " +
          o.kubeconfig_path.string() + "\n    state:\n      capi.management: " + kubeconfig().string() +
          "\n      capi.namespace: demo\n      capi.cluster: demo\n",
        0600);
  for (const auto& target :
       std::vector<std::vector<std::string>>{ { "-C", "demo" }, { "-k", o.kubeconfig_path.string() } }) {
    std::vector<std::string> args = { "cluster", "info", "-s", "-o", "json" };
    args.insert(args.end(), target.begin(), target.end());
    const auto r = run_ocne(args, dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc["nodes"].size(), 1U) << doc.dump(2);
    EXPECT_EQ(doc["nodes"][0]["name"], "demo-cp-1");
    EXPECT_EQ(doc["clusterAPISource"], server().url()) << doc.dump(2);
    ASSERT_EQ(doc["clusterAPI"].size(), 3U) << doc.dump(2);
    EXPECT_EQ(doc["clusterAPI"][0]["kind"], "Cluster");
    EXPECT_EQ(doc["clusterAPI"][2]["kind"], "MachineDeployment");
    EXPECT_EQ(doc["clusterAPI"][2]["healthy"], false);
  }
  const auto r = run_ocne({ "cluster", "info", "-s", "-C", "demo" }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Cluster API (from the management cluster at " + server().url() + "):\n"), std::string::npos)
    << r.out;
  // A self-managed record (management = its own kubeconfig) reads its own API.
  write(".ocne/clusters.yaml",
        "clusters:\n  demo:\n    config:\n      name: demo\n      provider: oci\n    kubeconfig: " +
          o.kubeconfig_path.string() + "\n    state:\n      capi.management: " + o.kubeconfig_path.string() +
          "\n      capi.namespace: demo\n      capi.cluster: demo\n",
        0600);
  const auto self = run_ocne({ "cluster", "info", "-s", "-C", "demo", "-o", "json" }, dir());
  ASSERT_EQ(self.exit_code, 0) << self.err;
  EXPECT_TRUE(json::parse(self.out)["clusterAPI"].empty()) << self.out;
}

} // namespace
} // namespace ocne::test
