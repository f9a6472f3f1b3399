#include "pkg/cluster/lifecycle.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/log.hpp"

#include <algorithm>

namespace ocne::cluster {

namespace {

std::string
state_of(const ClusterRecord& record, std::string_view key)
{
  const auto it = record.state.find(std::string(key));
  return it == record.state.end() ? std::string() : it->second;
}

Result<FileLock>
lock_cluster(const StateDir& state, std::string_view name, std::chrono::milliseconds timeout)
{
  OCNE_TRY(state.ensure());
  OCNE_TRY(fs::ensure_dir(state.locks_dir(), fs::k_private_dir));
  return FileLock::acquire(cluster_lock_path(state, name), timeout, fmt::format("cluster '{}'", name));
}

} // namespace

fs::Path
cluster_lock_path(const StateDir& state, std::string_view name)
{
  return state.locks_dir() / fmt::format("cluster-{}.lock", name);
}

Result<StartResult>
start_cluster(Driver& driver, const StartRequest& request, const StateDir& state, ProgressSink& progress)
{
  if (request.name.empty()) {
    return make_error(ErrorKind::invalid_input, "the cluster needs a name");
  }
  OCNE_TRY_ASSIGN(auto lock, lock_cluster(state, request.name, request.lock_timeout));
  OCNE_TRY_ASSIGN(auto cache, ClusterCache::load(state.clusters_file()));
  const auto* existing = cache.find(request.name);
  if (existing != nullptr && !request.resumable && request.disposable) {
    const auto phase = phase_of(*existing);
    if (phase == Phase::creating || phase == Phase::failed) {
      log::info("Removing what an earlier start of cluster {} left unfinished, to start it again", request.name);
      CacheTracker tracker(state, request.name);
      DeleteContext del{ request.name, *existing, tracker, progress };
      OCNE_TRY(driver.destroy(del).map_error([&](Error e) {
        return e.with_context(fmt::format("cannot remove the unfinished cluster '{}'", request.name));
      }));
      OCNE_TRY(ClusterCache::update(state, [&](ClusterCache& c) -> Status {
        c.remove(request.name);
        return {};
      }));
      existing = nullptr;
    }
  }
  const bool fresh = existing == nullptr;
  if (existing != nullptr) {
    const auto provider = state_of(*existing, k_state_provider);
    if (!provider.empty() && provider != request.provider) {
      return make_error(ErrorKind::conflict,
                        "a cluster named '{}' already exists with provider {}; delete it first (ocne cluster delete "
                        "-C {}) or choose another name",
                        request.name,
                        provider,
                        request.name);
    }
    const auto version = state_of(*existing, k_state_kubernetes_version);
    if (!version.empty() && !request.kubernetes_version.empty() && version != request.kubernetes_version) {
      return make_error(ErrorKind::conflict,
                        "the Kubernetes version of the existing cluster '{}' is {}, not {}",
                        request.name,
                        version,
                        request.kubernetes_version);
    }
    const auto phase = phase_of(*existing);
    const bool unfinished = phase == Phase::creating || phase == Phase::failed;
    if ((unfinished && !request.resumable) || phase == Phase::deleting) {
      const std::string_view left = phase == Phase::failed     ? "failed"
                                    : phase == Phase::deleting ? "half-deleted"
                                                               : "half-created";
      return make_error(ErrorKind::conflict,
                        "cluster '{}' is left {} by an earlier run that did not finish; remove it with 'ocne cluster "
                        "delete -C {}' and start it again",
                        request.name,
                        left,
                        request.name);
    }
  }
  // Nothing is written before the driver has checked what it can.
  OCNE_TRY(driver.preflight(existing));
  if (fresh) {
    ClusterRecord record;
    record.name = request.name;
    record.config_yaml = request.config_yaml;
    record.kubeconfig = driver.kubeconfigs().host.string();
    record.state[std::string(k_state_provider)] = request.provider;
    record.state[std::string(k_state_kubernetes_version)] = request.kubernetes_version;
    record.state[std::string(k_state_phase)] = to_string(Phase::creating);
    OCNE_TRY(ClusterCache::update(state, [&](ClusterCache& c) { return c.add(record); }));
  } else if (const auto phase = phase_of(*existing); phase == Phase::creating || phase == Phase::failed) {
    log::debug("cluster {}: continuing a start left {}", request.name, to_string(phase));
    OCNE_TRY(ClusterCache::update(state, [&](ClusterCache& c) -> Status {
      if (auto* record = c.find(request.name)) {
        record->state[std::string(k_state_phase)] = to_string(Phase::creating);
      }
      return Status{};
    }));
  }

  CacheTracker tracker(state, request.name);
  StartContext ctx{ request.name, tracker, progress };
  auto result = driver.start(ctx);
  if (result) {
    if (fresh || phase_of(tracker.snapshot()) != Phase::running) {
      OCNE_TRY(tracker.set_state(k_state_phase, to_string(Phase::running)));
    }
    OCNE_TRY(tracker.set_kubeconfig(result->kubeconfigs.host.string()));
    return result;
  }
  Error error = result.error();
  if (request.resumable) {
    // Nothing is rolled back: the next start continues from the record,
    // unless there is nothing in it but the entry itself.
    const auto snapshot = tracker.snapshot();
    const bool nothing_done =
      fresh && snapshot.resources.empty() &&
      std::all_of(snapshot.state.begin(), snapshot.state.end(), [](const auto& kv) {
        return kv.first == k_state_phase || kv.first == k_state_provider || kv.first == k_state_kubernetes_version;
      });
    if (nothing_done) {
      (void)ClusterCache::update(state, [&](ClusterCache& c) -> Status {
        c.remove(request.name);
        return {};
      });
      return tl::unexpected(std::move(error));
    }
    (void)tracker.set_state(k_state_phase, to_string(Phase::failed));
    return tl::unexpected(Error(error.kind(),
                                fmt::format("{}; what was done is recorded: run the same 'ocne cluster "
                                            "start' again to continue, or 'ocne cluster delete -C {}' to "
                                            "remove the cluster",
                                            error.message(),
                                            request.name)));
  }
  if (!fresh) {
    return tl::unexpected(std::move(error));
  }
  const bool keep = request.keep_on_failure || (error.kind() == ErrorKind::timeout && !request.disposable);
  if (!keep) {
    log::info("Removing what the failed start of cluster {} created", request.name);
    DeleteContext del{ request.name, tracker.snapshot(), tracker, progress };
    if (auto undone = driver.destroy(del); undone) {
      auto removed = ClusterCache::update(state, [&](ClusterCache& c) -> Status {
        c.remove(request.name);
        return {};
      });
      if (removed) {
        return tl::unexpected(std::move(error));
      }
    } else {
      log::warn("could not remove everything the failed start created: {}", undone.error().message());
    }
  }
  (void)tracker.set_state(k_state_phase, to_string(Phase::failed));
  return tl::unexpected(Error(error.kind(),
                              fmt::format("{}; what was created is kept and recorded: 'ocne cluster "
                                          "delete -C {}' removes it",
                                          error.message(),
                                          request.name)));
}

Result<DeleteResult>
delete_cluster(Driver& driver, const DeleteRequest& request, const StateDir& state, ProgressSink& progress)
{
  if (request.name.empty()) {
    return make_error(ErrorKind::invalid_input, "the cluster needs a name");
  }
  OCNE_TRY_ASSIGN(auto lock, lock_cluster(state, request.name, request.lock_timeout));
  OCNE_TRY_ASSIGN(auto cache, ClusterCache::load(state.clusters_file()));
  DeleteResult out;
  ClusterRecord record;
  if (const auto* existing = cache.find(request.name)) {
    out.was_cached = true;
    record = *existing;
  } else {
    record.name = request.name;
  }
  std::unique_ptr<ResourceTracker> tracker;
  if (out.was_cached) {
    tracker = std::make_unique<CacheTracker>(state, request.name);
    OCNE_TRY(tracker->set_state(k_state_phase, to_string(Phase::deleting)));
  } else {
    tracker = std::make_unique<MemoryTracker>(record);
  }
  DeleteContext ctx{ request.name, record, *tracker, progress };
  if (auto destroyed = driver.destroy(ctx); !destroyed) {
    // Phase "deleting" stays: a start refuses the cluster until a delete
    // finishes (a resumable start would otherwise take it for running).
    return tl::unexpected(destroyed.error());
  }
  if (out.was_cached) {
    OCNE_TRY(ClusterCache::update(state, [&](ClusterCache& c) -> Status {
      c.remove(request.name);
      return {};
    }));
  }
  return out;
}

} // namespace ocne::cluster
