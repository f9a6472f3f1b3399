// get, list (selectors, pagination, consistent snapshots), watch, and the
// Table form kubectl asks for.

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/jsonpath.hpp"

#include <chrono>
#include <ctime>

namespace ocne::test::kube {

namespace {

std::int64_t
parse_time(const std::string& ts)
{
  std::tm tm{};
  if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    return -1;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string
age(const Json& obj)
{
  const Json* meta = child(obj, "metadata");
  const std::string ts = meta != nullptr ? string_at(*meta, "creationTimestamp") : "";
  const auto t = parse_time(ts);
  if (t < 0) {
    return "<unknown>";
  }
  return human_duration(static_cast<std::int64_t>(std::time(nullptr)) - t);
}

std::string
base64url(const std::string& s)
{
  std::string b = base64_encode(s);
  for (auto& c : b) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!b.empty() && b.back() == '=') {
    b.pop_back();
  }
  return b;
}

std::optional<std::string>
from_base64url(std::string s)
{
  for (auto& c : s) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (s.size() % 4 != 0) {
    s += '=';
  }
  return base64_decode(s);
}

Json
column(const std::string& name, const std::string& type, const std::string& format, const std::string& description)
{
  return {
    { "name", name }, { "type", type }, { "format", format }, { "description", description }, { "priority", 0 }
  };
}

const char* const k_name_description =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow "
  "a client to request the generation of an appropriate name automatically. Name is primarily intended for "
  "creation idempotence and configuration definition. Cannot be updated.";
const char* const k_age_description =
  "CreationTimestamp is a timestamp representing the server time when this object was created.";

std::uint64_t
parse_rv(const std::string& s)
{
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
    throw err_bad_request("invalid resource version: " + go_quote(s));
  }
  return std::stoull(s);
}

LabelSelector
labels_of(const Call& c)
{
  return LabelSelector::parse(c.param("labelSelector"));
}

FieldSelector
fields_of(const Call& c)
{
  return FieldSelector::parse(c.param("fieldSelector"), c.type->field_selectors, c.type->custom());
}

bool
selected(const Json& obj, const LabelSelector& labels, const FieldSelector& fields)
{
  const Json* meta = child(obj, "metadata");
  const Json* l = meta != nullptr ? child(*meta, "labels") : nullptr;
  return labels.matches(l != nullptr ? *l : Json()) && fields.matches(obj);
}

} // namespace

std::string
human_duration(std::int64_t seconds)
{
  if (seconds < -1) {
    return "<invalid>";
  }
  if (seconds < 0) {
    return "0s";
  }
  auto s = [](std::int64_t v, const char* unit) { return std::to_string(v) + unit; };
  if (seconds < 120) {
    return s(seconds, "s");
  }
  const std::int64_t minutes = seconds / 60;
  if (minutes < 10) {
    return seconds % 60 == 0 ? s(minutes, "m") : s(minutes, "m") + s(seconds % 60, "s");
  }
  if (minutes < 180) {
    return s(minutes, "m");
  }
  const std::int64_t hours = minutes / 60;
  if (hours < 8) {
    return minutes % 60 == 0 ? s(hours, "h") : s(hours, "h") + s(minutes % 60, "m");
  }
  if (hours < 48) {
    return s(hours, "h");
  }
  if (hours < 24 * 8) {
    return hours % 24 == 0 ? s(hours / 24, "d") : s(hours / 24, "d") + s(hours % 24, "h");
  }
  if (hours < 24 * 365 * 2) {
    return s(hours / 24, "d");
  }
  if (hours < 24 * 365 * 8) {
    const std::int64_t days = hours / 24 % 365;
    return days == 0 ? s(hours / 24 / 365, "y") : s(hours / 24 / 365, "y") + s(days, "d");
  }
  return s(hours / 24 / 365, "y");
}

Json
ApiServer::to_table(const ResourceType& type,
                    const std::string& version,
                    const std::vector<ObjectPtr>& objects,
                    bool columns) const
{
  Json defs = Json::array();
  std::vector<std::function<Json(const Json&)>> cells;
  defs.push_back(column("Name", "string", "name", k_name_description));
  cells.emplace_back([](const Json& o) { return Json(string_at(o["metadata"], "name")); });
  auto add = [&](const std::string& name, const std::string& t, std::function<Json(const Json&)> f) {
    defs.push_back(column(name, t, "", name));
    cells.push_back(std::move(f));
  };
  const std::string id = type.group + "/" + type.plural;
  bool with_age = true;
  std::vector<ObjectPtr> at_v;
  if (needs_conversion(type, version)) {
    // Printer columns read the object at the version asked for.
    for (const auto& o : objects) {
      at_v.push_back(at_version(o, type, version));
    }
  }
  const std::vector<ObjectPtr>& shown = at_v.empty() ? objects : at_v;
  if (type.custom()) {
    const ResourceVersion* v = type.find_version(version);
    Json printer = v != nullptr ? v->printer_columns : Json::array();
    if (printer.empty()) {
      printer =
        Json::array({ { { "name", "Age" }, { "type", "date" }, { "jsonPath", ".metadata.creationTimestamp" } } });
    }
    for (const auto& col : printer) {
      const std::string path = string_at(col, "jsonPath");
      const std::string ctype = string_at(col, "type");
      defs.push_back(column(string_at(col, "name"), ctype, string_at(col, "format"), string_at(col, "description")));
      defs.back()["priority"] = col.value("priority", 0);
      cells.emplace_back([path, ctype](const Json& o) -> Json {
        const auto found = jsonpath_find(o, path);
        if (!found) {
          return nullptr;
        }
        if (ctype == "date" && found->is_string()) {
          const auto t = parse_time(found->get<std::string>());
          return t < 0 ? Json(nullptr) : Json(human_duration(static_cast<std::int64_t>(std::time(nullptr)) - t));
        }
        return *found;
      });
    }
    with_age = false;
  } else if (id == "/namespaces") {
    add("Status", "string", [](const Json& o) { return Json(field_value(o, "status.phase")); });
  } else if (id == "/secrets") {
    add("Type", "string", [](const Json& o) { return Json(string_at(o, "type")); });
    add("Data", "string", [](const Json& o) {
      const Json* d = child(o, "data");
      return Json(d != nullptr && d->is_object() ? d->size() : 0);
    });
  } else if (id == "/configmaps") {
    add("Data", "string", [](const Json& o) {
      std::size_t n = 0;
      for (const char* k : { "data", "binaryData" }) {
        const Json* d = child(o, k);
        n += d != nullptr && d->is_object() ? d->size() : 0;
      }
      return Json(n);
    });
  } else if (id == "apiextensions.k8s.io/customresourcedefinitions") {
    defs.push_back(column("Created At", "date", "", k_age_description));
    cells.emplace_back([](const Json& o) { return Json(string_at(o["metadata"], "creationTimestamp")); });
    with_age = false;
  } else if (id == "apps/deployments") {
    add("Ready", "string", [](const Json& o) {
      const std::string ready = field_value(o, "status.readyReplicas");
      const std::string want = field_value(o, "spec.replicas");
      return Json((ready.empty() ? "0" : ready) + "/" + (want.empty() ? "1" : want));
    });
    add("Up-to-date", "integer", [](const Json& o) {
      const std::string v = field_value(o, "status.updatedReplicas");
      return Json(v.empty() ? 0 : std::stoll(v));
    });
    add("Available", "integer", [](const Json& o) {
      const std::string v = field_value(o, "status.availableReplicas");
      return Json(v.empty() ? 0 : std::stoll(v));
    });
  }
  if (with_age) {
    defs.push_back(column("Age", "string", "", k_age_description));
    cells.emplace_back([](const Json& o) { return Json(age(o)); });
  }
  Json rows = Json::array();
  for (const auto& obj : shown) {
    Json row_cells = Json::array();
    for (const auto& f : cells) {
      row_cells.push_back(f(*obj));
    }
    rows.push_back({ { "cells", std::move(row_cells) },
                     { "object",
                       { { "kind", "PartialObjectMetadata" },
                         { "apiVersion", "meta.k8s.io/v1" },
                         { "metadata", (*obj)["metadata"] } } } });
  }
  Json table = { { "kind", "Table" },
                 { "apiVersion", "meta.k8s.io/v1" },
                 { "metadata", { { "resourceVersion", std::to_string(m_rv) } } },
                 { "columnDefinitions", columns ? defs : Json::array() },
                 { "rows", std::move(rows) } };
  return table;
}

Reply
ApiServer::do_get(Call& c)
{
  const ObjectKey key{ c.type->group, c.type->plural, c.ns, c.name };
  const ObjectPtr obj = find(key);
  if (!obj) {
    throw err_not_found(c.type->group, c.type->plural, c.name);
  }
  Reply r;
  if (c.subresource == "scale") {
    const ResourceVersion* v = c.type->find_version(c.version);
    const Json& o = *obj;
    Json meta = { { "name", c.name },
                  { "uid", string_at(o["metadata"], "uid") },
                  { "resourceVersion", string_at(o["metadata"], "resourceVersion") },
                  { "creationTimestamp", string_at(o["metadata"], "creationTimestamp") } };
    if (!c.ns.empty()) {
      meta["namespace"] = c.ns;
    }
    auto path_of = [](const std::string& p) { return p.empty() || p[0] != '.' ? p : p.substr(1); };
    const std::string spec_replicas = field_value(o, path_of(v->scale->spec_replicas_path));
    const std::string status_replicas = field_value(o, path_of(v->scale->status_replicas_path));
    r.body = { { "kind", "Scale" },
               { "apiVersion", "autoscaling/v1" },
               { "metadata", meta },
               { "spec", { { "replicas", spec_replicas.empty() ? 0 : std::stoll(spec_replicas) } } },
               { "status", { { "replicas", status_replicas.empty() ? 0 : std::stoll(status_replicas) } } } };
    return r;
  }
  if (c.table) {
    r.body = to_table(*c.type, c.version, { obj }, true);
    return r;
  }
  r.body = output(*obj, *c.type, c.version);
  return r;
}

Reply
ApiServer::do_list(Call& c)
{
  const auto labels = labels_of(c);
  const auto fields = fields_of(c);
  std::uint64_t at = m_rv;
  std::string start_after;
  const std::string cont = c.param("continue");
  const std::string rv_param = c.param("resourceVersion");
  const std::string match = c.param("resourceVersionMatch");
  if (!cont.empty()) {
    const auto decoded = from_base64url(cont);
    Json token;
    try {
      token = decoded ? Json::parse(*decoded) : Json();
    } catch (const Json::exception&) {
    }
    if (!token.is_object() || !token.contains("rv") || !token["rv"].is_number_unsigned() || !token.contains("start") ||
        !token["start"].is_string()) {
      throw err_bad_request("continue key is not valid: incorrect encoded start resourceVersion (version "
                            "meta.k8s.io/v1)");
    }
    at = token["rv"].get<std::uint64_t>();
    start_after = token["start"].get<std::string>();
    if (at < m_compacted) {
      throw err_expired("The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter, or use the continue token in this "
                        "response to retrieve the remainder of the results. Continuing with the provided token "
                        "results in an inconsistent list - objects that were created, modified, or deleted between "
                        "the time the first chunk was returned and now may show up in the list.");
    }
  } else if (!rv_param.empty() && match == "Exact") {
    at = parse_rv(rv_param);
    if (at < m_compacted) {
      throw err_expired("The resourceVersion for the provided list is too old.");
    }
    if (at > m_rv) {
      throw ApiError(504, "Timeout", "Too large resource version: " + rv_param + ", current: " + std::to_string(m_rv));
    }
  } else if (!rv_param.empty()) {
    parse_rv(rv_param);
  }
  long long limit = 0;
  if (const auto l = c.param("limit"); !l.empty()) {
    try {
      limit = std::stoll(l);
    } catch (const std::exception&) {
      throw err_bad_request("invalid limit " + go_quote(l));
    }
  }
  std::vector<ObjectPtr> all = snapshot(*c.type, at);
  std::vector<ObjectPtr> picked;
  std::string last_key;
  std::size_t remaining = 0;
  bool more = false;
  for (const auto& obj : all) {
    const Json& meta = (*obj)["metadata"];
    const std::string ns = string_at(meta, "namespace");
    if (!c.ns.empty() && ns != c.ns) {
      continue;
    }
    const std::string key = ns + "/" + string_at(meta, "name");
    if (!start_after.empty() && key + '\0' <= start_after) {
      continue;
    }
    if (!selected(*obj, labels, fields)) {
      continue;
    }
    if (limit > 0 && static_cast<long long>(picked.size()) >= limit) {
      more = true;
      ++remaining;
      continue;
    }
    picked.push_back(obj);
    last_key = key;
  }
  Reply r;
  Json list_meta = { { "resourceVersion", std::to_string(at) } };
  if (more) {
    list_meta["continue"] =
      base64url(Json{ { "v", "meta.k8s.io/v1" }, { "rv", at }, { "start", last_key + '\0' } }.dump());
    if (labels.empty() && fields.empty()) {
      list_meta["remainingItemCount"] = remaining;
    }
  }
  if (c.table) {
    r.body = to_table(*c.type, c.version, picked, true);
    r.body["metadata"] = list_meta;
    return r;
  }
  Json items = Json::array();
  std::vector<Json> converted;
  if (needs_conversion(*c.type, c.version)) {
    // One ConversionReview for the page, as kube-apiserver sends it.
    std::vector<Json> stored;
    for (const auto& obj : picked) {
      stored.push_back(*obj);
    }
    converted = convert_all(*c.type, std::move(stored), c.version);
  }
  for (std::size_t i = 0; i < picked.size(); ++i) {
    const auto& obj = picked[i];
    Json item = converted.empty() ? output(*obj, *c.type, c.version) : std::move(converted[i]);
    if (c.type->builtin) {
      item.erase("apiVersion");
      item.erase("kind");
    }
    items.push_back(std::move(item));
  }
  r.body = { { "kind", c.type->list_kind },
             { "apiVersion", c.type->api_version(c.version) },
             { "metadata", std::move(list_meta) },
             { "items", std::move(items) } };
  return r;
}

Reply
ApiServer::do_watch(Call& c)
{
  auto w = std::make_shared<Watcher>();
  w->type = c.type;
  w->version = c.version;
  w->ns = c.ns;
  w->labels = labels_of(c);
  w->fields = fields_of(c);
  if (!c.name.empty()) {
    // A watch on one object by URL (legacy /watch/.../name).
    w->fields = FieldSelector::parse("metadata.name=" + c.name, {}, false);
  }
  w->table = c.table;
  w->bookmarks = c.flag("allowWatchBookmarks");
  const std::string rv_param = c.param("resourceVersion");
  const bool initial_events = c.flag("sendInitialEvents");
  long long timeout_seconds = 0;
  if (const auto t = c.param("timeoutSeconds"); !t.empty()) {
    try {
      timeout_seconds = std::stoll(t);
    } catch (const std::exception&) {
      throw err_bad_request("invalid timeoutSeconds " + go_quote(t));
    }
  }
  {
    const std::lock_guard lock(m_mutex);
    auto initial_list = [&] {
      for (const auto& obj : snapshot(*c.type, m_rv)) {
        const Json& meta = (*obj)["metadata"];
        if ((!w->ns.empty() && string_at(meta, "namespace") != w->ns) || !selected(*obj, w->labels, w->fields)) {
          continue;
        }
        w->queue.push_back(watch_event_json(*w, "ADDED", *obj));
      }
    };
    if (initial_events) {
      initial_list();
      Json bookmark = { { "type", "BOOKMARK" },
                        { "object",
                          { { "kind", c.type->kind },
                            { "apiVersion", c.type->api_version(c.version) },
                            { "metadata",
                              { { "resourceVersion", std::to_string(m_rv) },
                                { "annotations", { { "k8s.io/initial-events-end", "true" } } } } } } } };
      w->queue.push_back(bookmark.dump() + "\n");
    } else if (rv_param.empty() || rv_param == "0") {
      initial_list();
    } else {
      const std::uint64_t from = parse_rv(rv_param);
      if (from < m_compacted) {
        const ApiError gone =
          err_expired("too old resource version: " + rv_param + " (" + std::to_string(m_compacted + 1) + ")");
        w->queue.push_back(Json{ { "type", "ERROR" }, { "object", gone.status() } }.dump() + "\n");
        w->closed = true;
      } else {
        for (const auto& e : m_history) {
          if (e.rv <= from || e.key.group != c.type->group || e.key.plural != c.type->plural) {
            continue;
          }
          if (!w->ns.empty() && w->ns != e.key.ns) {
            continue;
          }
          const bool was = e.previous && selected(*e.previous, w->labels, w->fields);
          const bool is = selected(*e.object, w->labels, w->fields);
          std::string type;
          if (e.type == "DELETED") {
            type = is ? "DELETED" : "";
          } else if (e.type == "ADDED") {
            type = is ? "ADDED" : "";
          } else {
            type = was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : "";
          }
          if (!type.empty()) {
            w->queue.push_back(watch_event_json(*w, type, *e.object));
          }
        }
      }
    }
    if (!w->closed) {
      m_watchers.push_back(w);
    }
  }
  Reply r;
  r.stream = [this, w, timeout_seconds](StreamWriter& out) {
    using clock = std::chrono::steady_clock;
    const auto deadline =
      timeout_seconds > 0 ? clock::now() + std::chrono::seconds(timeout_seconds) : clock::time_point::max();
    auto next_bookmark = clock::now() + m_options.bookmark_interval;
    while (true) {
      std::deque<std::string> batch;
      bool closed = false;
      bool abrupt = false;
      {
        std::unique_lock wl(w->mutex);
        w->cv.wait_for(wl, std::chrono::milliseconds(100), [&] { return !w->queue.empty() || w->closed; });
        batch.swap(w->queue);
        closed = w->closed;
        abrupt = w->abrupt;
      }
      bool failed = false;
      for (const auto& ev : batch) {
        if (!out.write(ev)) {
          failed = true;
          break;
        }
      }
      if (failed) {
        break;
      }
      if (closed) {
        if (abrupt) {
          out.abort();
        }
        break;
      }
      if (out.closed() || clock::now() >= deadline) {
        break;
      }
      if (w->bookmarks && clock::now() >= next_bookmark) {
        next_bookmark = clock::now() + m_options.bookmark_interval;
        const std::lock_guard lock(m_mutex);
        Json bookmark = { { "type", "BOOKMARK" },
                          { "object",
                            { { "kind", w->type->kind },
                              { "apiVersion", w->type->api_version(w->version) },
                              { "metadata", { { "resourceVersion", std::to_string(m_rv) } } } } } };
        const std::lock_guard wl(w->mutex);
        w->queue.push_back(bookmark.dump() + "\n");
      }
    }
    const std::lock_guard lock(m_mutex);
    std::erase(m_watchers, w);
  };
  return r;
}

} // namespace ocne::test::kube
