#include "pkg/cluster/tracker.hpp"

#include <algorithm>

namespace ocne::cluster {

namespace {

bool
matches(const TrackedResource& r, std::string_view provider, std::string_view kind, std::string_view name)
{
  return r.provider == provider && r.kind == kind && r.name == name;
}

} // namespace

void
apply_add(ClusterRecord& record, TrackedResource resource)
{
  for (auto& existing : record.resources) {
    if (matches(existing, resource.provider, resource.kind, resource.name)) {
      if (!resource.id.empty()) {
        existing.id = resource.id;
      }
      return;
    }
  }
  record.resources.push_back(std::move(resource));
}

void
apply_set_id(ClusterRecord& record,
             std::string_view provider,
             std::string_view kind,
             std::string_view name,
             std::string_view id)
{
  for (auto& existing : record.resources) {
    if (matches(existing, provider, kind, name)) {
      existing.id = std::string(id);
      return;
    }
  }
  record.resources.push_back({ std::string(provider), std::string(kind), std::string(id), std::string(name) });
}

void
apply_remove(ClusterRecord& record, std::string_view provider, std::string_view kind, std::string_view name)
{
  auto& list = record.resources;
  list.erase(std::remove_if(
               list.begin(), list.end(), [&](const TrackedResource& r) { return matches(r, provider, kind, name); }),
             list.end());
}

CacheTracker::CacheTracker(StateDir state, std::string cluster_name)
  : m_state(std::move(state)), m_name(std::move(cluster_name))
{
  m_record.name = m_name;
  if (auto cache = ClusterCache::load(m_state.clusters_file()); cache) {
    if (const auto* found = cache->find(m_name)) {
      m_record = *found;
    }
  }
}

Status
CacheTracker::change(const std::function<void(ClusterRecord&)>& mutate)
{
  std::lock_guard lock(m_mutex);
  ClusterRecord updated;
  OCNE_TRY(ClusterCache::update(m_state, [&](ClusterCache& cache) -> Status {
    ClusterRecord* record = cache.find(m_name);
    if (record == nullptr) {
      // Someone removed the entry under us; recreate it from our copy so
      // nothing we created goes untracked.
      cache.put(m_record);
      record = cache.find(m_name);
    }
    mutate(*record);
    updated = *record;
    return {};
  }));
  m_record = std::move(updated);
  return {};
}

Status
CacheTracker::add(TrackedResource resource)
{
  return change([&](ClusterRecord& r) { apply_add(r, resource); });
}

Status
CacheTracker::set_id(std::string_view provider, std::string_view kind, std::string_view name, std::string_view id)
{
  return change([&](ClusterRecord& r) { apply_set_id(r, provider, kind, name, id); });
}

Status
CacheTracker::remove(std::string_view provider, std::string_view kind, std::string_view name)
{
  return change([&](ClusterRecord& r) { apply_remove(r, provider, kind, name); });
}

Status
CacheTracker::set_state(std::string_view key, std::string_view value)
{
  return change([&](ClusterRecord& r) { r.state[std::string(key)] = std::string(value); });
}

Status
CacheTracker::set_kubeconfig(std::string_view path)
{
  return change([&](ClusterRecord& r) { r.kubeconfig = std::string(path); });
}

ClusterRecord
CacheTracker::snapshot() const
{
  std::lock_guard lock(m_mutex);
  return m_record;
}

MemoryTracker::MemoryTracker(std::string cluster_name)
{
  m_record.name = std::move(cluster_name);
}

MemoryTracker::MemoryTracker(ClusterRecord record) : m_record(std::move(record))
{
}

Status
MemoryTracker::add(TrackedResource resource)
{
  std::lock_guard lock(m_mutex);
  apply_add(m_record, std::move(resource));
  return {};
}

Status
MemoryTracker::set_id(std::string_view provider, std::string_view kind, std::string_view name, std::string_view id)
{
  std::lock_guard lock(m_mutex);
  apply_set_id(m_record, provider, kind, name, id);
  return {};
}

Status
MemoryTracker::remove(std::string_view provider, std::string_view kind, std::string_view name)
{
  std::lock_guard lock(m_mutex);
  apply_remove(m_record, provider, kind, name);
  return {};
}

Status
MemoryTracker::set_state(std::string_view key, std::string_view value)
{
  std::lock_guard lock(m_mutex);
  m_record.state[std::string(key)] = std::string(value);
  return {};
}

Status
MemoryTracker::set_kubeconfig(std::string_view path)
{
  std::lock_guard lock(m_mutex);
  m_record.kubeconfig = std::string(path);
  return {};
}

ClusterRecord
MemoryTracker::snapshot() const
{
  std::lock_guard lock(m_mutex);
  return m_record;
}

} // namespace ocne::cluster
