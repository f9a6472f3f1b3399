#pragma once

// The steps of `cluster start -P oci|oxide` as one table, and the pure
// function that decides, from the journal (journal.hpp) and what the
// clusters report, which steps a run does. Each step is safe to repeat from
// any point inside it (docs/cluster-api.md says how for each one), so a run
// killed anywhere continues with the first step the journal does not call
// finished. Adding a step is one entry in the table (steps.cpp) and its
// function (start_steps.cpp).

#include "providers/capi/journal.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ocne::providers::capi {

struct StartRun;

// What the clusters report, asked before planning.
struct Observed
{
  // ~/.kube/kubeconfig.<name> exists.
  bool kubeconfig_exists = false;
  // Asked only when the journal says the cluster is running: how many nodes
  // its API reports; nullopt when it does not answer.
  std::optional<int> running_nodes;
};

struct StepSpec
{
  Step step;
  // What the journal's "done" promises.
  std::string_view done_means;
  // Only for self-managed clusters.
  bool self_managed_only = false;
  // Kept when a cluster recorded as running does not answer and every step
  // is checked again (the management cluster and the pivot stay settled).
  bool kept_on_recheck = false;
  // A finished step whose result may be gone since: false means run it again.
  bool (*still_done)(const Journal&, const Observed&) = nullptr;
  // Does the step's work; records it done when it finishes.
  Status (*run)(StartRun&) = nullptr;
};

// Every step, in order.
std::span<const StepSpec> start_steps();
const StepSpec& spec_of(Step step);

enum class Resume {
  fresh,           // nothing was done before
  continued,       // an earlier run finished some steps
  already_running, // the cluster is up: nothing to do
  rechecked,       // recorded as running but not answering: steps run again
};

struct StartPlan
{
  Resume resume = Resume::fresh;
  std::vector<Step> finished; // finished by an earlier run and skipped now
  std::vector<Step> clear;    // records to clear before running (a recheck)
  std::vector<Step> run;      // what this run does, in order
};

StartPlan plan_start(const Journal& journal, const Observed& observed, bool self_managed);

} // namespace ocne::providers::capi
