// `ocne cluster analyze` through the binary, live and from dumps (folder and
// archive), on a cluster with every kind of problem planted.

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ocne::test {
namespace {

using nlohmann::json;

std::string
golden(const std::string& name)
{
  std::ifstream in(fixture_path("diag") / name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ClusterAnalyze : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    add_node({ .name = "cp-1", .control_plane = true });
    add_node({ .name = "worker-1", .cordoned = true });
    add_node({ .name = "worker-2", .ready = false });
    add_node({ .name = "worker-3", .extra_conditions = { { "DiskPressure", "True" }, { "PIDPressure", "True" } } });
    add_namespace("app");

    add_pod("app", "healthy", "worker-3", { "app" });
    add_pod("app", "crash", "worker-3", { "app" });
    patch_pod_status("app", "crash", json::parse(R"({"conditions": [{"type": "Ready", "status": "False"}],
      "containerStatuses": [{"name": "app", "image": "registry.example/app:1", "imageID": "", "ready": false, "restartCount": 7,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
        "lastState": {"terminated": {"exitCode": 2, "reason": "Error", "message": "panic: no config"}}}]})"));
    add_pod("app", "pull", "worker-3", { "app" });
    patch_pod_status("app", "pull", json::parse(R"({"conditions": [{"type": "Ready", "status": "False"}],
      "containerStatuses": [{"name": "app", "image": "registry.example/nope:9", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"registry.example/nope:9\""}}}]})"));
    server().create(
      json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pending", "namespace": "app"},
      "spec": {"containers": [{"name": "app", "image": "a"}]}})"));
    patch_pod_status("app", "pending", json::parse(R"({"phase": "Pending", "conditions": [{"type": "PodScheduled",
      "status": "False", "reason": "Unschedulable", "message": "0/4 nodes are available: 4 Insufficient cpu."}]})"));
    add_pod("app", "evicted", "worker-3", { "app" });
    patch_pod_status("app", "evicted", json::parse(R"({"phase": "Failed", "reason": "Evicted",
      "message": "The node was low on resource: ephemeral-storage.", "conditions": [{"type": "Ready", "status": "False"}]})"));
    add_pod("app", "init", "worker-3", { "app" });
    server().merge_patch(
      "v1", "Pod", "app", "init", json::parse(R"({"spec": {"initContainers": [{"name": "setup", "image": "s"}]}})"));
    patch_pod_status(
      "app", "init", json::parse(R"({"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}],
      "initContainerStatuses": [{"name": "setup", "image": "registry.example/setup:1", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"waiting": {"reason": "ErrImagePull", "message": "manifest unknown"}}}],
      "containerStatuses": [{"name": "app", "image": "registry.example/app:1", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"waiting": {"reason": "PodInitializing"}}}]})"));
    add_pod("app", "done", "worker-3", { "job" });
    patch_pod_status(
      "app", "done", json::parse(R"({"phase": "Succeeded", "conditions": [{"type": "Ready", "status": "False"}]})"));

    add_event("app",
              "crash.1",
              "Warning",
              "BackOff",
              "Back-off restarting failed container app",
              { { "kind", "Pod" }, { "namespace", "app" }, { "name", "crash" } });
    add_event("app",
              "pending.1",
              "Warning",
              "FailedScheduling",
              "0/4 nodes are available: 4 Insufficient cpu.",
              { { "kind", "Pod" }, { "namespace", "app" }, { "name", "pending" } });
    add_event("app",
              "healthy.1",
              "Normal",
              "Pulled",
              "Successfully pulled image",
              { { "kind", "Pod" }, { "namespace", "app" }, { "name", "healthy" } });
    add_event("app",
              "dns.1",
              "Warning",
              "DNSConfigForming",
              "Search Line limits were exceeded, some search paths have been omitted",
              { { "kind", "Pod" }, { "namespace", "app" }, { "name", "healthy" } });
  }
};

TEST_F(ClusterAnalyze, LiveReportNamesEveryPlantedProblemAndNothingElse)
{
  const auto r = ocne({ "cluster", "analyze" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, golden("analyze-live.txt"));
}

TEST_F(ClusterAnalyze, NodeFilesAndTheLastLogLinesOfACrashedContainer)
{
  hosts().host("cp-1").failed_units = { "kubelet.service", "ocne-update.service" };
  hosts().host("worker-3").staged_commit = "9f8e7d6c5b4a39281706f5e4d3c2b1a093b1e5c0e8a4f9d2c7b6a5e4d3c2b1a0";
  server().set_pod_log("app", "crash", "app", "starting\nreading /etc/app/config\npanic: no config\n", true);
  const std::vector<std::string> findings = {
    "  node cp-1: systemd unit kubelet.service failed\n",
    "  node cp-1: systemd unit ocne-update.service failed\n",
    "  node worker-3: OS update staged, not booted (ock:ock 9f8e7d6c5b4a, booted 3b1e5c0e8a4f)\n",
  };
  const std::string log_lines = "restarted 7 times, last exit: Error (exit code 2): panic: no config\n"
                                "    | starting\n    | reading /etc/app/config\n    | panic: no config\n";
  auto r = ocne({ "cluster", "analyze" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : findings) {
    EXPECT_NE(r.out.find(f), std::string::npos) << f << r.out;
  }
  EXPECT_NE(r.out.find(log_lines), std::string::npos) << r.out;
  EXPECT_TRUE(server().list("v1", "Pod", "ocne-system").empty()) << "a node pod is left";
  // From a dump, the same.
  const auto folder = dir() / "dump";
  ASSERT_EQ(ocne({ "cluster", "dump", "-d", folder.string(), "-t" }).exit_code, 0);
  const auto d = run_ocne({ "cluster", "analyze", "-d", folder.string() }, dir());
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(d.out, r.out);
  // -s: no node files; -p: no logs.
  const auto commands = hosts().commands().size();
  r = ocne({ "cluster", "analyze", "-s" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("systemd unit"), std::string::npos) << r.out;
  EXPECT_EQ(hosts().commands().size(), commands);
  EXPECT_NE(r.out.find(log_lines), std::string::npos) << r.out;
  r = ocne({ "cluster", "analyze", "-p" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(findings[0]), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("    | "), std::string::npos) << r.out;
}

TEST_F(ClusterAnalyze, AHealthyClusterIsNormal)
{
  // A fresh world with only healthy things.
  kube::ServerOptions o;
  o.kubeconfig_path = dir() / "healthy-kubeconfig";
  kube::KubeTestServer healthy(o);
  healthy.start();
  const auto r = run_ocne({ "cluster", "analyze", "-k", o.kubeconfig_path.string() }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
    r.out,
    "Cluster Nodes:\n  Cluster nodes are normal\n\nPods:\n  Pods are normal\n\nImages:\n  No image pull failures\n\n"
    "Events:\n  No Warning events\n\nCluster API:\n  Cluster API objects are healthy (or there are none)\n");
}

TEST_F(ClusterAnalyze, ADumpFolderAndItsArchiveGiveTheLiveReport)
{
  const auto live = ocne({ "cluster", "analyze", "-o", "json" });
  ASSERT_EQ(live.exit_code, 0) << live.err;
  const auto folder = dir() / "dump";
  ASSERT_EQ(ocne({ "cluster", "dump", "-d", folder.string(), "-t" }).exit_code, 0);
  const auto tgz = dir() / "dump.tar.gz";
  ASSERT_EQ(ocne({ "cluster", "dump", "-z", tgz.string(), "-t", "--json" }).exit_code, 0);
  for (const auto& path : { folder, tgz }) {
    const auto r = run_ocne({ "cluster", "analyze", "-d", path.string(), "-o", "json" }, dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), json::parse(live.out)) << path;
  }
}

TEST_F(ClusterAnalyze, ARedactedDumpGivesTheSameReportWithRedactedNames)
{
  const auto folder = dir() / "dump";
  ASSERT_EQ(ocne({ "cluster", "dump", "-d", folder.string() }).exit_code, 0);
  const auto r = run_ocne({ "cluster", "analyze", "-d", folder.string() }, dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("worker-2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node REDACTED-NODE-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DiskPressure: kubelet has DiskPressure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pod app/pull: container app: ImagePullBackOff"), std::string::npos) << r.out;
}

TEST_F(ClusterAnalyze, BadInputIsRefused)
{
  auto r = run_ocne({ "cluster", "analyze", "-d", (dir() / "nope").string() }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such file or folder"), std::string::npos) << r.err;
  write("notadump/file.txt", "x");
  r = run_ocne({ "cluster", "analyze", "-d", (dir() / "notadump").string() }, dir());
  EXPECT_NE(r.err.find("not an ocne cluster dump"), std::string::npos) << r.err;
  write("bad.tgz", "this is not gzip");
  r = run_ocne({ "cluster", "analyze", "-d", (dir() / "bad.tgz").string() }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.tgz"), std::string::npos) << r.err;
  write("broken/cluster/cluster-wide/nodes.yaml", "items: [ {");
  r = run_ocne({ "cluster", "analyze", "-d", (dir() / "broken").string() }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nodes.yaml"), std::string::npos) << r.err;
  r = run_ocne({ "cluster", "analyze", "-d", (dir() / "broken").string(), "-s" }, dir());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(ClusterAnalyze, ClusterApiMachinesAndRolloutsThatAreNotDone)
{
  OCNE_REQUIRE_SHARED();
  load_capi_crds();
  add_capi_cluster({ .kcp_up_to_date = 2, .md_ready = 1, .failing_machines = { "demo-md-0-2" } });
  const auto r = ocne({ "cluster", "analyze" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto capi = r.out.substr(r.out.find("Cluster API:\n"));
  EXPECT_EQ(capi,
            "Cluster API:\n"
            "  KubeadmControlPlane demo/demo-control-plane: rollout not done: 2 of 3 replicas up to date\n"
            "  MachineDeployment demo/demo-md-0: Available is False: 1 of 2 machines available\n"
            "  MachineDeployment demo/demo-md-0: 1 of 2 replicas ready\n"
            "  Machine demo/demo-md-0-2: Ready is False: instance launch failed: out of host capacity\n");
}

} // namespace
} // namespace ocne::test
