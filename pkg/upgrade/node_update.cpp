#include "pkg/upgrade/node_update.hpp"

#include "pkg/config/versions.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/ock/node_host.hpp"
#include "pkg/ock/update_yaml.hpp"
#include "pkg/upgrade/kube_proxy.hpp"
#include "pkg/upgrade/node_journal.hpp"
#include "pkg/upgrade/node_order.hpp"
#include "pkg/upgrade/stage_checks.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>

namespace ocne::upgrade {

namespace {

using nlohmann::json;

constexpr const char* k_purpose = "node-update";

k8s::ObjectRef
node_ref(const std::string& name)
{
  return { "v1", "Node", "", name };
}

std::string
utc_now()
{
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string
name_of(const json& node)
{
  return k8s::string_at(node, "/metadata/name");
}

std::string
kubelet_of(const json& node)
{
  return k8s::string_at(node, "/status/nodeInfo/kubeletVersion");
}

bool
update_announced(const json& node)
{
  return k8s::string_at(node, "/metadata/annotations/" + std::string("ocne.oracle.com~1update-available")) == "true";
}

// "1.33" < "1.34" as numbers.
bool
minor_less(const std::string& a, const std::string& b)
{
  const auto parts = [](const std::string& v) {
    const auto dot = v.find('.');
    return std::pair<int, int>{ std::stoi(v.substr(0, dot)), std::stoi(v.substr(dot + 1)) };
  };
  return parts(a) < parts(b);
}

void
checkpoint(const NodeUpdateOptions& options, std::string_view step)
{
  if (options.checkpoint) {
    options.checkpoint(step);
  }
}

// Errors the API gives while the node (or, on libvirt, the control plane
// that fronts the API) reboots: worth looking again.
bool
passing(const Error& e)
{
  return e.kind() == ErrorKind::transient || e.kind() == ErrorKind::timeout || e.kind() == ErrorKind::unavailable ||
         e.kind() == ErrorKind::io;
}

// A failure to reach the node's host while it reboots: worth looking again,
// unless it is one waiting cannot change (a forbidden pod or exec, a bug).
// Bad requests stay waited on: exec into a node pod that the shutdown just
// failed answers 400 (pod not running).
Status
host_not_ready_yet(const Error& e, std::string_view what)
{
  if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::internal || e.kind() == ErrorKind::cancelled) {
    return tl::unexpected<Error>(e);
  }
  return not_ready_yet(std::string(what) + e.message());
}

// The node's static pods (etcd, the API server, ... on a control plane) as
// their mirror pods show them: the names of those not Ready. The next
// control plane must not go down before this one's etcd member is back.
Result<std::vector<std::string>>
static_pods_not_ready(k8s::Client& client, const std::string& node)
{
  OCNE_TRY_ASSIGN(const auto pods, k8s::pods_on_node(client, node));
  std::vector<std::string> out;
  for (const auto& pod : pods) {
    if (!k8s::has_annotation(pod, k8s::k_mirror_pod_annotation)) {
      continue;
    }
    bool ready = false;
    for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
      ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    if (!ready) {
      out.push_back(k8s::string_at(pod, "/metadata/name"));
    }
  }
  return out;
}

// Oracle's rule for workers: the staged minor is not above any control
// plane's, and no control plane has an update pending.
Status
check_worker_may_update(const std::string& worker, const std::string& target, const std::vector<json>& nodes)
{
  for (const auto& n : nodes) {
    if (!is_control_plane(n)) {
      continue;
    }
    const auto cp_minor = kubelet_minor(kubelet_of(n));
    if (!target.empty() && !cp_minor.empty() && minor_less(cp_minor, target)) {
      return make_error(ErrorKind::invalid_input,
                        "Node {} cannot be updated to {} while control plane node {} runs {}: update the control "
                        "plane nodes first",
                        worker,
                        target,
                        name_of(n),
                        cp_minor);
    }
    if (update_announced(n) || k8s::has_annotation(n, k_node_update_annotation)) {
      return make_error(ErrorKind::invalid_input,
                        "Node {} cannot be updated while control plane node {} has an update pending: update the "
                        "control plane nodes first",
                        worker,
                        name_of(n));
    }
  }
  return {};
}

class NodeUpdater
{
public:
  NodeUpdater(k8s::Client& client, const NodeUpdateOptions& options, ProgressSink& progress)
    : m_client(client), m_options(options), m_progress(progress)
  {
  }

  Result<NodeUpdateResult> run(const std::string& name, const std::vector<json>& nodes, bool skip_up_to_date);

private:
  Result<std::unique_ptr<ock::NodeHost>>
  open_host(const std::string& name, std::chrono::seconds timeout)
  {
    return ock::NodeHost::open(m_client, name, k_purpose, timeout);
  }
  Result<std::optional<NodeJournal>> begin(const std::string& name,
                                           const std::vector<json>& nodes,
                                           bool skip_up_to_date,
                                           NodeUpdateResult& result);
  Status drain(const std::string& name, NodeJournal& journal, bool single_node, NodeUpdateResult& result);
  Status reboot_and_wait(const std::string& name, NodeJournal& journal, NodeUpdateResult& result);
  Status apply_and_reboot(ock::NodeHost& host, const NodeJournal& journal);
  Status patch_node(const std::string& name,
                    json node,
                    const std::function<Result<json>(const json& node)>& make_patch);

  k8s::Client& m_client;
  const NodeUpdateOptions& m_options;
  ProgressSink& m_progress;
};

// A merge patch of the Node built by make_patch from the Node as read
// (guarded by its resourceVersion). The kubelet rewrites the Node's status
// often, above all after a boot: on a conflict, read it again and let
// make_patch check that the update it belongs to is still the same.
Status
NodeUpdater::patch_node(const std::string& name,
                        json node,
                        const std::function<Result<json>(const json& node)>& make_patch)
{
  bool refused = false;
  return retry(
    RetryOptions{ .attempts = 5, .delay = std::chrono::milliseconds(100) },
    [&](const Error& e) { return e.kind() == ErrorKind::conflict && !refused; },
    [&](int attempt) -> Status {
      if (attempt > 1) {
        OCNE_TRY_ASSIGN(node, m_client.get(node_ref(name)));
      }
      auto patch = make_patch(node);
      if (!patch) {
        refused = true;
        return tl::unexpected<Error>(patch.error());
      }
      auto patched = m_client.patch(node_ref(name), k8s::PatchType::merge, *patch);
      if (!patched) {
        log::debug("node {}: patch attempt {}: {}", name, attempt, patched.error().message());
        return tl::unexpected<Error>(patched.error());
      }
      return {};
    });
}

// The Node read again still carries this journal (no other run took over).
Status
same_journal(const std::string& name, const json& node, const NodeJournal& journal)
{
  OCNE_TRY_ASSIGN(const auto stored, read_node_journal(node));
  if (!stored || *stored != journal) {
    return make_error(ErrorKind::conflict,
                      "Node {}'s update record changed while this run wrote it (another 'ocne node update'?); run "
                      "'ocne node update -N {}' again",
                      name,
                      name);
  }
  return {};
}

// The checks, then the journal and the cordon in one write. nullopt: the
// node is up to date (only with skip_up_to_date).
Result<std::optional<NodeJournal>>
NodeUpdater::begin(const std::string& name,
                   const std::vector<json>& nodes,
                   bool skip_up_to_date,
                   NodeUpdateResult& result)
{
  OCNE_TRY_ASSIGN(const auto node, m_client.get(node_ref(name)));
  std::string why;
  if (!k8s::node_ready(node, why)) {
    return make_error(ErrorKind::not_ready, "Node {} is not ready ({}): it cannot be updated", name, why);
  }
  OCNE_TRY_ASSIGN(auto host, open_host(name, m_options.pod_start_timeout));
  auto text = host->read(ock::k_update_yaml);
  if (!text && text.error().kind() != ErrorKind::not_found) {
    return make_error(text.error());
  }
  const auto tag = text ? ock::parse_update_yaml(*text).tag : std::string();
  OCNE_TRY_ASSIGN(const auto staged, host->staged_commit());
  OCNE_TRY_ASSIGN(const auto status, host->ostree_status());
  const auto booted = status.booted()->commit;
  // With --node all, a node without an update is skipped: up to date, or
  // its update.yaml names a newer minor than its kubelet runs and the
  // service has not downloaded it yet.
  const auto skip = [&] {
    const auto wanted = ock::tag_minor(tag).value_or("");
    const auto running = kubelet_minor(kubelet_of(node));
    const bool behind = !wanted.empty() && !running.empty() && minor_less(running, wanted);
    result.outcome = behind ? "not downloaded yet" : "up to date";
    return std::optional<NodeJournal>();
  };
  if (!staged) {
    if (skip_up_to_date) {
      return skip();
    }
    if (m_options.force) {
      return make_error(ErrorKind::invalid_input, "nothing is staged on node {}: run 'ocne cluster stage' first", name);
    }
    return make_error(ErrorKind::not_found, "Node {} has no updates available", name);
  }
  // The annotation, or what was downloaded (kubelets that cannot annotate
  // their Node still download: Oracle #479).
  const bool available = update_announced(node) || *staged != booted;
  if (!available && !m_options.force) {
    if (skip_up_to_date) {
      return skip();
    }
    return make_error(ErrorKind::not_found, "Node {} has no updates available", name);
  }
  const auto target = ock::tag_minor(tag).value_or("");
  if (!is_control_plane(node)) {
    OCNE_TRY(check_worker_may_update(name, target, nodes));
  }
  const bool single_node = nodes.size() == 1;
  if (!single_node) {
    // Refused before the cordon: emptyDir pods need -d.
    OCNE_TRY_ASSIGN(const auto pods, k8s::pods_on_node(m_client, name));
    OCNE_TRY(k8s::check_emptydir(name, k8s::plan_drain(pods, m_options.drain), m_options.drain));
  }
  const bool unschedulable = node.contains("spec") && node["spec"].value("unschedulable", false);
  if (unschedulable) {
    log::warn("Node {} was cordoned before this update: it stays cordoned afterwards", name);
  }
  NodeJournal journal;
  journal.phase = NodePhase::draining;
  journal.target = target;
  journal.boot_id = k8s::string_at(node, "/status/nodeInfo/bootID");
  journal.booted_commit = booted;
  journal.staged_commit = *staged;
  journal.cordoned_by_us = !single_node && !unschedulable;
  journal.owner = m_options.owner;
  journal.since = utc_now();
  if (journal.boot_id.empty()) {
    return make_error(ErrorKind::unavailable, "Node {} reports no bootID: its reboot could not be seen", name);
  }
  host.reset();
  OCNE_TRY(patch_node(name, node, [&](const json& now) -> Result<json> {
    // Read again after a conflict: still nobody else's update, and the cordon as checked.
    const bool still_unschedulable = now.contains("spec") && now["spec"].value("unschedulable", false);
    if (k8s::has_annotation(now, k_node_update_annotation) || still_unschedulable != unschedulable) {
      return make_error(ErrorKind::conflict,
                        "Node {} changed while its update began (another 'ocne node update', or a cordon?); run "
                        "'ocne node update -N {}' again",
                        name,
                        name);
    }
    return begin_patch(journal, k8s::string_at(now, "/metadata/resourceVersion"));
  }));
  log::info("Node {}: {} (commit {} -> {})",
            name,
            journal.cordoned_by_us ? "cordoned" : "update begun",
            booted.substr(0, 12),
            staged->substr(0, 12));
  checkpoint(m_options, "cordoned");
  return std::optional<NodeJournal>(std::move(journal));
}

Status
NodeUpdater::drain(const std::string& name, NodeJournal& journal, bool single_node, NodeUpdateResult& result)
{
  if (!single_node) {
    auto drain_options = m_options.drain;
    drain_options.checkpoint = [this](std::string_view step) { checkpoint(m_options, step); };
    auto report = k8s::drain_node(m_client, name, drain_options, m_progress);
    if (!report) {
      return make_error(report.error().kind(),
                        "Node {}: {} (it stays cordoned; fix that and run 'ocne node update -N {}' again)",
                        name,
                        report.error().message(),
                        name);
    }
    result.drain = *report;
    log::info("Node {}: drained ({} evicted, {} deleted)", name, report->evicted, report->deleted);
  }
  checkpoint(m_options, "drained");
  OCNE_TRY_ASSIGN(const auto node, m_client.get(node_ref(name)));
  const auto make_patch = [&](const json& now) -> Result<json> {
    OCNE_TRY(same_journal(name, now, journal));
    return rebooting_patch(journal, k8s::string_at(now, "/metadata/resourceVersion"));
  };
  OCNE_TRY(patch_node(name, node, make_patch));
  journal.phase = NodePhase::rebooting;
  checkpoint(m_options, "rebooting");
  return {};
}

Status
NodeUpdater::apply_and_reboot(ock::NodeHost& host, const NodeJournal& journal)
{
  OCNE_TRY_ASSIGN(const auto status, host.ostree_status());
  const auto* next = status.next_boot();
  if (next == nullptr || next->commit != journal.staged_commit) {
    OCNE_TRY(host.deploy_staged());
    OCNE_TRY_ASSIGN(const auto after, host.ostree_status());
    if (after.next_boot() == nullptr || after.next_boot()->commit != journal.staged_commit) {
      return make_error(ErrorKind::unavailable,
                        "node {}: ostree admin deploy ock:ock did not make {} the next boot (ock:ock moved since "
                        "the update began?)",
                        host.node(),
                        journal.staged_commit);
    }
  }
  checkpoint(m_options, "deployed");
  OCNE_TRY(host.drop_firstboot_karg());
  OCNE_TRY_ASSIGN(const bool scheduled, host.schedule_reboot());
  log::info("Node {}: {}", host.node(), scheduled ? "rebooting into the new OS" : "its reboot was already scheduled");
  checkpoint(m_options, "reboot scheduled");
  return {};
}

// Phase rebooting: decide from what the API and the host say (next_action),
// act, and look again until the node runs the staged commit at the target
// version. The API may be away meanwhile (libvirt reaches it through cp-1).
Status
NodeUpdater::reboot_and_wait(const std::string& name, NodeJournal& journal, NodeUpdateResult& result)
{
  bool scheduled_on_this_boot = false;
  bool forced_again = false;
  std::optional<std::string> booted_commit;
  std::string booted_boot_id; // the boot booted_commit was read on
  ProgressTask task(m_progress, fmt::format("Node {}: rebooting into the new OS", name));
  PollOptions poll_options{ .timeout = m_options.ready_timeout, .interval = m_options.interval };
  PollMessages messages;
  messages.timed_out = [&](std::string_view last) {
    return Error(ErrorKind::timeout,
                 fmt::format("Node {} did not come back at the new version in time ({}); it stays cordoned; run "
                             "'ocne node update -N {}' again to keep waiting",
                             name,
                             last,
                             name));
  };
  std::string said;
  messages.waiting = [&](std::string_view last) {
    if (last != said) {
      said = std::string(last);
      log::debug("node {}: {}", name, said);
    }
  };
  auto waited = poll(poll_options, messages, [&]() -> Status {
    auto node = m_client.get(node_ref(name));
    if (!node) {
      if (passing(node.error())) {
        return not_ready_yet("the API server does not answer: " + node.error().message());
      }
      return tl::unexpected<Error>(node.error());
    }
    NodeObservation seen;
    seen.api_boot_id = k8s::string_at(*node, "/status/nodeInfo/bootID");
    std::string why;
    seen.ready = k8s::node_ready(*node, why);
    seen.kubelet_version = kubelet_of(*node);
    if (scheduled_on_this_boot) {
      seen.kernel_boot_id = journal.boot_id;
      seen.reboot_scheduled = true;
    }
    if (booted_commit && booted_boot_id == seen.api_boot_id) {
      seen.booted_commit = booted_commit;
    }
    auto action = next_action(journal, seen);
    log::debug("node {}: {} (bootID {}, ready {}, kubelet {})",
               name,
               to_string(action),
               seen.api_boot_id,
               seen.ready,
               seen.kubelet_version);
    if (action == ResumeAction::verify && seen.ready &&
        (journal.target.empty() || kubelet_minor(seen.kubelet_version) == journal.target)) {
      auto waiting = static_pods_not_ready(m_client, name);
      if (!waiting) {
        return not_ready_yet("static pods: " + waiting.error().message());
      }
      if (!waiting->empty()) {
        return not_ready_yet(
          fmt::format("waiting for the static pods of Node {} to be Ready: {}", name, str::join(*waiting, ", ")));
      }
      // A new boot at the target version: what did it boot?
      auto host = open_host(name, m_options.pod_start_timeout);
      if (!host) {
        return host_not_ready_yet(host.error(), "node pod: ");
      }
      auto ostree = (*host)->ostree_status();
      if (!ostree) {
        return host_not_ready_yet(ostree.error(), "");
      }
      booted_commit = ostree->booted()->commit;
      booted_boot_id = seen.api_boot_id;
      seen.booted_commit = booted_commit;
      action = next_action(journal, seen);
    }
    switch (action) {
      case ResumeAction::finish:
        return {};
      case ResumeAction::booted_old_os:
        if (m_options.force && !forced_again) {
          // --force: try once more from this boot.
          forced_again = true;
          log::warn("Node {} booted {} instead of {}; --force: deploying and rebooting again",
                    name,
                    *seen.booted_commit,
                    journal.staged_commit);
          journal.boot_id = seen.api_boot_id;
          journal.booted_commit = *seen.booted_commit;
          // The timer set off on the first boot is gone with it: this boot
          // has none until apply_and_reboot schedules one.
          scheduled_on_this_boot = false;
          booted_commit.reset();
          booted_boot_id.clear();
          OCNE_TRY(m_client.patch(
            node_ref(name),
            k8s::PatchType::merge,
            { { "metadata", { { "annotations", { { k_node_update_annotation, journal_text(journal) } } } } } }));
          return not_ready_yet("deploying again");
        }
        return make_error(ErrorKind::unavailable,
                          "Node {} rebooted but runs commit {} instead of the staged {}: it stays cordoned; look at "
                          "'ocne cluster console -N {} -- ostree admin status'; rerun with --force to try again",
                          name,
                          *seen.booted_commit,
                          journal.staged_commit,
                          name);
      case ResumeAction::verify:
        return not_ready_yet(fmt::format("Node {} rebooted; waiting for it to be Ready{} (kubelet {}{})",
                                         name,
                                         journal.target.empty() ? "" : " at " + journal.target,
                                         seen.kubelet_version,
                                         seen.ready ? "" : ", " + why));
      case ResumeAction::wait_for_reboot:
        return not_ready_yet(fmt::format("waiting for Node {} to reboot", name));
      case ResumeAction::need_host:
      case ResumeAction::apply_and_reboot:
        break;
    }
    // The node is up on its old boot: has the reboot been set off?
    auto host = open_host(name, m_options.pod_start_timeout);
    if (!host) {
      return host_not_ready_yet(host.error(), "node pod: ");
    }
    auto kernel = (*host)->kernel_boot_id();
    if (!kernel) {
      return host_not_ready_yet(kernel.error(), "");
    }
    auto timer = (*host)->reboot_scheduled();
    if (!timer) {
      return host_not_ready_yet(timer.error(), "");
    }
    seen.kernel_boot_id = *kernel;
    seen.reboot_scheduled = *timer;
    action = next_action(journal, seen);
    if (action == ResumeAction::apply_and_reboot) {
      OCNE_TRY(apply_and_reboot(**host, journal));
      scheduled_on_this_boot = true;
      return not_ready_yet(fmt::format("Node {} reboots", name));
    }
    if (*kernel == journal.boot_id && *timer) {
      scheduled_on_this_boot = true;
    }
    return not_ready_yet(fmt::format("waiting for Node {} to reboot", name));
  });
  if (!waited) {
    task.fail(waited.error().message());
    return waited;
  }
  task.succeed();
  result.to_commit = journal.staged_commit;
  checkpoint(m_options, "rebooted");
  return {};
}

Result<NodeUpdateResult>
NodeUpdater::run(const std::string& name, const std::vector<json>& nodes, bool skip_up_to_date)
{
  NodeUpdateResult result;
  result.node = name;
  OCNE_TRY_ASSIGN(const auto node, m_client.get(node_ref(name)));
  result.from_version = kubelet_of(node);
  OCNE_TRY_ASSIGN(auto journal, read_node_journal(node));
  if (journal) {
    log::info("Node {}: continuing an unfinished update ({}, begun {} by {})",
              name,
              to_string(journal->phase),
              journal->since,
              journal->owner);
  } else {
    OCNE_TRY_ASSIGN(journal, begin(name, nodes, skip_up_to_date, result));
    if (!journal) {
      return result;
    }
  }
  result.from_commit = journal->booted_commit;
  if (journal->phase == NodePhase::draining) {
    OCNE_TRY(drain(name, *journal, nodes.size() == 1, result));
  }
  OCNE_TRY(reboot_and_wait(name, *journal, result));
  OCNE_TRY_ASSIGN(const auto after, m_client.get(node_ref(name)));
  const auto make_patch = [&](const json& now) -> Result<json> {
    OCNE_TRY(same_journal(name, now, *journal));
    return finish_patch(*journal, k8s::string_at(now, "/metadata/resourceVersion"));
  };
  OCNE_TRY(patch_node(name, after, make_patch));
  result.to_version = kubelet_of(after);
  result.outcome = "updated";
  log::info("Node {}: {} at {}", name, journal->cordoned_by_us ? "uncordoned" : "updated", result.to_version);
  checkpoint(m_options, "uncordoned");
  return result;
}

// Every control plane runs one minor: kube-proxy follows it.
Status
follow_control_planes(k8s::Client& client, const NodeUpdateOptions& options)
{
  OCNE_TRY_ASSIGN(const auto list, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  std::string minor;
  for (const auto& n : list.items) {
    if (!is_control_plane(n)) {
      continue;
    }
    const auto m = kubelet_minor(kubelet_of(n));
    if (m.empty() || (!minor.empty() && m != minor)) {
      return {};
    }
    minor = m;
  }
  auto version = config::find_kube_version(minor);
  if (minor.empty() || !version) {
    return {};
  }
  OCNE_TRY(
    follow_kube_proxy_version(client, version->full, { .timeout = options.ready_timeout, .interval = options.interval })
      .map([](bool) {}));
  checkpoint(options, "kube-proxy");
  return {};
}

} // namespace

Result<NodeUpdateReport>
update_nodes(k8s::Client& client, const NodeUpdateOptions& options, ProgressSink& progress)
{
  OCNE_TRY_ASSIGN(const auto list, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  const auto& nodes = list.items;
  if (managed_by_cluster_api(nodes)) {
    return make_error(ErrorKind::invalid_input,
                      "the nodes are Cluster API Machines: Cluster API would bring the old image back; upgrade the "
                      "cluster with 'ocne cluster upgrade'");
  }
  const bool all = options.node == "all";
  const auto named =
    std::find_if(nodes.begin(), nodes.end(), [&](const json& n) { return name_of(n) == options.node; });
  if (all && named != nodes.end()) {
    return make_error(ErrorKind::invalid_input,
                      "a node is named 'all': --node all would be ambiguous; update the nodes one by one with -N");
  }
  if (!all && named == nodes.end()) {
    return make_error(ErrorKind::not_found, "Node {} does not exist", options.node);
  }
  if (!all) {
    // Another node's unfinished update comes first.
    for (const auto& n : nodes) {
      if (name_of(n) != options.node && k8s::has_annotation(n, k_node_update_annotation)) {
        OCNE_TRY_ASSIGN(const auto j, read_node_journal(n));
        return make_error(ErrorKind::conflict,
                          "Node {}'s update is unfinished ({}); run 'ocne node update -N {}' first",
                          name_of(n),
                          to_string(j->phase),
                          name_of(n));
      }
    }
  }
  OCNE_TRY(diag::prepare_node_pods(client));
  NodeUpdater updater(client, options, progress);
  NodeUpdateReport report;
  if (!all) {
    OCNE_TRY_ASSIGN(auto result, updater.run(options.node, nodes, false));
    report.nodes.push_back(std::move(result));
    return report;
  }
  // Control planes first, one at a time; kube-proxy once they all run the
  // new minor; then the workers.
  bool workers_reached = false;
  for (const auto& name : update_order(nodes)) {
    OCNE_TRY_ASSIGN(const auto fresh, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
    const auto at =
      std::find_if(fresh.items.begin(), fresh.items.end(), [&](const json& n) { return name_of(n) == name; });
    if (at == fresh.items.end()) {
      continue;
    }
    if (!workers_reached && !is_control_plane(*at)) {
      // A control plane still downloading keeps its update pending, which
      // the worker rule refuses: stop here and say which one to wait for.
      const auto downloading = std::find_if(report.nodes.begin(), report.nodes.end(), [](const NodeUpdateResult& r) {
        return r.outcome == "not downloaded yet";
      });
      if (downloading != report.nodes.end()) {
        log::info("The workers wait: control plane node {} has not downloaded its update yet", downloading->node);
        return report;
      }
      workers_reached = true;
      OCNE_TRY(follow_control_planes(client, options));
    }
    OCNE_TRY_ASSIGN(auto result, updater.run(name, fresh.items, true));
    log::info("Node {}: {}", name, result.outcome);
    report.nodes.push_back(std::move(result));
  }
  if (!workers_reached) {
    OCNE_TRY(follow_control_planes(client, options));
  }
  return report;
}

} // namespace ocne::upgrade
