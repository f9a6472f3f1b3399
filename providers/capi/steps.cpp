#include "providers/capi/steps.hpp"

#include "providers/capi/start_run.hpp"

#include <array>

namespace ocne::providers::capi {

namespace {

bool
kubeconfig_written(const Journal&, const Observed& observed)
{
  return observed.kubeconfig_exists;
}

bool
ephemeral_released(const Journal& journal, const Observed&)
{
  return journal.ephemeral != journal::k_created;
}

// The order is the order of a start; docs/cluster-api.md describes each
// step the same way, with what an interruption inside it leaves behind.
const std::array<StepSpec, 8> k_steps{ {
  { .step = Step::management,
    .done_means = "the management cluster is chosen and recorded (an ephemeral one started)",
    .kept_on_recheck = true,
    .run = run_management },
  { .step = Step::components,
    .done_means = "the provider's Cluster API stack is installed and every controller and webhook is ready",
    .run = run_components },
  { .step = Step::images,
    .done_means = "a boot image id is recorded for every architecture the cluster uses",
    .run = run_images },
  { .step = Step::apply,
    .done_means = "every Cluster API object of the cluster exists in the management cluster",
    .run = run_apply },
  { .step = Step::workload,
    .done_means = "~/.kube/kubeconfig.<name> is written and the cluster's API has a node",
    .still_done = kubeconfig_written,
    .run = run_workload },
  { .step = Step::addons,
    .done_means = "kube-proxy's mode, the CNI and the cloud controller manager are installed and rolled out",
    .run = run_addons },
  { .step = Step::nodes,
    .done_means = "every node the control plane and machine deployments ask for is Ready",
    .run = run_nodes },
  { .step = Step::pivot,
    .done_means =
      "the Cluster API objects live in the cluster itself and the ephemeral cluster this start made is gone",
    .self_managed_only = true,
    .kept_on_recheck = true,
    .still_done = ephemeral_released,
    .run = run_pivot },
} };

} // namespace

std::span<const StepSpec>
start_steps()
{
  return k_steps;
}

const StepSpec&
spec_of(Step step)
{
  for (const auto& s : k_steps) {
    if (s.step == step) {
      return s;
    }
  }
  return k_steps.front(); // unreachable: every Step has an entry (steps_test checks)
}

StartPlan
plan_start(const Journal& journal, const Observed& observed, bool self_managed)
{
  StartPlan plan;
  std::set<Step> done = journal.done;
  if (journal.phase == cluster::Phase::running) {
    if (observed.running_nodes && *observed.running_nodes > 0) {
      plan.resume = Resume::already_running;
      return plan;
    }
    plan.resume = Resume::rechecked;
    for (const auto& spec : k_steps) {
      if (done.count(spec.step) > 0 && !spec.kept_on_recheck) {
        plan.clear.push_back(spec.step);
        done.erase(spec.step);
      }
    }
  }
  for (const auto& spec : k_steps) {
    if (spec.self_managed_only && !self_managed) {
      continue;
    }
    const bool finished =
      done.count(spec.step) > 0 && (spec.still_done == nullptr || spec.still_done(journal, observed));
    (finished ? plan.finished : plan.run).push_back(spec.step);
  }
  if (plan.resume == Resume::fresh && !plan.finished.empty()) {
    plan.resume = Resume::continued;
  }
  return plan;
}

} // namespace ocne::providers::capi
