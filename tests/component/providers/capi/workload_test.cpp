#include "pkg/clusterctl/workload_cluster.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/interrupt.hpp"
#include "tests/component/providers/capi/management.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

namespace ocne::providers::capi {
namespace {

using json = nlohmann::json;

class WorkloadWaitTest : public test_support::ManagementClusterTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED(); // the real Cluster API CRDs
    start_management({ test::shared_path("crds/capi"), test::shared_path("crds/oci") });
    if (HasFatalFailure()) {
      return;
    }
    server->create(json::parse(R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta2","kind":"OCICluster",
      "metadata":{"name":"demo","namespace":"ocne"},"spec":{"compartmentId":"ocid1.compartment.oc1..c"}})"));
    server->create(json::parse(R"({"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster",
      "metadata":{"name":"demo","namespace":"ocne","labels":{"cluster.x-k8s.io/cluster-name":"demo"}},
      "spec":{"infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"OCICluster","name":"demo"}}})"));
  }

  clusterctl::WorkloadWait
  wait(std::vector<std::string>* said)
  {
    clusterctl::WorkloadWait w;
    w.namespace_ = "ocne";
    w.cluster = "demo";
    w.kubeconfig_path = dir() / "kube" / "kubeconfig.demo";
    w.timeout = std::chrono::seconds(2);
    w.interval = std::chrono::milliseconds(50);
    w.report = [said](const std::string& line) { said->push_back(line); };
    return w;
  }
};

TEST_F(WorkloadWaitTest, WritesTheKubeconfigPrivatelyOnceTheSecretAppears)
{
  test::kube::play_cluster_api(*server, "apiVersion: v1\nkind: Config\nclusters: []\n");
  // A change wakes the fake controller up for the Cluster made before it.
  server->merge_patch(
    "cluster.x-k8s.io/v1beta2", "Cluster", "ocne", "demo", { { "metadata", { { "labels", { { "x", "y" } } } } } });
  std::vector<std::string> said;
  auto w = wait(&said);
  w.timeout = std::chrono::seconds(10);
  auto status = clusterctl::wait_workload_kubeconfig(*client, w, null_progress());
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*fs::read_file(w.kubeconfig_path), "apiVersion: v1\nkind: Config\nclusters: []\n");
  struct stat st
  {};
  ASSERT_EQ(::stat(w.kubeconfig_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(WorkloadWaitTest, WhatTheControllersSayIsReportedOnceEachAndEndsTheTimeout)
{
  json status = { { "apiVersion", "infrastructure.cluster.x-k8s.io/v1beta2" },
                  { "kind", "OCICluster" },
                  { "metadata", { { "name", "demo" }, { "namespace", "ocne" } } } };
  test::kube::set_condition(
    status, "Ready", "False", "VcnReconciliationFailed", "failed to create VCN: 404-NotAuthorizedOrNotFound");
  server->apply_status(status, "capoci");
  server->create(json::parse(R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"demo.1","namespace":"ocne"},
    "type":"Warning","reason":"ReconcileError","message":"compartment not found",
    "involvedObject":{"kind":"OCICluster","name":"demo","namespace":"ocne"}})"));
  server->create(json::parse(R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"other.1","namespace":"ocne"},
    "type":"Warning","reason":"Unrelated","message":"not about this cluster",
    "involvedObject":{"kind":"OCICluster","name":"other","namespace":"ocne"}})"));
  std::vector<std::string> said;
  test::FakeClock clock; // the 2 s pass at once
  auto w = wait(&said);
  w.clock = &clock;
  auto result = clusterctl::wait_workload_kubeconfig(*client, w, null_progress());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(clock.slept(), std::chrono::seconds(2));
  EXPECT_EQ(
    said,
    (std::vector<std::string>{ "OCICluster ocne/demo: Ready=False (VcnReconciliationFailed): failed to create VCN: "
                               "404-NotAuthorizedOrNotFound",
                               "Event on OCICluster ocne/demo: ReconcileError: compartment not found" }));
  EXPECT_EQ(result.error().message(),
            "cluster ocne/demo has no kubeconfig after 2s; last said: Event on OCICluster "
            "ocne/demo: ReconcileError: compartment not found");
  EXPECT_FALSE(std::filesystem::exists(dir() / "kube" / "kubeconfig.demo"));
}

TEST_F(WorkloadWaitTest, CtrlCEndsTheWait)
{
  std::vector<std::string> said;
  test::FakeClock clock;
  clock.on_sleep([](std::chrono::milliseconds) { request_interrupt(); });
  auto w = wait(&said);
  w.clock = &clock;
  w.timeout = std::chrono::minutes(20);
  auto result = wait_workload_kubeconfig(*client, w, null_progress());
  reset_interrupt();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind(), ErrorKind::cancelled);
  EXPECT_EQ(result.error().message(), "interrupted while waiting for cluster demo");
  EXPECT_EQ(clock.sleeps().size(), 1U);
}

} // namespace
} // namespace ocne::providers::capi
