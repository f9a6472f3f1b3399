// The object store: one resourceVersion counter for everything, the watch
// history, and fan-out of changes to watches and hooks.

#include "tests/servers/kube/api_server.hpp"

namespace ocne::test::kube {

ObjectPtr
ApiServer::find(const ObjectKey& key) const
{
  const auto bucket = m_objects.find({ key.group, key.plural });
  if (bucket == m_objects.end()) {
    return nullptr;
  }
  const auto it = bucket->second.find({ key.ns, key.name });
  return it == bucket->second.end() ? nullptr : it->second;
}

ObjectPtr
ApiServer::commit(const ResourceType& type, const ObjectKey& key, Json object, const std::string& event)
{
  ObjectPtr previous = find(key);
  ++m_rv;
  // Stored in the storage version (writers convert first, webhooks.cpp);
  // reads convert back, or rewrite apiVersion for conversion "None".
  object["apiVersion"] = type.api_version(type.storage_version().name);
  object["kind"] = type.kind;
  object["metadata"]["resourceVersion"] = std::to_string(m_rv);
  auto stored = std::make_shared<const Json>(std::move(object));
  m_objects[{ key.group, key.plural }][{ key.ns, key.name }] = stored;
  HistoryEvent e{ m_rv, event, key, stored, previous };
  m_history.push_back(e);
  while (m_history.size() > m_options.history_limit) {
    m_compacted = m_history.front().rv;
    m_history.pop_front();
  }
  notify(e);
  queue_hooks(e);
  return stored;
}

ObjectPtr
ApiServer::remove_now(const ResourceType& type, const ObjectKey& key)
{
  (void)type;
  ObjectPtr previous = find(key);
  if (!previous) {
    return nullptr;
  }
  ++m_rv;
  Json last = *previous;
  last["metadata"]["resourceVersion"] = std::to_string(m_rv);
  auto final_state = std::make_shared<const Json>(std::move(last));
  auto& bucket = m_objects[{ key.group, key.plural }];
  bucket.erase({ key.ns, key.name });
  HistoryEvent e{ m_rv, "DELETED", key, final_state, previous };
  m_history.push_back(e);
  while (m_history.size() > m_options.history_limit) {
    m_compacted = m_history.front().rv;
    m_history.pop_front();
  }
  notify(e);
  queue_hooks(e);
  return final_state;
}

namespace {

bool
watch_matches(const Watcher& w, const Json& obj)
{
  const Json* meta = child(obj, "metadata");
  const Json* labels = meta != nullptr ? child(*meta, "labels") : nullptr;
  return w.labels.matches(labels != nullptr ? *labels : Json()) && w.fields.matches(obj);
}

} // namespace

void
ApiServer::notify(const HistoryEvent& e)
{
  for (const auto& w : m_watchers) {
    if (w->type->group != e.key.group || w->type->plural != e.key.plural) {
      continue;
    }
    if (!w->ns.empty() && w->ns != e.key.ns) {
      continue;
    }
    std::string type;
    if (e.type == "DELETED") {
      if (watch_matches(*w, *e.object)) {
        type = "DELETED";
      }
    } else if (e.type == "ADDED") {
      if (watch_matches(*w, *e.object)) {
        type = "ADDED";
      }
    } else {
      const bool was = e.previous && watch_matches(*w, *e.previous);
      const bool is = watch_matches(*w, *e.object);
      type = was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : "";
    }
    if (type.empty()) {
      continue;
    }
    std::string event;
    bool failed = false;
    try {
      event = watch_event_json(*w, type, *e.object);
    } catch (const ApiError& error) {
      // The object cannot be converted to the watch's version: the watch
      // ends with the error, and the client lists and watches again.
      event = Json{ { "type", "ERROR" }, { "object", error.status() } }.dump() + "\n";
      failed = true;
    }
    const std::lock_guard lock(w->mutex);
    w->queue.push_back(std::move(event));
    w->closed = w->closed || failed;
    w->cv.notify_all();
  }
}

std::string
ApiServer::watch_event_json(Watcher& w, const std::string& type, const Json& object)
{
  Json ev = { { "type", type } };
  if (w.table) {
    ev["object"] = to_table(*w.type, w.version, { std::make_shared<const Json>(object) }, !w.sent_columns);
    w.sent_columns = true;
  } else {
    ev["object"] = output(object, *w.type, w.version);
  }
  return ev.dump() + "\n";
}

Json
ApiServer::output(const Json& stored, const ResourceType& type, const std::string& version) const
{
  if (needs_conversion(type, version)) {
    return convert(type, stored, version);
  }
  Json out = stored;
  out["apiVersion"] = type.api_version(version);
  out["kind"] = type.kind;
  return out;
}

ResourceTypePtr
ApiServer::type_by_plural(const std::string& group, const std::string& plural) const
{
  const auto it = m_types.find({ group, plural });
  return it == m_types.end() ? nullptr : it->second;
}

ResourceTypePtr
ApiServer::type_by_kind(const std::string& group, const std::string& kind) const
{
  for (const auto& [key, t] : m_types) {
    if (t->group == group && t->kind == kind) {
      return t;
    }
  }
  return nullptr;
}

std::vector<ObjectPtr>
ApiServer::snapshot(const ResourceType& type, std::uint64_t rv) const
{
  // The current objects, with every change after rv undone.
  std::map<std::pair<std::string, std::string>, ObjectPtr> state;
  if (const auto bucket = m_objects.find({ type.group, type.plural }); bucket != m_objects.end()) {
    state = bucket->second;
  }
  if (rv < m_rv) {
    for (auto it = m_history.rbegin(); it != m_history.rend() && it->rv > rv; ++it) {
      if (it->key.group != type.group || it->key.plural != type.plural) {
        continue;
      }
      const std::pair<std::string, std::string> k{ it->key.ns, it->key.name };
      if (it->previous) {
        state[k] = it->previous;
      } else {
        state.erase(k);
      }
    }
  }
  std::vector<ObjectPtr> out;
  out.reserve(state.size());
  for (auto& [k, v] : state) {
    out.push_back(v);
  }
  return out;
}

} // namespace ocne::test::kube
