// A start killed with SIGKILL at the end of each of its steps (after
// the step's work, before the record says it is done) continues on the next
// run and leaves exactly one of everything.

#include "tests/e2e/capi/capi_cli.hpp"

#include <csignal>

namespace ocne::test {
namespace {

class CapiResume
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{};

TEST_P(CapiResume, KilledAfterEachStepTheNextRunContinuesAndMakesOneOfEverything)
{
  const bool oxide = GetParam() == "oxide";
  start_world({ .provider = GetParam() });
  const auto images = world->image_count();
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n", "selfManaged: true\n");
  // "pivot moved": the objects are in the workload cluster and unpaused, the
  // journal does not say so yet.
  for (const auto* point : { "management finished",
                             "components finished",
                             "images finished",
                             "apply finished",
                             "workload finished",
                             "addons finished",
                             "nodes finished",
                             "pivot moved",
                             "pivot finished" }) {
    const std::string step = point;
    const auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", step } });
    ASSERT_EQ(r.signal, SIGKILL) << step << " (exit " << r.exit_code << ")\n" << r.err;
    ASSERT_EQ(r.out, "") << step;
    EXPECT_EQ(cached_state("demo", "phase"), "creating") << step;
    if (step == "apply finished") {
      // The objects are in the management cluster: a run that would use
      // another one is refused rather than creating the cluster twice.
      const auto other =
        ocne({ "cluster", "start", "-c", file.string() }, { { "KUBECONFIG", world->workload_kubeconfig().string() } });
      EXPECT_EQ(other.exit_code, 1) << other.err;
      EXPECT_NE(other.err.find("is managed from " + world->management_kubeconfig().string()), std::string::npos)
        << other.err;
      EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
    }
  }
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The moved objects are reconciled in the workload cluster now: let its
  // controllers run, then count machines and nodes too.
  world->settle();
  EXPECT_TRUE(nodes_ready());
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "MachineSet"), 1U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Machine"), 2U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 2U);
  EXPECT_EQ(cached_state("demo", "phase"), "running");
  EXPECT_EQ(cached_state("demo", "capi.pivoted"), "true");
  EXPECT_EQ(world->image_count(), images);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  // The Oxide credentials Secret moves with the cluster; CAPOCI's
  // credentials live with its controller.
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Secret", "ocne", "clusterctl.cluster.x-k8s.io/move"),
            oxide ? 1U : 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "apps/v1", "DaemonSet", "kube-flannel"), 1U);
  if (oxide) {
    EXPECT_TRUE(world->workload().get("apps/v1", "Deployment", "kube-system", "oxide-cloud-controller-manager"));
  } else {
    EXPECT_TRUE(world->workload().get("apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager"));
  }
  // The CCM's Secrets, once: Oxide's credentials; OCI's cloud-provider
  // config for the CCM and for the volume provisioner.
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Secret", "kube-system"), oxide ? 1U : 2U);

  // The self-managed cluster goes, its objects moved back first.
  const auto deleted = ocne({ "cluster", "delete", "-C", "demo", "-o", "json" });
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  const auto result = nlohmann::json::parse(deleted.out);
  EXPECT_EQ(result["movedBack"], true);
  EXPECT_EQ(result["outcome"], "deleted");
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_FALSE(world->management().get("v1", "Secret", "ocne", "demo-oxide-credentials"));
  EXPECT_EQ(world->count(CapiWorld::management_side, "v1", "Secret", "ocne"), 0U);
  EXPECT_FALSE(cached("demo"));
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiResume, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
