// Executing a move plan (see mover.hpp).

#include "pkg/clusterctl/mover.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/wait.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace ocne::clusterctl {

using nlohmann::json;

namespace {

constexpr const char* k_block_move = "clusterctl.cluster.x-k8s.io/block-move";
constexpr const char* k_delete_for_move = "clusterctl.cluster.x-k8s.io/delete-for-move";
constexpr const char* k_paused_annotation = "cluster.x-k8s.io/paused";
constexpr const char* k_paused_by_move = k_paused_for_move_annotation;

// Retries fn on transient errors (the transport already retried idempotent
// requests; creates are not idempotent there).
template<typename F>
auto
with_retries(const MoveOptions& options, F&& fn) -> decltype(fn())
{
  return retry(
    RetryOptions{ .attempts = options.attempts, .delay = options.retry_delay, .clock = options.clock },
    [](const Error& e) { return e.kind() == ErrorKind::transient && !interrupted(); },
    [&](int) { return fn(); });
}

std::string
refs_text(const std::vector<k8s::ObjectRef>& refs, std::size_t max = 20)
{
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < refs.size() && i < max; ++i) {
    parts.push_back(refs[i].to_string());
  }
  if (refs.size() > max) {
    parts.push_back(fmt::format("and {} more", refs.size() - max));
  }
  return str::join(parts, ", ");
}

bool
truthy(const json& object, std::string_view pointer)
{
  try {
    const json::json_pointer ptr{ std::string(pointer) };
    return object.contains(ptr) && object.at(ptr).is_boolean() && object.at(ptr).get<bool>();
  } catch (const json::exception&) {
    return false;
  }
}

bool
condition_true(const json& object, std::string_view type)
{
  const auto status = object.find("status");
  if (status == object.end() || !status->is_object() || !status->contains("conditions") ||
      !(*status)["conditions"].is_array()) {
    return false;
  }
  for (const auto& c : (*status)["conditions"]) {
    if (k8s::string_at(c, "/type") == type && k8s::string_at(c, "/status") == "True") {
      return true;
    }
  }
  return false;
}

// The readiness gate: v1beta1 and v1beta2 spell provisioning differently.
Status
check_provisioned(k8s::Client& source, const MovePlan& plan)
{
  std::vector<std::string> problems;
  for (const auto& n : plan.nodes) {
    const auto gvk = n.ref.gvk();
    if (gvk.group != "cluster.x-k8s.io" || (gvk.kind != "Cluster" && gvk.kind != "Machine")) {
      continue;
    }
    OCNE_TRY_ASSIGN(auto object, source.get(n.ref));
    if (gvk.kind == "Cluster") {
      const bool infra = truthy(object, "/status/infrastructureReady") ||
                         truthy(object, "/status/initialization/infrastructureProvisioned");
      const bool cp_init = condition_true(object, "ControlPlaneInitialized") ||
                           truthy(object, "/status/initialization/controlPlaneInitialized");
      if (!infra) {
        problems.push_back(fmt::format(
          "cannot start the move operation while {} is still provisioning the infrastructure", n.ref.to_string()));
      } else if (!cp_init) {
        problems.push_back(fmt::format(
          "cannot start the move operation while the control plane for {} is not yet initialized", n.ref.to_string()));
      }
    } else if (!object.contains("status") || !object["status"].contains("nodeRef")) {
      problems.push_back(
        fmt::format("cannot start the move operation while {} is still provisioning the node", n.ref.to_string()));
    }
  }
  if (!problems.empty()) {
    return make_error(ErrorKind::not_ready, "{}", str::join(problems, "; ")); // waiting may help
  }
  return {};
}

// Compares "v1.12.3" style versions; unparsable parts compare as 0.
std::vector<long>
version_parts(std::string_view v)
{
  if (!v.empty() && v[0] == 'v') {
    v.remove_prefix(1);
  }
  std::vector<long> out;
  for (const auto& p : str::split(v.substr(0, v.find_first_of("-+")), '.')) {
    out.push_back(std::strtol(p.c_str(), nullptr, 10));
  }
  return out;
}

Status
check_providers(k8s::Client& source, k8s::Client& target)
{
  const k8s::GroupVersionKind provider{ "clusterctl.cluster.x-k8s.io", "v1alpha3", "Provider" };
  auto from = source.list(provider);
  if (!from) {
    if (from.error().kind() == ErrorKind::not_found) {
      return {}; // no inventory in the source: nothing to compare
    }
    return make_error(from.error());
  }
  if (from->items.empty()) {
    return {};
  }
  auto to = target.list(provider);
  if (!to) {
    return make_error(to.error().kind(),
                      "the target has no clusterctl provider inventory ({}); install the same providers there first",
                      to.error().message());
  }
  std::vector<std::string> problems;
  for (const auto& p : from->items) {
    const auto name = k8s::string_at(p, "/providerName");
    const auto type = k8s::string_at(p, "/type");
    const auto version = k8s::string_at(p, "/version");
    std::optional<std::vector<long>> best;
    for (const auto& q : to->items) {
      if (k8s::string_at(q, "/providerName") == name && k8s::string_at(q, "/type") == type) {
        auto v = version_parts(k8s::string_at(q, "/version"));
        if (!best || *best < v) {
          best = v;
        }
      }
    }
    if (!best) {
      problems.push_back(fmt::format("provider {} ({}) is not installed in the target", name, type));
    } else if (*best < version_parts(version)) {
      problems.push_back(fmt::format("provider {} in the target is older than {} in the source", name, version));
    }
  }
  if (!problems.empty()) {
    return make_error(ErrorKind::invalid_input, "{}", str::join(problems, "; "));
  }
  return {};
}

class Mover
{
public:
  Mover(k8s::Client& source, k8s::Client& target, const MoveOptions& options, MoveReport& report)
    : m_source(source), m_target(target), m_options(options), m_report(report), m_plan(report.plan)
  {
    m_new_uid.resize(m_plan.nodes.size());
  }

  Status
  pause_source(bool pause)
  {
    if (pause && m_source_paused) {
      return {}; // resuming: already paused
    }
    for (const auto i : m_plan.clusters) {
      const auto& ref = m_plan.nodes[i].ref;
      const json patch = { { "metadata",
                             { { "annotations", { { k_paused_by_move, pause ? json("true") : json(nullptr) } } } } },
                           { "spec", { { "paused", pause ? json(true) : json(nullptr) } } } };
      OCNE_TRY(with_retries(m_options, [&] {
                 return m_source.patch(ref, k8s::PatchType::merge, patch);
               }).map_error([&](Error e) {
        return e.with_context(pause ? "cannot pause the source" : "cannot unpause the source");
      }));
    }
    for (const auto i : m_plan.cluster_classes) {
      const auto& ref = m_plan.nodes[i].ref;
      const json patch = { { "metadata",
                             { { "annotations",
                                 { { k_paused_annotation, pause ? json("") : json(nullptr) },
                                   { k_paused_by_move, pause ? json("true") : json(nullptr) } } } } } };
      OCNE_TRY(with_retries(m_options, [&] { return m_source.patch(ref, k8s::PatchType::merge, patch); }));
    }
    m_source_paused = pause;
    return {};
  }

  Status
  refuse_paused()
  {
    for (const auto* list : { &m_plan.clusters, &m_plan.cluster_classes }) {
      for (const auto i : *list) {
        const auto& ref = m_plan.nodes[i].ref;
        OCNE_TRY_ASSIGN(auto object, m_source.get(ref));
        if (truthy(object, "/spec/paused") || k8s::has_annotation(object, k_paused_annotation)) {
          // Paused by a move (ours, marked) or with a copy in the target: a
          // move that stopped half-way. Finish it.
          OCNE_TRY_ASSIGN(auto copy, m_target.find(ref));
          if (copy || k8s::has_annotation(object, k_paused_by_move)) {
            log::info("move: {} was paused by a move that stopped half-way; resuming it", ref.to_string());
            m_source_paused = true;
            continue;
          }
          return make_error(ErrorKind::conflict,
                            "cannot move: {} is already paused; unpause it or finish the move that paused it",
                            ref.to_string());
        }
      }
    }
    return {};
  }

  Status
  wait_unblocked(ProgressSink& progress)
  {
    for (const auto& n : m_plan.nodes) {
      if (!n.block_move) {
        continue; // as clusterctl: only objects that were blocking when discovered
      }
      k8s::WaitOptions wait;
      wait.timeout = m_options.block_move_timeout;
      wait.interval = std::chrono::milliseconds(200);
      wait.clock = m_options.clock;
      OCNE_TRY(k8s::wait_for(
        m_source,
        n.ref,
        fmt::format("to drop the {} annotation", k_block_move),
        [](const json* object) {
          const bool blocked = object != nullptr && k8s::has_annotation(*object, k_block_move);
          return k8s::Observation{ !blocked, blocked ? "the annotation is still set" : "gone" };
        },
        wait,
        progress));
    }
    return {};
  }

  // Creates one object in the target; records its new UID.
  Status
  create(std::size_t index)
  {
    const auto& node = m_plan.nodes[index];
    OCNE_TRY_ASSIGN(auto object, with_retries(m_options, [&] { return m_source.get(node.ref); }));
    object["apiVersion"] = node.ref.api_version; // the storage version it was read at
    auto& meta = object["metadata"];
    json managed_fields = meta.contains("managedFields") ? meta["managedFields"] : json();
    for (const char* field : { "resourceVersion",
                               "uid",
                               "creationTimestamp",
                               "generation",
                               "selfLink",
                               "managedFields",
                               "deletionTimestamp",
                               "deletionGracePeriodSeconds" }) {
      meta.erase(field);
    }
    if (!k8s::string_at(object, "/metadata/name").empty()) {
      meta.erase("generateName");
    }
    object.erase("status"); // as clusterctl: controllers rebuild it
    if (meta.contains("annotations") && meta["annotations"].is_object()) {
      // Left by an interrupted move: it must not follow the object.
      meta["annotations"].erase(k_delete_for_move);
    }
    OCNE_TRY(rebuild_owner_references(index, object));
    if (!node.global) {
      OCNE_TRY(ensure_namespace(node.ref.namespace_));
    }
    auto created = with_retries(m_options, [&] { return m_target.create(object); });
    bool existed = false;
    if (!created && created.error().kind() == ErrorKind::already_exists) {
      existed = true;
      OCNE_TRY_ASSIGN(auto current, with_retries(m_options, [&] { return m_target.get(node.ref); }));
      if (node.global || node.under_global || node.copy_only) {
        created = std::move(current); // shared objects already there are kept as they are
      } else {
        // Left over from an interrupted move: bring it up to date.
        object["metadata"]["uid"] = current["metadata"]["uid"];
        object["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
        created = with_retries(m_options, [&] { return m_target.replace(object); });
      }
    }
    if (!created) {
      return make_error(created.error());
    }
    {
      const std::lock_guard lock(m_mutex);
      m_new_uid[index] = k8s::string_at(*created, "/metadata/uid");
      (existed ? m_report.existing : m_report.created).push_back(node.ref);
      if (!existed) {
        m_created_indices.push_back(index);
      }
    }
    if (managed_fields.is_array() && !managed_fields.empty() && !existed) {
      // Keep the source's field owners so that clusterctl-like tools (and
      // controllers using server-side apply) still own their fields.
      const json patch = { { "metadata", { { "managedFields", managed_fields } } } };
      if (auto patched = m_target.patch(node.ref, k8s::PatchType::merge, patch); !patched) {
        log::warn("move: {}: could not copy managedFields: {}", node.ref.to_string(), patched.error().message());
      }
    }
    return {};
  }

  Status
  rebuild_owner_references(std::size_t index, json& object)
  {
    const auto& node = m_plan.nodes[index];
    auto& meta = object["metadata"];
    if (!meta.contains("ownerReferences") || !meta["ownerReferences"].is_array()) {
      return {};
    }
    // Source UID -> new UID of the moved owners.
    std::map<std::string, std::string> renamed;
    for (const auto o : node.owners) {
      const std::lock_guard lock(m_mutex);
      renamed[m_plan.nodes[o].uid] = m_new_uid[o];
    }
    json refs = json::array();
    for (auto ref : meta["ownerReferences"]) {
      const auto uid = k8s::string_at(ref, "/uid");
      if (const auto it = renamed.find(uid); it != renamed.end() && !it->second.empty()) {
        ref["uid"] = it->second;
        refs.push_back(std::move(ref));
        continue;
      }
      // An owner that does not move: keep the reference if the target has it.
      k8s::ObjectRef owner{ k8s::string_at(ref, "/apiVersion"),
                            k8s::string_at(ref, "/kind"),
                            node.ref.namespace_,
                            k8s::string_at(ref, "/name") };
      auto mapping = m_target.mapping(owner.gvk());
      if (mapping && !mapping->namespaced) {
        owner.namespace_.clear();
      }
      auto found = mapping ? m_target.find(owner) : Result<std::optional<json>>(std::optional<json>());
      if (found && found->has_value()) {
        ref["uid"] = k8s::string_at(**found, "/metadata/uid");
        refs.push_back(std::move(ref));
      } else {
        log::warn("move: {}: dropping the owner reference to {}, which is not in the target",
                  node.ref.to_string(),
                  owner.to_string());
      }
    }
    if (refs.empty()) {
      meta.erase("ownerReferences");
    } else {
      meta["ownerReferences"] = std::move(refs);
    }
    return {};
  }

  Status
  ensure_namespace(const std::string& ns)
  {
    {
      const std::lock_guard lock(m_mutex);
      if (m_namespaces.count(ns) > 0) {
        return {};
      }
    }
    const json object = { { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", ns } } } };
    OCNE_TRY(with_retries(m_options, [&] { return m_target.create_if_absent(object); }));
    const std::lock_guard lock(m_mutex);
    m_namespaces.insert(ns);
    return {};
  }

  // Runs fn over a group with the client's parallelism; the first error wins.
  // With stop_on_error false the rest of the group still runs (deletes of
  // independent objects), so what is left over is exactly what failed.
  Status
  for_group(const std::vector<std::size_t>& group,
            const std::function<Status(std::size_t)>& fn,
            bool stop_on_error = true)
  {
    std::atomic<std::size_t> next{ 0 };
    std::atomic<bool> failed{ false };
    std::mutex mutex;
    std::optional<Error> first;
    auto work = [&] {
      while (!failed) {
        const auto k = next.fetch_add(1);
        if (k >= group.size()) {
          return;
        }
        auto status = fn(group[k]);
        if (!status) {
          const std::lock_guard lock(mutex);
          if (!first) {
            first = status.error();
          }
          failed = stop_on_error;
        }
      }
    };
    const int parallel = std::max(1, std::min<int>(m_target.options().parallelism, static_cast<int>(group.size())));
    std::vector<std::thread> threads;
    for (int t = 1; t < parallel; ++t) {
      threads.emplace_back(work);
    }
    work();
    for (auto& t : threads) {
      t.join();
    }
    if (first) {
      return make_error(std::move(*first));
    }
    return {};
  }

  // Deletes an object the way a move does: annotate, strip finalizers, delete.
  static Status
  delete_for_move(k8s::Client& client, const k8s::ObjectRef& ref, const MoveOptions& options)
  {
    OCNE_TRY_ASSIGN(auto found, with_retries(options, [&] { return client.find(ref); }));
    if (!found) {
      return {};
    }
    const json annotate = { { "metadata", { { "annotations", { { k_delete_for_move, "" } } } } } };
    OCNE_TRY(with_retries(options, [&] { return client.patch(ref, k8s::PatchType::merge, annotate); }));
    const auto& meta = (*found)["metadata"];
    if (meta.contains("finalizers") && meta["finalizers"].is_array() && !meta["finalizers"].empty()) {
      const json strip = { { "metadata", { { "finalizers", nullptr } } } };
      OCNE_TRY(with_retries(options, [&] { return client.patch(ref, k8s::PatchType::merge, strip); }));
    }
    k8s::DeleteOptions del;
    del.ignore_not_found = true;
    return with_retries(options, [&] { return client.remove(ref, del); });
  }

  // Undoes the creates after a failure, newest first.
  std::vector<k8s::ObjectRef>
  roll_back_target()
  {
    std::vector<k8s::ObjectRef> failed;
    for (auto it = m_created_indices.rbegin(); it != m_created_indices.rend(); ++it) {
      const auto& ref = m_plan.nodes[*it].ref;
      if (auto status = delete_for_move(m_target, ref, m_options); !status) {
        log::warn("move: rollback: {}", status.error().message());
        failed.push_back(ref);
      }
    }
    return failed;
  }

  Status
  unpause_target()
  {
    for (const auto i : m_plan.clusters) {
      const json patch = { { "metadata", { { "annotations", { { k_paused_by_move, nullptr } } } } },
                           { "spec", { { "paused", nullptr } } } };
      OCNE_TRY(
        with_retries(m_options, [&] { return m_target.patch(m_plan.nodes[i].ref, k8s::PatchType::merge, patch); }));
    }
    for (const auto i : m_plan.cluster_classes) {
      const json patch = {
        { "metadata", { { "annotations", { { k_paused_annotation, nullptr }, { k_paused_by_move, nullptr } } } } }
      };
      OCNE_TRY(
        with_retries(m_options, [&] { return m_target.patch(m_plan.nodes[i].ref, k8s::PatchType::merge, patch); }));
    }
    return {};
  }

  bool
  source_paused() const
  {
    return m_source_paused;
  }

  std::vector<k8s::ObjectRef>
  not_created() const
  {
    std::set<std::size_t> done(m_created_indices.begin(), m_created_indices.end());
    std::vector<k8s::ObjectRef> out;
    for (std::size_t i = 0; i < m_plan.nodes.size(); ++i) {
      if (done.count(i) == 0 && m_new_uid[i].empty()) {
        out.push_back(m_plan.nodes[i].ref);
      }
    }
    return out;
  }

private:
  k8s::Client& m_source;
  k8s::Client& m_target;
  const MoveOptions& m_options;
  MoveReport& m_report;
  const MovePlan& m_plan;
  std::mutex m_mutex;
  std::vector<std::string> m_new_uid;
  std::vector<std::size_t> m_created_indices;
  std::set<std::string> m_namespaces;
  bool m_source_paused = false;
};

} // namespace

Result<MoveReport>
move(k8s::Client& source, k8s::Client& target, const MoveOptions& options, ProgressSink& progress)
{
  MoveReport report;
  OCNE_TRY_ASSIGN(report.plan, plan_move(source, options));
  const auto& plan = report.plan;
  if (plan.nodes.empty()) {
    return report;
  }
  if (options.check_providers) {
    OCNE_TRY(check_providers(source, target).map_error([](Error e) { return e.with_context("cannot move"); }));
  }
  if (options.check_provisioned) {
    OCNE_TRY(check_provisioned(source, plan));
  }
  Mover mover(source, target, options, report);
  OCNE_TRY(mover.refuse_paused());

  // Two steps an object: created in the target, deleted from the source.
  ProgressTask task(
    progress,
    fmt::format("Moving {} Cluster API objects (copied, then deleted from the source)", plan.nodes.size()),
    plan.nodes.size() * 2,
    ProgressUnit::items);
  // Before anything is created: on failure, unpause the source and stop.
  auto abort_early = [&](const Error& error) {
    std::string tail = "nothing was created in the target";
    if (mover.source_paused()) {
      if (auto unpaused = mover.pause_source(false); !unpaused) {
        tail += fmt::format("; the source could not be unpaused: {}", unpaused.error().message());
      } else {
        tail += "; the source is unpaused";
      }
    }
    auto message = fmt::format("move failed: {}; {}", error.message(), tail);
    task.fail(message);
    return make_error(error.kind(), "{}", message);
  };
  if (auto paused = mover.pause_source(true); !paused) {
    return abort_early(paused.error());
  }
  if (auto unblocked = mover.wait_unblocked(null_progress()); !unblocked) {
    return abort_early(unblocked.error());
  }

  for (const auto& group : plan.groups) {
    auto status = mover.for_group(group, [&](std::size_t i) -> Status {
      OCNE_TRY(mover.create(i).map_error([&](Error e) {
        return e.with_context(fmt::format("creating {} in the target", plan.nodes[i].ref.to_string()));
      }));
      task.advance(1);
      return {};
    });
    if (!status) {
      const auto missing = mover.not_created();
      const auto created = report.created;
      const auto left = mover.roll_back_target();
      std::string what =
        fmt::format("{} of {} objects were not created ({})", missing.size(), plan.nodes.size(), refs_text(missing));
      if (left.empty()) {
        what += fmt::format("; the {} objects created in the target were deleted again", created.size());
      } else {
        what += fmt::format("; these objects created in the target could not be removed: {}", refs_text(left));
      }
      report.created.clear();
      std::string tail;
      if (auto unpaused = mover.pause_source(false); !unpaused) {
        tail = fmt::format("; the source is complete but could not be unpaused: {}", unpaused.error().message());
      } else {
        tail = "; the source is complete and unpaused";
      }
      auto message = fmt::format("move failed: {}; {}{}", status.error().message(), what, tail);
      task.fail(message);
      return make_error(status.error().kind(), "{}", message);
    }
  }

  // Everything is in the target: delete from the source, dependents first.
  std::mutex deleted_mutex;
  for (auto g = plan.groups.rbegin(); g != plan.groups.rend(); ++g) {
    auto status = mover.for_group(
      *g,
      [&](std::size_t i) -> Status {
        const auto& n = plan.nodes[i];
        if (!(n.global || n.under_global || n.copy_only)) {
          OCNE_TRY(Mover::delete_for_move(source, n.ref, options).map_error([&](Error e) {
            return e.with_context(fmt::format("deleting {} from the source", n.ref.to_string()));
          }));
          const std::lock_guard lock(deleted_mutex);
          report.deleted.push_back(n.ref);
        }
        task.advance(1);
        return {};
      },
      false);
    if (!status) {
      std::vector<k8s::ObjectRef> remaining;
      std::set<k8s::ObjectRef> gone(report.deleted.begin(), report.deleted.end());
      for (const auto& n : plan.nodes) {
        if (!(n.global || n.under_global || n.copy_only) && gone.count(n.ref) == 0) {
          remaining.push_back(n.ref);
        }
      }
      auto unpaused = mover.unpause_target();
      auto message = fmt::format(
        "move failed: {}; all {} objects are in the target{}, but {} remain in the paused source and must be deleted "
        "there (run the move again): {}",
        status.error().message(),
        plan.nodes.size(),
        unpaused ? " and unpaused" : fmt::format(" (still paused: {})", unpaused.error().message()),
        remaining.size(),
        refs_text(remaining));
      task.fail(message);
      return make_error(status.error().kind(), "{}", message);
    }
  }

  if (auto unpaused = mover.unpause_target(); !unpaused) {
    auto message = fmt::format("move: every object is in the target and gone from the source, but unpausing the "
                               "target failed: {}; set spec.paused to null on the Clusters there",
                               unpaused.error().message());
    task.fail(message);
    return make_error(unpaused.error().kind(), "{}", message);
  }
  task.succeed(fmt::format("{} objects moved", plan.nodes.size()));
  return report;
}

} // namespace ocne::clusterctl
