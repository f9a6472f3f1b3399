#include "pkg/upgrade/node_journal.hpp"

#include "pkg/ock/update_yaml.hpp"

#include <regex>

namespace ocne::upgrade {

using nlohmann::json;

std::string
to_string(NodePhase phase)
{
  return phase == NodePhase::draining ? "draining" : "rebooting";
}

std::string
to_string(ResumeAction action)
{
  switch (action) {
    case ResumeAction::apply_and_reboot:
      return "apply and reboot";
    case ResumeAction::wait_for_reboot:
      return "wait for the reboot";
    case ResumeAction::need_host:
      return "ask the host";
    case ResumeAction::verify:
      return "verify";
    case ResumeAction::finish:
      return "finish";
    case ResumeAction::booted_old_os:
      return "booted the old OS";
  }
  return "?";
}

std::string
journal_text(const NodeJournal& j)
{
  const json record = { { "v", 1 },
                        { "phase", to_string(j.phase) },
                        { "target", j.target },
                        { "bootID", j.boot_id },
                        { "bootedCommit", j.booted_commit },
                        { "stagedCommit", j.staged_commit },
                        { "cordonedByUs", j.cordoned_by_us },
                        { "owner", j.owner },
                        { "since", j.since } };
  return record.dump();
}

Result<std::optional<NodeJournal>>
read_node_journal(const json& node)
{
  const auto name = node.contains("metadata") ? node["metadata"].value("name", "") : std::string();
  const json* annotations = nullptr;
  if (node.contains("metadata") && node["metadata"].contains("annotations")) {
    annotations = &node["metadata"]["annotations"];
  }
  if (annotations == nullptr || !annotations->is_object() || !annotations->contains(k_node_update_annotation)) {
    return std::optional<NodeJournal>();
  }
  const auto bad = [&](const std::string& why) {
    return make_error(
      ErrorKind::invalid_input, "node {}: annotation {} cannot be read: {}", name, k_node_update_annotation, why);
  };
  const auto& value = (*annotations)[k_node_update_annotation];
  if (!value.is_string()) {
    return bad("not a string");
  }
  const auto record = json::parse(value.get<std::string>(), nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    return bad("not a JSON object");
  }
  if (record.value("v", 0) != 1) {
    return bad("unknown version " + record.value("v", json()).dump());
  }
  NodeJournal j;
  const auto phase = record.value("phase", "");
  if (phase == "draining") {
    j.phase = NodePhase::draining;
  } else if (phase == "rebooting") {
    j.phase = NodePhase::rebooting;
  } else {
    return bad("unknown phase '" + phase + "'");
  }
  try {
    j.target = record.value("target", "");
    j.boot_id = record.value("bootID", "");
    j.booted_commit = record.value("bootedCommit", "");
    j.staged_commit = record.value("stagedCommit", "");
    j.cordoned_by_us = record.value("cordonedByUs", false);
    j.owner = record.value("owner", "");
    j.since = record.value("since", "");
  } catch (const json::exception& e) {
    return bad(e.what());
  }
  if (j.boot_id.empty() || j.staged_commit.empty()) {
    return bad("bootID or stagedCommit missing");
  }
  return std::optional<NodeJournal>(std::move(j));
}

json
begin_patch(const NodeJournal& journal, const std::string& resource_version)
{
  json patch = { { "metadata",
                   { { "resourceVersion", resource_version },
                     { "annotations", { { k_node_update_annotation, journal_text(journal) } } } } } };
  if (journal.cordoned_by_us) {
    patch["spec"] = { { "unschedulable", true } };
  }
  return patch;
}

json
rebooting_patch(const NodeJournal& journal, const std::string& resource_version)
{
  auto j = journal;
  j.phase = NodePhase::rebooting;
  return {
    { "metadata",
      { { "resourceVersion", resource_version },
        { "annotations",
          { { k_node_update_annotation, journal_text(j) }, { ock::k_update_available_annotation, nullptr } } } } }
  };
}

json
finish_patch(const NodeJournal& journal, const std::string& resource_version)
{
  json patch = { { "metadata",
                   { { "resourceVersion", resource_version },
                     { "annotations", { { k_node_update_annotation, nullptr } } } } } };
  if (journal.cordoned_by_us) {
    patch["spec"] = { { "unschedulable", false } };
  }
  return patch;
}

std::string
kubelet_minor(const std::string& kubelet_version)
{
  static const std::regex re(R"(^v?([0-9]+)\.([0-9]+)(\..*)?$)");
  std::smatch m;
  if (!std::regex_match(kubelet_version, m, re)) {
    return "";
  }
  return m[1].str() + "." + m[2].str();
}

ResumeAction
next_action(const NodeJournal& journal, const NodeObservation& seen)
{
  if (!seen.api_boot_id.empty() && seen.api_boot_id != journal.boot_id) {
    const bool at_target = journal.target.empty() || kubelet_minor(seen.kubelet_version) == journal.target;
    if (!seen.ready || !at_target || !seen.booted_commit) {
      return ResumeAction::verify;
    }
    return *seen.booted_commit == journal.staged_commit ? ResumeAction::finish : ResumeAction::booted_old_os;
  }
  if (!seen.ready) {
    return ResumeAction::wait_for_reboot;
  }
  if (!seen.kernel_boot_id || !seen.reboot_scheduled) {
    return ResumeAction::need_host;
  }
  if (*seen.kernel_boot_id != journal.boot_id) {
    return ResumeAction::wait_for_reboot;
  }
  return *seen.reboot_scheduled ? ResumeAction::wait_for_reboot : ResumeAction::apply_and_reboot;
}

} // namespace ocne::upgrade
