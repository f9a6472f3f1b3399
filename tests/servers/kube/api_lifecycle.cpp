// The controllers a real cluster runs next to the API server, done in
// process right after each write: deletion with finalizers and
// deletionTimestamp, the garbage collector (background, foreground and
// orphan propagation), namespace cleanup, and CRD establishment and cleanup.

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/crd.hpp"

#include <algorithm>
#include <iostream>

namespace ocne::test::kube {

namespace {

constexpr const char* k_crd_cleanup = "customresourcecleanup.apiextensions.k8s.io";

std::vector<std::string>
finalizers(const Json& obj)
{
  std::vector<std::string> out;
  if (const Json* f = child(obj["metadata"], "finalizers"); f != nullptr && f->is_array()) {
    for (const auto& v : *f) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

void
set_finalizers(Json& obj, const std::vector<std::string>& list)
{
  if (list.empty()) {
    obj["metadata"].erase("finalizers");
  } else {
    obj["metadata"]["finalizers"] = list;
  }
}

bool
has(const std::vector<std::string>& list, const std::string& item)
{
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool
deleting(const Json& obj)
{
  return child(obj["metadata"], "deletionTimestamp") != nullptr;
}

std::vector<std::string>
namespace_finalizers(const Json& ns)
{
  std::vector<std::string> out;
  if (const Json* spec = child(ns, "spec"); spec != nullptr) {
    if (const Json* f = child(*spec, "finalizers"); f != nullptr && f->is_array()) {
      for (const auto& v : *f) {
        if (v.is_string()) {
          out.push_back(v.get<std::string>());
        }
      }
    }
  }
  return out;
}

ObjectKey
key_of(const ResourceType& t, const Json& obj)
{
  const Json& meta = obj["metadata"];
  return { t.group, t.plural, t.namespaced ? string_at(meta, "namespace") : "", string_at(meta, "name") };
}

void
set_condition_in(Json& obj,
                 const std::string& type,
                 const std::string& status,
                 const std::string& reason,
                 const std::string& message,
                 const std::string& now)
{
  Json& conds = obj["status"]["conditions"];
  if (!conds.is_array()) {
    conds = Json::array();
  }
  for (auto& c : conds) {
    if (string_at(c, "type") == type) {
      if (string_at(c, "status") != status) {
        c["lastTransitionTime"] = now;
      }
      c["status"] = status;
      c["reason"] = reason;
      c["message"] = message;
      return;
    }
  }
  conds.push_back({ { "type", type },
                    { "status", status },
                    { "lastTransitionTime", now },
                    { "reason", reason },
                    { "message", message } });
}

} // namespace

ObjectPtr
ApiServer::begin_deletion(const ResourceType& type, const ObjectKey& key, const std::string& policy)
{
  const ObjectPtr old = find(key);
  if (!old) {
    return nullptr;
  }
  if (deleting(*old)) {
    return old;
  }
  auto fins = finalizers(*old);
  if (policy == "Orphan" && !has(fins, "orphan")) {
    fins.push_back("orphan");
  }
  if (policy == "Foreground" && !has(fins, "foregroundDeletion")) {
    fins.push_back("foregroundDeletion");
  }
  const bool is_namespace = type.group.empty() && type.plural == "namespaces";
  if (fins.empty() && !(is_namespace && !namespace_finalizers(*old).empty())) {
    auto final_state = remove_now(type, key);
    if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions") {
      crd_removed(*final_state);
    }
    return final_state;
  }
  Json updated = *old;
  set_finalizers(updated, fins);
  updated["metadata"]["deletionTimestamp"] = now();
  updated["metadata"]["deletionGracePeriodSeconds"] = 0;
  if (type.has_generation) {
    updated["metadata"]["generation"] = updated["metadata"].value("generation", 0) + 1;
  }
  if (is_namespace) {
    updated["status"]["phase"] = "Terminating";
  }
  if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions") {
    set_condition_in(
      updated, "Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress", now());
  }
  return commit(type, key, std::move(updated), "MODIFIED");
}

void
ApiServer::settle()
{
  for (int i = 0; i < 1000 && settle_once(); ++i) {
  }
}

bool
ApiServer::settle_once()
{
  // Index every object by uid, and collect who is being deleted and who has owners.
  struct Entry
  {
    ResourceTypePtr type;
    ObjectPtr obj;
  };
  std::map<std::string, Entry> by_uid;
  std::vector<Entry> being_deleted;
  std::vector<Entry> owned;
  for (const auto& [bucket, objects] : m_objects) {
    const auto type = type_by_plural(bucket.first, bucket.second);
    if (!type) {
      continue;
    }
    for (const auto& [k, obj] : objects) {
      const Json& meta = (*obj)["metadata"];
      by_uid[string_at(meta, "uid")] = { type, obj };
      if (deleting(*obj)) {
        being_deleted.push_back({ type, obj });
      }
      if (const Json* refs = child(meta, "ownerReferences"); refs != nullptr && refs->is_array() && !refs->empty()) {
        owned.push_back({ type, obj });
      }
    }
  }
  auto dependents_of = [&](const std::string& uid) {
    std::vector<Entry> out;
    for (const auto& e : owned) {
      for (const auto& ref : (*e.obj)["metadata"]["ownerReferences"]) {
        if (string_at(ref, "uid") == uid) {
          out.push_back(e);
          break;
        }
      }
    }
    return out;
  };

  for (const auto& e : being_deleted) {
    const ResourceType& t = *e.type;
    const Json& obj = *e.obj;
    const ObjectKey key = key_of(t, obj);
    const std::string uid = string_at(obj["metadata"], "uid");
    auto fins = finalizers(obj);
    if (has(fins, "orphan")) {
      for (const auto& d : dependents_of(uid)) {
        Json updated = *d.obj;
        Json refs = Json::array();
        for (const auto& ref : updated["metadata"]["ownerReferences"]) {
          if (string_at(ref, "uid") != uid) {
            refs.push_back(ref);
          }
        }
        if (refs.empty()) {
          updated["metadata"].erase("ownerReferences");
        } else {
          updated["metadata"]["ownerReferences"] = refs;
        }
        const ObjectKey dkey = key_of(*d.type, updated); // before updated is moved
        commit(*d.type, dkey, std::move(updated), "MODIFIED");
      }
      Json updated = obj;
      std::erase(fins, "orphan");
      set_finalizers(updated, fins);
      commit(t, key, std::move(updated), "MODIFIED");
      return true;
    }
    if (has(fins, "foregroundDeletion")) {
      bool blocked = false;
      for (const auto& d : dependents_of(uid)) {
        if (!deleting(*d.obj)) {
          begin_deletion(*d.type, key_of(*d.type, *d.obj), "Foreground");
          return true;
        }
        for (const auto& ref : (*d.obj)["metadata"]["ownerReferences"]) {
          if (string_at(ref, "uid") == uid && ref.value("blockOwnerDeletion", false)) {
            blocked = true;
          }
        }
      }
      if (!blocked) {
        Json updated = obj;
        std::erase(fins, "foregroundDeletion");
        set_finalizers(updated, fins);
        commit(t, key, std::move(updated), "MODIFIED");
        return true;
      }
      continue;
    }
    if (t.group.empty() && t.plural == "namespaces") {
      auto spec_fins = namespace_finalizers(obj);
      if (has(spec_fins, "kubernetes")) {
        bool any = false;
        for (const auto& [bucket, objects] : m_objects) {
          const auto type = type_by_plural(bucket.first, bucket.second);
          if (!type || !type->namespaced) {
            continue;
          }
          for (const auto& [k, o] : objects) {
            if (k.first != key.name) {
              continue;
            }
            any = true;
            if (!deleting(*o)) {
              begin_deletion(*type, key_of(*type, *o), "Background");
              return true;
            }
          }
        }
        if (!any) {
          Json updated = obj;
          std::erase(spec_fins, "kubernetes");
          updated["spec"]["finalizers"] = spec_fins;
          commit(t, key, std::move(updated), "MODIFIED");
          return true;
        }
        continue;
      }
      if (fins.empty() && spec_fins.empty()) {
        remove_now(t, key);
        return true;
      }
      continue;
    }
    if (t.group == "apiextensions.k8s.io" && t.plural == "customresourcedefinitions" && has(fins, k_crd_cleanup)) {
      const std::string group = string_at(obj["spec"], "group");
      const std::string plural = obj["spec"].contains("names") ? string_at(obj["spec"]["names"], "plural") : "";
      const auto served = type_by_plural(group, plural);
      bool any = false;
      if (served && served->crd_name == key.name) {
        if (const auto bucket = m_objects.find({ group, plural }); bucket != m_objects.end()) {
          for (const auto& [k, o] : bucket->second) {
            any = true;
            if (!deleting(*o)) {
              begin_deletion(*served, key_of(*served, *o), "Background");
              return true;
            }
          }
        }
      }
      if (!any) {
        Json updated = obj;
        std::erase(fins, std::string(k_crd_cleanup));
        set_finalizers(updated, fins);
        commit(t, key, std::move(updated), "MODIFIED");
        return true;
      }
      continue;
    }
    if (fins.empty()) {
      auto final_state = remove_now(t, key);
      if (t.group == "apiextensions.k8s.io" && t.plural == "customresourcedefinitions") {
        crd_removed(*final_state);
      }
      return true;
    }
  }

  // Garbage collection: dependents whose owners are all gone are deleted;
  // references to owners that are gone are dropped when another owner lives.
  for (const auto& e : owned) {
    if (deleting(*e.obj)) {
      continue;
    }
    const Json& meta = (*e.obj)["metadata"];
    const std::string ns = string_at(meta, "namespace");
    int solid = 0;
    std::vector<std::string> dangling;
    for (const auto& ref : meta["ownerReferences"]) {
      const std::string uid = string_at(ref, "uid");
      const std::string av = string_at(ref, "apiVersion");
      const std::string group = av.find('/') == std::string::npos ? "" : av.substr(0, av.find('/'));
      const auto owner_type = type_by_kind(group, string_at(ref, "kind"));
      if (!owner_type || (owner_type->namespaced && ns.empty())) {
        // A kind this server does not know cannot be checked, and a
        // cluster-scoped dependent cannot have a namespaced owner: the
        // reference is unresolvable and the dependent is kept.
        ++solid;
        continue;
      }
      const auto it = by_uid.find(uid);
      const bool exists = it != by_uid.end() && it->second.type == owner_type &&
                          (!owner_type->namespaced || string_at((*it->second.obj)["metadata"], "namespace") == ns);
      if (exists) {
        ++solid;
      } else {
        dangling.push_back(uid);
      }
    }
    if (dangling.empty()) {
      continue;
    }
    if (solid == 0) {
      begin_deletion(*e.type, key_of(*e.type, *e.obj), "Background");
      return true;
    }
    Json updated = *e.obj;
    Json refs = Json::array();
    for (const auto& ref : meta["ownerReferences"]) {
      if (std::find(dangling.begin(), dangling.end(), string_at(ref, "uid")) == dangling.end()) {
        refs.push_back(ref);
      }
    }
    updated["metadata"]["ownerReferences"] = refs;
    const ObjectKey dkey = key_of(*e.type, updated); // before updated is moved
    commit(*e.type, dkey, std::move(updated), "MODIFIED");
    return true;
  }
  return false;
}

void
ApiServer::crd_changed(const Json& crd)
{
  const std::string name = string_at(crd["metadata"], "name");
  bool established = false;
  bool accepted = false;
  if (const Json* st = child(crd, "status"); st != nullptr && st->contains("conditions")) {
    for (const auto& c : (*st)["conditions"]) {
      const bool ok = string_at(c, "status") == "True";
      established = established || (string_at(c, "type") == "Established" && ok);
      accepted = accepted || (string_at(c, "type") == "NamesAccepted" && ok);
    }
  }
  if (!accepted) {
    return;
  }
  if (!established) {
    schedule(m_options.crd_establish_delay, [this, name] { establish_crd(name); });
    return;
  }
  // A change that leaves what is served as it was (a caBundle injected, a
  // label) keeps the compiled type: compiling big schemas is slow.
  Json shape = crd.contains("spec") ? crd["spec"] : Json::object();
  shape.erase("conversion");
  if (const auto known = m_crd_shapes.find(name); known != m_crd_shapes.end() && known->second == shape) {
    const auto served =
      type_by_plural(string_at(shape, "group"), shape.contains("names") ? string_at(shape["names"], "plural") : "");
    if (served && served->crd_name == name) {
      return;
    }
  }
  auto type = crd_resource_type(crd);
  m_crd_shapes[name] = std::move(shape);
  // Say at load what will not be checked, rather than accept it silently.
  for (const auto& line : type->unchecked_rules) {
    std::cerr << "ocne-kube-test-server: not enforced: " << line << "\n";
  }
  // A CRD renamed to other names stops serving the old ones.
  for (auto it = m_types.begin(); it != m_types.end();) {
    if (it->second->crd_name == name && (it->first.first != type->group || it->first.second != type->plural)) {
      it = m_types.erase(it);
    } else {
      ++it;
    }
  }
  m_types[{ type->group, type->plural }] = std::move(type);
}

void
ApiServer::establish_crd(const std::string& name)
{
  const std::lock_guard lock(m_mutex);
  const ObjectKey key{ "apiextensions.k8s.io", "customresourcedefinitions", "", name };
  const ObjectPtr crd = find(key);
  if (!crd || deleting(*crd)) {
    return;
  }
  Json updated = *crd;
  set_crd_status(updated, true, "", now());
  if (updated == *crd) {
    return;
  }
  const auto type = type_by_plural("apiextensions.k8s.io", "customresourcedefinitions");
  const ObjectPtr stored = commit(*type, key, std::move(updated), "MODIFIED");
  crd_changed(*stored);
  settle();
}

void
ApiServer::crd_removed(const Json& crd)
{
  const std::string name = string_at(crd["metadata"], "name");
  m_crd_shapes.erase(name);
  for (auto it = m_types.begin(); it != m_types.end();) {
    if (it->second->crd_name == name) {
      m_objects.erase(it->first);
      it = m_types.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace ocne::test::kube
