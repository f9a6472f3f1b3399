#pragma once

// Where a driver records every object it creates, as it creates it, so that a
// failed or interrupted start leaves a record `ocne cluster delete` can act
// on, and delete removes exactly what ocne made and nothing else.

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/state_dir.hpp"

#include <mutex>
#include <string>
#include <string_view>

namespace ocne::cluster {

class ResourceTracker
{
public:
  virtual ~ResourceTracker() = default;
  // Records an object; call it before creating the object (with what is
  // known: kind and name) so a crash in between errs towards cleaning up.
  virtual Status add(TrackedResource resource) = 0;
  // Sets the id of a recorded object (the UUID libvirt gave a domain).
  virtual Status set_id(std::string_view provider,
                        std::string_view kind,
                        std::string_view name,
                        std::string_view id) = 0;
  // Forgets an object once it is deleted.
  virtual Status remove(std::string_view provider, std::string_view kind, std::string_view name) = 0;
  virtual Status set_state(std::string_view key, std::string_view value) = 0;
  virtual Status set_kubeconfig(std::string_view path) = 0;
  // The record as it is now.
  virtual ClusterRecord snapshot() const = 0;
};

// Applies the changes to a ClusterRecord (shared by both trackers).
void apply_add(ClusterRecord& record, TrackedResource resource);
void apply_set_id(ClusterRecord& record,
                  std::string_view provider,
                  std::string_view kind,
                  std::string_view name,
                  std::string_view id);
void apply_remove(ClusterRecord& record, std::string_view provider, std::string_view kind, std::string_view name);

// Saves every change to the cluster cache at once (under the state lock).
class CacheTracker final : public ResourceTracker
{
public:
  // The record must exist in the cache (start_cluster creates it).
  CacheTracker(StateDir state, std::string cluster_name);

  Status add(TrackedResource resource) override;
  Status set_id(std::string_view provider, std::string_view kind, std::string_view name, std::string_view id) override;
  Status remove(std::string_view provider, std::string_view kind, std::string_view name) override;
  Status set_state(std::string_view key, std::string_view value) override;
  Status set_kubeconfig(std::string_view path) override;
  ClusterRecord snapshot() const override;

private:
  Status change(const std::function<void(ClusterRecord&)>& mutate);

  StateDir m_state;
  std::string m_name;
  mutable std::mutex m_mutex;
  ClusterRecord m_record;
};

// Keeps the record in memory only (tests, benchmarks).
class MemoryTracker final : public ResourceTracker
{
public:
  explicit MemoryTracker(std::string cluster_name);
  explicit MemoryTracker(ClusterRecord record);

  Status add(TrackedResource resource) override;
  Status set_id(std::string_view provider, std::string_view kind, std::string_view name, std::string_view id) override;
  Status remove(std::string_view provider, std::string_view kind, std::string_view name) override;
  Status set_state(std::string_view key, std::string_view value) override;
  Status set_kubeconfig(std::string_view path) override;
  ClusterRecord snapshot() const override;

private:
  mutable std::mutex m_mutex;
  ClusterRecord m_record;
};

} // namespace ocne::cluster
