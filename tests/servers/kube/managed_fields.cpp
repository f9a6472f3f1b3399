#include "tests/servers/kube/managed_fields.hpp"

#include <algorithm>
#include <map>

namespace ocne::test::kube {

bool
ManagedEntry::same_identity(const std::string& m,
                            const std::string& op,
                            const std::string& sub,
                            const std::string& av) const
{
  return manager == m && operation == op && subresource == sub && (op != "Update" || api_version == av);
}

std::vector<ManagedEntry>
decode_managed_fields(const Json& managed_fields)
{
  std::vector<ManagedEntry> out;
  if (!managed_fields.is_array()) {
    return out;
  }
  for (const auto& e : managed_fields) {
    if (!e.is_object()) {
      continue;
    }
    ManagedEntry m;
    m.manager = string_at(e, "manager");
    m.operation = string_at(e, "operation");
    m.api_version = string_at(e, "apiVersion");
    m.time = string_at(e, "time");
    m.subresource = string_at(e, "subresource");
    if (const Json* f = child(e, "fieldsV1"); f != nullptr) {
      try {
        m.set = FieldSet::from_fields_v1(*f);
      } catch (const std::invalid_argument&) {
        continue;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Json
encode_managed_fields(std::vector<ManagedEntry> entries)
{
  std::stable_sort(entries.begin(), entries.end(), [](const ManagedEntry& a, const ManagedEntry& b) {
    if (a.operation != b.operation) {
      return a.operation < b.operation;
    }
    if (a.time != b.time) {
      return a.time < b.time;
    }
    return a.manager < b.manager;
  });
  Json out = Json::array();
  for (const auto& e : entries) {
    if (e.set.empty()) {
      continue;
    }
    Json j = { { "manager", e.manager }, { "operation", e.operation }, { "apiVersion", e.api_version },
               { "time", e.time },       { "fieldsType", "FieldsV1" }, { "fieldsV1", e.set.to_fields_v1() } };
    if (!e.subresource.empty()) {
      j["subresource"] = e.subresource;
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::string
manager_from_user_agent(const std::string& user_agent)
{
  std::string m = user_agent.substr(0, user_agent.find('/'));
  if (m.size() > 128) {
    m.resize(128);
  }
  return m;
}

namespace {

// Fields the API server never tracks, and status or spec depending on
// which subresource is written.
FieldSet
strip(FieldSet set, const FieldScope& scope)
{
  set.member = false;
  set.children.erase("f:apiVersion");
  set.children.erase("f:kind");
  if (const auto it = set.children.find("f:metadata"); it != set.children.end()) {
    it->second.member = false;
    for (const char* f : { "f:name",
                           "f:namespace",
                           "f:uid",
                           "f:resourceVersion",
                           "f:generation",
                           "f:creationTimestamp",
                           "f:deletionTimestamp",
                           "f:deletionGracePeriodSeconds",
                           "f:managedFields",
                           "f:selfLink" }) {
      it->second.children.erase(f);
    }
    if (it->second.empty()) {
      set.children.erase(it);
    }
  }
  if (scope.subresource == "status") {
    FieldSet only;
    if (const auto it = set.children.find("f:status"); it != set.children.end()) {
      only.children.emplace("f:status", it->second);
    }
    return only;
  }
  if (scope.status_subresource) {
    set.children.erase("f:status");
  }
  return set;
}

Json
without_managed_fields(const Json& obj)
{
  Json out = obj;
  if (Json* meta = child(out, "metadata"); meta != nullptr && meta->is_object()) {
    meta->erase("managedFields");
  }
  return out;
}

bool
is_reset(const Json* managed)
{
  return managed != nullptr && managed->is_array() && managed->size() == 1 && (*managed)[0].is_object() &&
         (*managed)[0].empty();
}

// The managers to start from: the request's when it sets them explicitly
// (and not for a subresource), otherwise the live object's.
std::vector<ManagedEntry>
starting_entries(const Json* live, const Json& incoming, const FieldScope& scope)
{
  const Json* live_meta = live != nullptr ? child(*live, "metadata") : nullptr;
  const Json* live_managed = live_meta != nullptr ? child(*live_meta, "managedFields") : nullptr;
  auto from_live = [&] {
    return live_managed != nullptr ? decode_managed_fields(*live_managed) : std::vector<ManagedEntry>{};
  };
  if (!scope.subresource.empty()) {
    return from_live();
  }
  const Json* meta = child(incoming, "metadata");
  const Json* managed = meta != nullptr ? child(*meta, "managedFields") : nullptr;
  if (is_reset(managed)) {
    return {};
  }
  if (managed != nullptr) {
    auto entries = decode_managed_fields(*managed);
    if (!entries.empty()) {
      return entries;
    }
  }
  return from_live();
}

void
set_entry(std::vector<ManagedEntry>& entries, ManagedEntry entry)
{
  for (auto& e : entries) {
    if (e.same_identity(entry.manager, entry.operation, entry.subresource, entry.api_version)) {
      // The time moves only when what the manager owns changes.
      if (e.set == entry.set && e.api_version == entry.api_version) {
        entry.time = e.time;
      }
      e = std::move(entry);
      return;
    }
  }
  entries.push_back(std::move(entry));
}

void
drop_empty(std::vector<ManagedEntry>& entries)
{
  entries.erase(std::remove_if(entries.begin(), entries.end(), [](const ManagedEntry& e) { return e.set.empty(); }),
                entries.end());
}

std::string
print_manager(const ManagedEntry& e)
{
  std::string s = go_quote(e.manager);
  if (!e.subresource.empty()) {
    s += " with subresource " + go_quote(e.subresource);
  }
  if (e.operation == "Update") {
    s += " using " + e.api_version;
  }
  return s;
}

ApiError
conflict_error(const std::vector<std::pair<const ManagedEntry*, FieldSet>>& conflicts)
{
  std::size_t total = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> by_manager;
  for (const auto& [entry, set] : conflicts) {
    auto paths = set.paths();
    total += paths.size();
    by_manager.emplace_back(print_manager(*entry), std::move(paths));
  }
  std::sort(by_manager.begin(), by_manager.end());
  std::string message;
  if (total == 1) {
    message = "Apply failed with 1 conflict: conflict with " + by_manager[0].first + ": " + by_manager[0].second[0];
  } else {
    message = "Apply failed with " + std::to_string(total) + " conflicts: ";
    bool first = true;
    for (const auto& [manager, paths] : by_manager) {
      message += (first ? "" : "\n") + std::string("conflicts with ") + manager + ":";
      first = false;
      for (const auto& p : paths) {
        message += "\n- " + p;
      }
    }
  }
  ApiError err(409, "Conflict", message);
  for (const auto& [manager, paths] : by_manager) {
    for (const auto& p : paths) {
      err.with_cause("FieldManagerConflict", "conflict with " + manager, p);
    }
  }
  return err;
}

} // namespace

void
record_update(const Json* live,
              Json& updated,
              const std::string& manager,
              const std::string& api_version,
              const FieldScope& scope,
              const std::string& now)
{
  auto entries = starting_entries(live, updated, scope);
  const Json live_clean = live != nullptr ? without_managed_fields(*live) : Json::object();
  const Json new_clean = without_managed_fields(updated);
  const Comparison cmp = compare(live_clean, new_clean, scope.schema);
  const FieldSet changed = strip(cmp.modified.united(cmp.added), scope);
  const FieldSet removed = strip(cmp.removed, scope);
  ManagedEntry mine;
  mine.manager = manager;
  mine.operation = "Update";
  mine.api_version = api_version;
  mine.subresource = scope.subresource;
  mine.time = now;
  for (auto& e : entries) {
    if (e.same_identity(manager, "Update", scope.subresource, api_version)) {
      mine.set = e.set;
      continue;
    }
    e.set = e.set.minus(changed).minus(removed);
  }
  mine.set = mine.set.united(changed).minus(removed);
  set_entry(entries, std::move(mine));
  drop_empty(entries);
  Json& meta = updated["metadata"];
  Json encoded = encode_managed_fields(std::move(entries));
  if (encoded.empty()) {
    meta.erase("managedFields");
  } else {
    meta["managedFields"] = std::move(encoded);
  }
}

Json
server_side_apply(const Json* live,
                  const Json& config,
                  const std::string& manager,
                  bool force,
                  const std::string& api_version,
                  const FieldScope& scope,
                  const std::string& now)
{
  auto entries = starting_entries(live, Json::object(), scope);
  const Json live_clean = live != nullptr ? without_managed_fields(*live) : Json::object();
  Json config_clean = without_managed_fields(config);
  if (scope.subresource == "status") {
    Json only = Json::object();
    for (const char* k : { "apiVersion", "kind", "metadata", "status" }) {
      if (const Json* v = child(config_clean, k)) {
        only[k] = *v;
      }
    }
    config_clean = std::move(only);
  } else if (scope.status_subresource) {
    config_clean.erase("status");
  }
  Json merged = merge(live_clean, config_clean, scope.schema);
  const FieldSet new_set = strip(to_field_set(config_clean, scope.schema), scope);

  FieldSet last_set;
  FieldSet other_appliers;
  for (const auto& e : entries) {
    if (e.same_identity(manager, "Apply", scope.subresource, api_version)) {
      last_set = e.set;
    } else if (e.operation == "Apply") {
      other_appliers = other_appliers.united(e.set);
    }
  }
  // Prune what this manager applied last time and no applier sets now.
  const FieldSet prune = last_set.minus(new_set).minus(other_appliers);
  if (!prune.empty()) {
    remove_items(merged, prune, scope.schema);
  }

  const Comparison cmp = compare(live_clean, merged, scope.schema);
  const FieldSet changed = strip(cmp.modified.united(cmp.added), scope);
  const FieldSet removed = strip(cmp.removed, scope);
  std::vector<std::pair<const ManagedEntry*, FieldSet>> conflicts;
  for (const auto& e : entries) {
    if (e.same_identity(manager, "Apply", scope.subresource, api_version)) {
      continue;
    }
    FieldSet c = e.set.intersected(changed);
    if (!c.empty()) {
      conflicts.emplace_back(&e, std::move(c));
    }
  }
  if (!conflicts.empty() && !force) {
    throw conflict_error(conflicts);
  }
  for (auto& e : entries) {
    if (e.same_identity(manager, "Apply", scope.subresource, api_version)) {
      continue;
    }
    e.set = e.set.minus(changed.intersected(e.set)).minus(removed);
  }
  ManagedEntry mine;
  mine.manager = manager;
  mine.operation = "Apply";
  mine.api_version = api_version;
  mine.subresource = scope.subresource;
  mine.time = now;
  mine.set = new_set;
  set_entry(entries, std::move(mine));
  drop_empty(entries);
  Json encoded = encode_managed_fields(std::move(entries));
  if (!merged.contains("metadata") || !merged["metadata"].is_object()) {
    merged["metadata"] = Json::object();
  }
  if (encoded.empty()) {
    merged["metadata"].erase("managedFields");
  } else {
    merged["metadata"]["managedFields"] = std::move(encoded);
  }
  return merged;
}

} // namespace ocne::test::kube
