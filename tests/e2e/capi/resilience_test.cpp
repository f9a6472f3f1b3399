// `cluster start/delete -P oci|oxide` when things go wrong outside ocne: a
// management cluster that does not answer, a malformed OCI profile, Ctrl-C in
// the middle, a management kubeconfig that is gone, a cluster that never got
// applied; and what the results say about a resumed start.

#include "pkg/core/fs.hpp"
#include "pkg/k8s/base64.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/support/child.hpp"

#include <csignal>
#include <regex>
#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;

class CapiResilience : public CapiCliTest
{
protected:
  // A kubeconfig like the management cluster's whose server nobody listens
  // on (port 1 of loopback refuses at once).
  std::filesystem::path
  dead_kubeconfig()
  {
    auto text = fs::read_file(world->management_kubeconfig()).value();
    text = std::regex_replace(text, std::regex(R"(https://127\.0\.0\.1:[0-9]+)"), "https://127.0.0.1:1");
    return write("dead.kubeconfig", text, 0600);
  }

  std::string
  list_names()
  {
    const auto r = ocne({ "cluster", "list" });
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(CapiResilience, WhatCannotWorkIsFoundBeforeAnythingIsRecorded)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");

  // A management cluster that does not answer (a typo, a stopped cluster).
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "KUBECONFIG", dead_kubeconfig().string() } });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "does not answer as a Kubernetes API")) << r.err;
  EXPECT_TRUE(has(r.err, "dead.kubeconfig")) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_FALSE(has(list_names(), "demo"));

  // A malformed profile in ~/.oci/config.
  const auto config = world->home() / ".oci" / "config";
  const auto good = fs::read_file(config).value();
  ASSERT_TRUE(fs::write_file_atomic(
    config, std::regex_replace(good, std::regex("fingerprint=.*"), "fingerprint=aa:bb"), fs::k_private));
  const auto management_writes = writes(CapiWorld::management_side);
  r = ocne({ "cluster", "start", "-c", file.string() });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "fingerprint 'aa:bb' is not a key fingerprint")) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(writes(CapiWorld::management_side), management_writes);

  // Mended, the same command starts the cluster.
  ASSERT_TRUE(fs::write_file_atomic(config, good, fs::k_private));
  r = ocne({ "cluster", "start", "-c", file.string() });
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The OCI key file and Oxide's token are checked before anything is recorded
// or written too.
TEST_F(CapiResilience, AMissingKeyOrTokenIsFoundBeforeAnythingIsRecorded)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  const auto key = world->home() / ".oci" / "key.pem";
  std::filesystem::rename(key, key.string() + ".away");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "key.pem")) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(writes(CapiWorld::management_side), 0);
}

TEST_F(CapiResilience, AnOxideStartWithoutATokenIsRefusedBeforeAnythingIsRecorded)
{
  start_world({ .provider = "oxide" });
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OXIDE_TOKEN", "" } });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "OXIDE_TOKEN")) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(writes(CapiWorld::management_side), 0);
}

TEST_F(CapiResilience, ACtrlCStopsTheStartAndTheSameCommandFinishesItAsResumed)
{
  start_world({ .provider = "oxide" });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  {
    Child child(
      { ocne_binary().string(), "cluster", "start", "-c", file.string() }, ocne_env(), dir() / "out", dir() / "err");
    // Once the resources are applied, as the workload cluster is awaited.
    for (int i = 0; i < 600 && cached_state("demo", "capi.step.apply") != "done"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(cached_state("demo", "capi.step.apply"), "done");
    child.kill(SIGINT);
    EXPECT_EQ(child.wait(), 130) << fs::read_file(dir() / "err").value_or("");
  }
  EXPECT_NE(cached_state("demo", "phase"), "running");

  const auto r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto result = json::parse(r.out);
  EXPECT_EQ(result["outcome"], "resumed");
  const auto after = result["resumedAfter"];
  ASSERT_GE(after.size(), 4U) << result.dump();
  EXPECT_EQ(after[0], "management");
  EXPECT_EQ(after[3], "apply");
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta2", "Cluster"), 1U);
  EXPECT_TRUE(nodes_ready());
}

TEST_F(CapiResilience, ADeleteForgetsAStartThatNeverAppliedAnythingWithoutAskingAnyCluster)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", "images" } });
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  ASSERT_TRUE(cached("demo"));
  // The management cluster is not even reachable now: nothing needs it.
  r = ocne({ "cluster", "delete", "-C", "demo" }, { { "KUBECONFIG", dead_kubeconfig().string() } });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "was never applied to a management cluster")) << r.err;
  EXPECT_FALSE(cached("demo"));
}

TEST_F(CapiResilience, ADeleteNeverForgetsAClusterItCannotReach)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The management cluster stops answering during the delete.
  world->management().faults().fail_next(100000, { .kind = kube::Fault::Kind::reset }, "", "");
  r = ocne({ "cluster", "delete", "-C", "demo" }, {}, 10);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(cached("demo"));
  EXPECT_EQ(cached_state("demo", "phase"), "deleting");
  world->management().faults().clear();

  // The recorded management kubeconfig is gone: another cluster would not
  // have the Cluster, so nothing is dropped.
  const auto dead = dead_kubeconfig();
  const auto moved = world->management_kubeconfig().string() + ".moved";
  std::filesystem::rename(world->management_kubeconfig(), moved);
  r = ocne({ "cluster", "delete", "-C", "demo" }, { { "KUBECONFIG", dead.string() } });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "which no longer exists; put that kubeconfig back")) << r.err;
  EXPECT_TRUE(cached("demo"));

  // The recorded kubeconfig names a cluster that serves no Cluster API (it
  // was overwritten with another one's): not the one, nothing is dropped.
  std::filesystem::copy_file(world->workload_kubeconfig(), world->management_kubeconfig());
  r = ocne({ "cluster", "delete", "-C", "demo" });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "it is not the cluster that manages demo (nothing was removed)")) << r.err;
  EXPECT_TRUE(cached("demo"));
  std::filesystem::remove(world->management_kubeconfig());

  // Back: the delete finishes.
  std::filesystem::rename(moved, world->management_kubeconfig());
  r = ocne({ "cluster", "delete", "-C", "demo" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
}

// With a CNI ocne does not install, the nodes stay NotReady until the user
// installs it: the start does not wait for them, and installs no flannel.
TEST_F(CapiResilience, WithCniNoneNoFlannelIsInstalledAndTheNodesAreNotAwaited)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo", "cni: none\n");
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "no CNI installed")) << r.err;
  EXPECT_TRUE(has(r.err, "Not waiting for the nodes to be Ready")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::workload_side, "apps/v1", "DaemonSet", "kube-flannel"), 0U);
  EXPECT_TRUE(world->workload().get("apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager"));
  EXPECT_FALSE(nodes_ready());
}

// The OCI cloud controller manager's load balancers go into the OCICluster's
// service-lb subnets (CAPOCI made them; the cluster file names none).
TEST_F(CapiResilience, TheOciCcmUsesTheServiceLoadBalancerSubnetsOfTheOciCluster)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto infra = world->management().list("infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster", "ocne");
  ASSERT_EQ(infra.size(), 1U);
  std::vector<std::string> lb;
  std::vector<std::string> others;
  for (const auto& s : infra[0]["spec"]["networkSpec"]["vcn"]["subnets"]) {
    (s.value("role", "") == "service-lb" ? lb : others).push_back(s.value("id", ""));
  }
  // The template's network has one (CAPOCI's defaults two).
  ASSERT_EQ(lb.size(), 1U) << infra[0].dump();
  ASSERT_EQ(others.size(), 3U) << infra[0].dump();
  const auto secret = world->workload().get("v1", "Secret", "kube-system", "oci-cloud-controller-manager");
  ASSERT_TRUE(secret);
  const auto config = k8s::base64_decode((*secret)["data"]["cloud-provider.yaml"].get<std::string>()).value();
  EXPECT_TRUE(has(config, "subnet1: " + lb[0])) << config;
  for (const auto& id : others) {
    EXPECT_FALSE(has(config, id)) << config;
  }
  EXPECT_TRUE(has(config, "vcn: " + infra[0]["spec"]["networkSpec"]["vcn"].value("id", ""))) << config;
}

} // namespace
} // namespace ocne::test
