#include "providers/capi/journal.hpp"

#include "pkg/core/strings.hpp"

#include <array>
#include <utility>

namespace ocne::providers::capi {

namespace {

constexpr std::array<std::pair<Step, std::string_view>, 8> k_names{ {
  { Step::management, "management" },
  { Step::components, "components" },
  { Step::images, "images" },
  { Step::apply, "apply" },
  { Step::workload, "workload" },
  { Step::addons, "addons" },
  { Step::nodes, "nodes" },
  { Step::pivot, "pivot" },
} };

std::string
state(const ClusterRecord& record, std::string_view key)
{
  const auto it = record.state.find(std::string(key));
  return it == record.state.end() ? std::string() : it->second;
}

std::string
step_key(Step step)
{
  return std::string(journal::k_step_prefix) + std::string(to_string(step));
}

} // namespace

std::string_view
to_string(Step step)
{
  for (const auto& [s, name] : k_names) {
    if (s == step) {
      return name;
    }
  }
  return "";
}

std::optional<Step>
step_named(std::string_view name)
{
  for (const auto& [s, n] : k_names) {
    if (n == name) {
      return s;
    }
  }
  return std::nullopt;
}

Journal
read_journal(const ClusterRecord& record)
{
  Journal j;
  j.phase = cluster::phase_of(record);
  for (const auto& [key, value] : record.state) {
    if (str::starts_with(key, journal::k_step_prefix) && value == "done") {
      if (const auto step = step_named(std::string_view(key).substr(journal::k_step_prefix.size()))) {
        j.done.insert(*step);
      }
    } else if (str::starts_with(key, journal::k_image_prefix) && !value.empty()) {
      j.images[key.substr(journal::k_image_prefix.size())] = value;
    }
  }
  j.management = state(record, journal::k_management);
  j.ephemeral = state(record, journal::k_ephemeral);
  j.delete_ephemeral = state(record, journal::k_delete_ephemeral) == journal::k_created;
  j.namespace_ = state(record, journal::k_namespace);
  j.cluster = state(record, journal::k_cluster);
  j.pivoted = state(record, journal::k_pivoted) == "true";
  return j;
}

Status
record_done(cluster::ResourceTracker& tracker, Step step)
{
  return tracker.set_state(step_key(step), "done");
}

Status
clear_done(cluster::ResourceTracker& tracker, Step step)
{
  return tracker.set_state(step_key(step), "");
}

} // namespace ocne::providers::capi
