#pragma once

// metadata.managedFields: who owns which fields. Updates (create, PUT,
// non-apply patches) record what a manager changed; server-side apply merges
// an applied configuration, prunes what the applier no longer sets, and
// reports conflicts with other managers (409, as kubectl expects them).

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/field_set.hpp"

#include <string>
#include <vector>

namespace ocne::test::kube {

struct ManagedEntry
{
  std::string manager;
  std::string operation; // Apply or Update
  std::string api_version;
  std::string time;
  std::string subresource;
  FieldSet set;

  // Entries with the same identity are one manager (apiVersion counts for Update only).
  bool same_identity(const std::string& m, const std::string& op, const std::string& sub, const std::string& av) const;
};

// Where the write goes, which decides the fields that are tracked.
struct FieldScope
{
  const Schema* schema = nullptr;
  std::string subresource;         // "" or "status"
  bool status_subresource = false; // the type has a status subresource
};

std::vector<ManagedEntry> decode_managed_fields(const Json& managed_fields);
// Sorted like kube-apiserver: Apply before Update, then time, then manager.
Json encode_managed_fields(std::vector<ManagedEntry> entries);

// The field manager name the API server derives from a User-Agent
// ("kubectl/v1.32.4 (linux/amd64) ..." -> "kubectl").
std::string manager_from_user_agent(const std::string& user_agent);

// Records an update by manager from live to updated (updated gets the new
// metadata.managedFields). live is null for a create.
void record_update(const Json* live,
                   Json& updated,
                   const std::string& manager,
                   const std::string& api_version,
                   const FieldScope& scope,
                   const std::string& now);

// Server-side apply of config onto live (null to create). Returns the
// merged object with metadata.managedFields set. Throws a 409 ApiError
// listing the conflicts unless force is set.
Json server_side_apply(const Json* live,
                       const Json& config,
                       const std::string& manager,
                       bool force,
                       const std::string& api_version,
                       const FieldScope& scope,
                       const std::string& now);

} // namespace ocne::test::kube
