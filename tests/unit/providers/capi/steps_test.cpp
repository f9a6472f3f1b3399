// plan_start: which steps a run of `cluster start` does, decided from the
// journal and what the clusters report alone (no server), as ninja tests its
// build plan apart from running commands.

#include "providers/capi/steps.hpp"

#include "providers/capi/driver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ocne::providers::capi {
namespace {

using cluster::Phase;

std::string
names(const std::vector<Step>& steps)
{
  std::string out;
  for (const auto s : steps) {
    out += (out.empty() ? "" : " ") + std::string(to_string(s));
  }
  return out;
}

Journal
journal(Phase phase, std::set<Step> done)
{
  Journal j;
  j.phase = phase;
  j.done = std::move(done);
  return j;
}

struct Case
{
  const char* what;
  Journal journal;
  Observed observed;
  bool self_managed;
  Resume resume;
  const char* finished;
  const char* clear;
  const char* run;
};

const std::set<Step> k_all{ Step::management, Step::components, Step::images, Step::apply,
                            Step::workload,   Step::addons,     Step::nodes,  Step::pivot };

TEST(PlanStart, DecidesFromTheJournalAndWhatTheClustersSay)
{
  Journal pivoted_not_released = journal(Phase::creating, k_all);
  pivoted_not_released.pivoted = true;
  pivoted_not_released.ephemeral = "created";
  Journal pivoted_released = pivoted_not_released;
  pivoted_released.ephemeral = "";

  const std::vector<Case> cases = {
    { "a new cluster runs every step",
      journal(Phase::none, {}),
      {},
      false,
      Resume::fresh,
      "",
      "",
      "management components images apply workload addons nodes" },
    { "self-managed adds the pivot",
      journal(Phase::creating, {}),
      {},
      true,
      Resume::fresh,
      "",
      "",
      "management components images apply workload addons nodes pivot" },
    { "killed after apply: continues with the workload",
      journal(Phase::creating, { Step::management, Step::components, Step::images, Step::apply }),
      { .kubeconfig_exists = false },
      false,
      Resume::continued,
      "management components images apply",
      "",
      "workload addons nodes" },
    { "a failed start continues like a killed one",
      journal(Phase::failed, { Step::management, Step::components }),
      {},
      false,
      Resume::continued,
      "management components",
      "",
      "images apply workload addons nodes" },
    { "a steps record without its earlier steps runs only the missing ones",
      journal(Phase::creating, { Step::management, Step::apply }),
      {},
      false,
      Resume::continued,
      "management apply",
      "",
      "components images workload addons nodes" },
    { "the workload step again when its kubeconfig file is gone",
      journal(Phase::creating, { Step::management, Step::components, Step::images, Step::apply, Step::workload }),
      { .kubeconfig_exists = false },
      false,
      Resume::continued,
      "management components images apply",
      "",
      "workload addons nodes" },
    { "the kubeconfig is there: on to the add-ons",
      journal(Phase::creating, { Step::management, Step::components, Step::images, Step::apply, Step::workload }),
      { .kubeconfig_exists = true },
      false,
      Resume::continued,
      "management components images apply workload",
      "",
      "addons nodes" },
    { "a running cluster that answers: nothing to do",
      journal(Phase::running, k_all),
      { .kubeconfig_exists = true, .running_nodes = 3 },
      true,
      Resume::already_running,
      "",
      "",
      "" },
    { "running but no node answers: every step again but the management cluster and the pivot",
      journal(Phase::running, k_all),
      { .kubeconfig_exists = true, .running_nodes = std::nullopt },
      true,
      Resume::rechecked,
      "management pivot",
      "components images apply workload addons nodes",
      "components images apply workload addons nodes" },
    { "running with zero nodes is checked again too",
      journal(Phase::running, k_all),
      { .kubeconfig_exists = true, .running_nodes = 0 },
      false,
      Resume::rechecked,
      "management",
      "components images apply workload addons nodes",
      "components images apply workload addons nodes" },
    { "pivoted, the ephemeral cluster not removed yet: the pivot again",
      pivoted_not_released,
      { .kubeconfig_exists = true },
      true,
      Resume::continued,
      "management components images apply workload addons nodes",
      "",
      "pivot" },
    { "pivoted and released: nothing left",
      pivoted_released,
      { .kubeconfig_exists = true },
      true,
      Resume::continued,
      "management components images apply workload addons nodes pivot",
      "",
      "" },
    { "not self-managed: a recorded pivot is not a step",
      journal(Phase::creating, k_all),
      { .kubeconfig_exists = true },
      false,
      Resume::continued,
      "management components images apply workload addons nodes",
      "",
      "" },
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto plan = plan_start(c.journal, c.observed, c.self_managed);
    EXPECT_EQ(plan.resume, c.resume);
    EXPECT_EQ(names(plan.finished), c.finished);
    EXPECT_EQ(names(plan.clear), c.clear);
    EXPECT_EQ(names(plan.run), c.run);
  }
}

TEST(PlanStart, EveryStepHasOneEntryInOrderWithANameAndAFunction)
{
  const auto steps = start_steps();
  ASSERT_EQ(steps.size(), 8U);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(steps[i].step), i) << "the table is in the order of the Step enum";
    EXPECT_FALSE(to_string(steps[i].step).empty());
    EXPECT_EQ(step_named(to_string(steps[i].step)), steps[i].step);
    EXPECT_FALSE(steps[i].done_means.empty());
    EXPECT_NE(steps[i].run, nullptr);
    EXPECT_EQ(&spec_of(steps[i].step), &steps[i]);
  }
  EXPECT_FALSE(step_named("nonsense"));
}

TEST(Journal, ReadsTheRecordAsTypedValues)
{
  ClusterRecord record;
  record.state = { { "phase", "failed" },
                   { "capi.step.management", "done" },
                   { "capi.step.apply", "done" },
                   { "capi.step.workload", "" },
                   { "capi.step.retired", "done" }, // a step this version does not know
                   { "capi.management", "/home/me/.kube/mgmt" },
                   { "capi.ephemeral", "created" },
                   { "capi.namespace", "ocne" },
                   { "capi.cluster", "demo" },
                   { "capi.pivoted", "true" },
                   { "capi.image.amd64", "ocid1.image.oc1..a" },
                   { "capi.image.arm64", "" } };
  const auto j = read_journal(record);
  EXPECT_EQ(j.phase, Phase::failed);
  EXPECT_EQ(j.done, (std::set<Step>{ Step::management, Step::apply }));
  EXPECT_EQ(j.management, "/home/me/.kube/mgmt");
  EXPECT_EQ(j.ephemeral, "created");
  EXPECT_EQ(j.namespace_, "ocne");
  EXPECT_EQ(j.cluster, "demo");
  EXPECT_TRUE(j.pivoted);
  EXPECT_TRUE(j.applied_anything());
  EXPECT_EQ(j.images.size(), 1U);
  EXPECT_EQ(j.images.at("amd64"), "ocid1.image.oc1..a");
  EXPECT_FALSE(read_journal(ClusterRecord{}).applied_anything());
}

// docs/cluster-api.md, "Settings for automation": without OCNE_CAPI_TIMEOUT
// every wait gives up after 10 to 20 minutes (cmd/ only lowers them), and
// the clusters are asked every 2000 ms unless OCNE_CAPI_POLL_MS says otherwise
// (the binary's default is checked by CapiPromises.ThePollInterval...).
TEST(CapiOptionsDefaults, EveryWaitIsTenToTwentyMinutesAndThePollTwoSeconds)
{
  const CapiOptions o;
  for (const auto t : { o.components_timeout,
                        o.workload_timeout,
                        o.nodes_timeout,
                        o.addons_timeout,
                        o.move_timeout,
                        o.delete_timeout }) {
    EXPECT_GE(t, std::chrono::minutes(10));
    EXPECT_LE(t, std::chrono::minutes(20));
  }
  EXPECT_EQ(o.interval, std::chrono::milliseconds(2000));
}

} // namespace
} // namespace ocne::providers::capi
