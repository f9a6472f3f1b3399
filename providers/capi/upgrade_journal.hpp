#pragma once

// The record of `cluster upgrade` in the cluster cache (state keys of the
// cluster's entry, next to the start's journal.hpp): the target, the hop in
// progress and the minor it started from, the steps of that hop a run
// finished, the boot image ids it settled and the template copies it made.
// A run killed anywhere continues with the hop and the first step not done.

#include "pkg/cluster/tracker.hpp"
#include "providers/capi/cloud_session.hpp"

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace ocne::providers::capi {

enum class UpgradeStep {
  images,
  templates,
  control_plane,
  addons,
  workers,
  verify,
};

std::string_view to_string(UpgradeStep step);
std::span<const UpgradeStep> upgrade_steps();

namespace upgrade_journal {
inline constexpr std::string_view k_target = "upgrade.target";
inline constexpr std::string_view k_hop = "upgrade.hop";
inline constexpr std::string_view k_from = "upgrade.from";
inline constexpr std::string_view k_step_prefix = "upgrade.step.";
inline constexpr std::string_view k_image_prefix = "upgrade.image.";
inline constexpr std::string_view k_template_prefix = "upgrade.template.";
} // namespace upgrade_journal

struct UpgradeJournal
{
  std::string target; // "1.34": an upgrade is unfinished
  std::string hop;    // the minor the hop in progress goes to
  std::string from;   // the minor it started from
  std::set<UpgradeStep> done;
  KnownImages images;                                        // of the hop, by architecture
  std::map<std::string, std::string, std::less<>> templates; // "Kind/old" -> new name

  bool
  active() const
  {
    return !target.empty();
  }
  // The first step of the hop not done yet (nullopt: all are).
  std::optional<UpgradeStep> next() const;
};

UpgradeJournal read_upgrade_journal(const ClusterRecord& record);

// Forgets the hop's steps, images and templates (the target stays).
Status clear_upgrade_hop(cluster::ResourceTracker& tracker, const UpgradeJournal& journal);
// Forgets the whole upgrade.
Status clear_upgrade(cluster::ResourceTracker& tracker, const UpgradeJournal& journal);

} // namespace ocne::providers::capi
