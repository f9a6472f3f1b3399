#pragma once

// The cluster cache, ~/.ocne/clusters.yaml: every cluster ocne started, with
// its full configuration and kubeconfig path (ocne's format), plus what we
// track beyond ocne: the cloud and local objects a start created, so delete
// can remove exactly those, and step markers that make work resumable.
//
//   clusters:
//     <name>:
//       config: {...}          # the resolved cluster configuration
//       kubeconfig: <path>
//       resources: [{provider, kind, id, name}]
//       state: {<key>: <value>}

#include "pkg/core/error.hpp"
#include "pkg/core/state_dir.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ocne {

struct TrackedResource
{
  std::string provider; // "libvirt", "oci", "oxide", "local"
  std::string kind;     // "domain", "volume", "image", "disk", "file", ...
  std::string id;       // OCID, UUID, path or libvirt name
  std::string name;     // human-readable name, may equal id

  bool operator==(const TrackedResource&) const = default;
};

struct ClusterRecord
{
  std::string name;
  std::string kubeconfig;
  // The configuration as a YAML mapping (pkg/config reads and writes it).
  std::string config_yaml;
  std::vector<TrackedResource> resources;
  std::map<std::string, std::string> state;
};

class ClusterCache
{
public:
  // Loads the cache; a missing file is an empty cache.
  static Result<ClusterCache> load(const std::filesystem::path& file);

  // Loads, applies change and saves, all under the state lock, so concurrent
  // runs never lose each other's updates.
  static Status update(const StateDir& dir, const std::function<Status(ClusterCache&)>& change);

  const std::map<std::string, ClusterRecord>&
  clusters() const
  {
    return m_clusters;
  }
  const ClusterRecord* find(std::string_view name) const;
  ClusterRecord* find(std::string_view name);

  // Adds a new cluster; fails if the name is taken.
  Status add(ClusterRecord record);
  // Adds or replaces.
  void put(ClusterRecord record);
  // Removes; returns whether it was there.
  bool remove(std::string_view name);

  // Writes the cache atomically with mode 0600.
  Status save() const;

  // One entry as YAML, as it appears under its name in the file.
  static Result<std::string> record_yaml(const ClusterRecord& record);

  const std::filesystem::path&
  file() const
  {
    return m_file;
  }

private:
  std::filesystem::path m_file;
  std::map<std::string, ClusterRecord> m_clusters;
};

} // namespace ocne
