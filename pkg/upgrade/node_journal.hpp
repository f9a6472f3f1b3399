#pragma once

// What `ocne node update` keeps on the Node it updates, so that a run
// killed at any moment is continued by the next one (from any machine):
// the annotation ocne.oracle.com/node-update holds a compact JSON record,
// written in the same patch as the cordon. The resume decision is pure and
// table-tested (docs/upgrade.md, "node update").

#include "pkg/core/error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ocne::upgrade {

inline constexpr const char* k_node_update_annotation = "ocne.oracle.com/node-update";

enum class NodePhase { draining, rebooting };

struct NodeJournal
{
  NodePhase phase = NodePhase::draining;
  std::string target;          // "1.34", or "" for a custom tag (no version check)
  std::string boot_id;         // status.nodeInfo.bootID before the update
  std::string booted_commit;   // the commit booted before
  std::string staged_commit;   // ock:ock when the update began: what must boot
  bool cordoned_by_us = false; // false: it was unschedulable already, or a single node
  std::string owner;           // "<host>/<pid>" of the run that began it
  std::string since;           // RFC 3339
  bool operator==(const NodeJournal&) const = default;
};

std::string to_string(NodePhase phase);

// The annotation's value.
std::string journal_text(const NodeJournal& journal);
// The Node's journal; nullopt without the annotation. invalid_input naming
// the node and the annotation when it cannot be read.
Result<std::optional<NodeJournal>> read_node_journal(const nlohmann::json& node);

// Merge patches of the Node, each guarded by the resourceVersion just read
// (a concurrent writer makes it fail with a conflict).
// The journal and, when cordoned_by_us, spec.unschedulable true.
nlohmann::json begin_patch(const NodeJournal& journal, const std::string& resource_version);
// The journal in phase rebooting, and the update-available annotation gone.
nlohmann::json rebooting_patch(const NodeJournal& journal, const std::string& resource_version);
// The journal gone and, when cordoned_by_us, spec.unschedulable false.
nlohmann::json finish_patch(const NodeJournal& journal, const std::string& resource_version);

// What is known of the node in phase rebooting: from the API, then (when
// asked for) from its host.
struct NodeObservation
{
  std::string api_boot_id;
  bool ready = false;
  std::string kubelet_version;
  std::optional<std::string> kernel_boot_id;
  std::optional<bool> reboot_scheduled;
  std::optional<std::string> booted_commit; // read once the node runs its new boot
};

enum class ResumeAction {
  apply_and_reboot, // deploy the staged commit (unless it boots next already) and schedule the reboot
  wait_for_reboot,  // going down or coming up
  need_host,        // ask the host (kernel boot id, timer)
  verify,           // a new boot: wait for Ready and the version, then read the booted commit
  finish,           // the node runs the staged commit at the target version
  booted_old_os     // it rebooted into another commit
};

std::string to_string(ResumeAction action);

// The decision in phase rebooting (pure):
//   API bootID != journal's    -> verify, until Ready, kubelet minor = target and the
//                                 booted commit is known: = staged -> finish, else booted_old_os
//   same bootID, not Ready     -> wait_for_reboot
//   same bootID, Ready, no host observation -> need_host
//   kernel boot id != journal  -> wait_for_reboot (the API has not seen the new boot yet)
//   kernel = journal, timer active -> wait_for_reboot
//   kernel = journal, no timer -> apply_and_reboot
ResumeAction next_action(const NodeJournal& journal, const NodeObservation& seen);

// "v1.34.1+1.el8" -> "1.34"; "" when it is not a version.
std::string kubelet_minor(const std::string& kubelet_version);

} // namespace ocne::upgrade
