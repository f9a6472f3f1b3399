#include "providers/capi/upgrade_journal.hpp"

#include "pkg/core/strings.hpp"

#include <array>
#include <utility>

namespace ocne::providers::capi {

namespace {

constexpr std::array<std::pair<UpgradeStep, std::string_view>, 6> k_names{ {
  { UpgradeStep::images, "images" },
  { UpgradeStep::templates, "templates" },
  { UpgradeStep::control_plane, "control-plane" },
  { UpgradeStep::addons, "addons" },
  { UpgradeStep::workers, "workers" },
  { UpgradeStep::verify, "verify" },
} };

constexpr std::array<UpgradeStep, 6> k_order{ UpgradeStep::images, UpgradeStep::templates, UpgradeStep::control_plane,
                                              UpgradeStep::addons, UpgradeStep::workers,   UpgradeStep::verify };

std::string
state(const ClusterRecord& record, std::string_view key)
{
  const auto it = record.state.find(std::string(key));
  return it == record.state.end() ? std::string() : it->second;
}

} // namespace

std::string_view
to_string(UpgradeStep step)
{
  for (const auto& [s, name] : k_names) {
    if (s == step) {
      return name;
    }
  }
  return "";
}

std::span<const UpgradeStep>
upgrade_steps()
{
  return k_order;
}

std::optional<UpgradeStep>
UpgradeJournal::next() const
{
  for (const auto step : k_order) {
    if (done.count(step) == 0) {
      return step;
    }
  }
  return std::nullopt;
}

UpgradeJournal
read_upgrade_journal(const ClusterRecord& record)
{
  using namespace upgrade_journal;
  UpgradeJournal j;
  j.target = state(record, k_target);
  j.hop = state(record, k_hop);
  j.from = state(record, k_from);
  for (const auto& [key, value] : record.state) {
    if (value.empty()) {
      continue;
    }
    if (str::starts_with(key, k_step_prefix) && value == "done") {
      const auto name = std::string_view(key).substr(k_step_prefix.size());
      for (const auto& [s, n] : k_names) {
        if (n == name) {
          j.done.insert(s);
        }
      }
    } else if (str::starts_with(key, k_image_prefix)) {
      j.images[key.substr(k_image_prefix.size())] = value;
    } else if (str::starts_with(key, k_template_prefix)) {
      j.templates[key.substr(k_template_prefix.size())] = value;
    }
  }
  return j;
}

Status
clear_upgrade_hop(cluster::ResourceTracker& tracker, const UpgradeJournal& journal)
{
  using namespace upgrade_journal;
  for (const auto step : k_order) {
    if (journal.done.count(step) > 0) {
      OCNE_TRY(tracker.set_state(std::string(k_step_prefix) + std::string(to_string(step)), ""));
    }
  }
  for (const auto& [arch, id] : journal.images) {
    OCNE_TRY(tracker.set_state(std::string(k_image_prefix) + arch, ""));
  }
  for (const auto& [old, copy] : journal.templates) {
    OCNE_TRY(tracker.set_state(std::string(k_template_prefix) + old, ""));
  }
  OCNE_TRY(tracker.set_state(k_from, ""));
  return tracker.set_state(k_hop, "");
}

Status
clear_upgrade(cluster::ResourceTracker& tracker, const UpgradeJournal& journal)
{
  OCNE_TRY(clear_upgrade_hop(tracker, journal));
  return tracker.set_state(upgrade_journal::k_target, "");
}

} // namespace ocne::providers::capi
