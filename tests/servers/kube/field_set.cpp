#include "tests/servers/kube/field_set.hpp"

#include <algorithm>
#include <stdexcept>

namespace ocne::test::kube {

bool
FieldSet::empty() const
{
  if (member) {
    return false;
  }
  for (const auto& [k, c] : children) {
    if (!c.empty()) {
      return false;
    }
  }
  return true;
}

void
FieldSet::insert(const std::vector<std::string>& path)
{
  FieldSet* node = this;
  for (const auto& e : path) {
    node = &node->children[e];
  }
  node->member = true;
}

const FieldSet*
FieldSet::find(const std::vector<std::string>& path) const
{
  const FieldSet* node = this;
  for (const auto& e : path) {
    const auto it = node->children.find(e);
    if (it == node->children.end()) {
      return nullptr;
    }
    node = &it->second;
  }
  return node;
}

bool
FieldSet::has(const std::vector<std::string>& path) const
{
  const FieldSet* node = find(path);
  return node != nullptr && node->member;
}

namespace {

void
compact(FieldSet& s)
{
  for (auto it = s.children.begin(); it != s.children.end();) {
    compact(it->second);
    if (it->second.empty()) {
      it = s.children.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace

FieldSet
FieldSet::united(const FieldSet& other) const
{
  FieldSet out = *this;
  out.member = member || other.member;
  for (const auto& [k, c] : other.children) {
    const auto it = out.children.find(k);
    if (it == out.children.end()) {
      out.children.emplace(k, c);
    } else {
      it->second = it->second.united(c);
    }
  }
  return out;
}

FieldSet
FieldSet::minus(const FieldSet& other) const
{
  FieldSet out;
  out.member = member && !other.member;
  for (const auto& [k, c] : children) {
    const auto it = other.children.find(k);
    if (it == other.children.end()) {
      out.children.emplace(k, c);
    } else {
      auto d = c.minus(it->second);
      if (!d.empty()) {
        out.children.emplace(k, std::move(d));
      }
    }
  }
  return out;
}

FieldSet
FieldSet::intersected(const FieldSet& other) const
{
  FieldSet out;
  out.member = member && other.member;
  for (const auto& [k, c] : children) {
    const auto it = other.children.find(k);
    if (it != other.children.end()) {
      auto d = c.intersected(it->second);
      if (!d.empty()) {
        out.children.emplace(k, std::move(d));
      }
    }
  }
  return out;
}

Json
FieldSet::to_fields_v1() const
{
  Json out = Json::object();
  for (const auto& [k, c] : children) {
    if (c.empty()) {
      continue;
    }
    Json sub = c.to_fields_v1();
    if (c.member && !sub.empty()) {
      sub["."] = Json::object();
    }
    out[k] = std::move(sub);
  }
  return out;
}

namespace {

void
from_v1(const Json& j, FieldSet& node, bool root)
{
  if (!j.is_object()) {
    throw std::invalid_argument("fieldsV1: expected an object");
  }
  if (!root && j.empty()) {
    node.member = true;
  }
  for (const auto& [k, v] : j.items()) {
    if (k == ".") {
      node.member = true;
      continue;
    }
    if (k.size() < 2 || k[1] != ':' || (k[0] != 'f' && k[0] != 'k' && k[0] != 'v' && k[0] != 'i')) {
      throw std::invalid_argument("fieldsV1: bad path element " + go_quote(k));
    }
    from_v1(v, node.children[k], false);
  }
}

void
collect_paths(const FieldSet& s, const std::string& prefix, std::vector<std::string>& out)
{
  if (s.member && !prefix.empty()) {
    out.push_back(prefix);
  }
  for (const auto& [k, c] : s.children) {
    collect_paths(c, prefix + path_element_text(k), out);
  }
}

} // namespace

FieldSet
FieldSet::from_fields_v1(const Json& fields)
{
  FieldSet out;
  from_v1(fields, out, true);
  compact(out);
  return out;
}

std::vector<std::string>
FieldSet::paths() const
{
  std::vector<std::string> out;
  collect_paths(*this, "", out);
  return out;
}

std::string
path_element_text(const std::string& element)
{
  if (element.size() < 2) {
    return element;
  }
  const std::string rest = element.substr(2);
  switch (element[0]) {
    case 'f':
      return "." + rest;
    case 'v':
      return "[=" + rest + "]";
    case 'i':
      return "[" + rest + "]";
    case 'k': {
      std::string out = "[";
      try {
        const Json keys = Json::parse(rest);
        bool first = true;
        for (const auto& [k, v] : keys.items()) {
          out += (first ? "" : ",") + k + "=" + v.dump();
          first = false;
        }
      } catch (const Json::exception&) {
        out += rest;
      }
      return out + "]";
    }
    default:
      return element;
  }
}

namespace {

enum class NodeKind { leaf, map, list };

NodeKind
classify(const Json* a, const Json* b, const Schema* s)
{
  const Json* v = a != nullptr ? a : b;
  if (v == nullptr) {
    return NodeKind::leaf;
  }
  auto both = [&](bool (Json::*pred)() const noexcept) {
    return (a == nullptr || (a->*pred)()) && (b == nullptr || (b->*pred)());
  };
  if (s != nullptr && s->int_or_string) {
    return NodeKind::leaf;
  }
  if (both(&Json::is_object)) {
    if (s != nullptr && s->is_atomic_map()) {
      return NodeKind::leaf;
    }
    return NodeKind::map;
  }
  if (both(&Json::is_array)) {
    if (s != nullptr && (s->list_type == "set" || s->list_type == "map")) {
      return NodeKind::list;
    }
    return NodeKind::leaf;
  }
  return NodeKind::leaf;
}

const Schema*
child_schema(const Schema* s, const std::string& key)
{
  return s == nullptr ? nullptr : s->child(key);
}

bool
declared(const Schema* s, const std::string& key)
{
  return s != nullptr && s->properties.count(key) != 0;
}

const Schema*
item_schema(const Schema* s)
{
  return s == nullptr ? nullptr : s->items.get();
}

std::string
item_element(const Json& item, const Schema* s, std::size_t index)
{
  if (s != nullptr && s->list_type == "set") {
    return "v:" + item.dump();
  }
  if (s != nullptr && s->list_type == "map" && item.is_object()) {
    Json keys = Json::object();
    for (const auto& k : s->list_map_keys) {
      if (const Json* v = child(item, k)) {
        keys[k] = *v;
      } else if (const Schema* ks = s->items ? s->items->child(k) : nullptr; ks != nullptr && ks->default_value) {
        keys[k] = *ks->default_value; // a key left to its default (a port's protocol)
      }
    }
    if (!keys.empty()) {
      return "k:" + keys.dump();
    }
  }
  return "i:" + std::to_string(index);
}

bool
is_empty_container(const Json* v)
{
  return v == nullptr || ((v->is_object() || v->is_array()) && v->empty());
}

void
to_set(const Json& v, const Schema* s, std::vector<std::string>& path, FieldSet& out)
{
  const NodeKind kind = classify(&v, nullptr, s);
  if (kind == NodeKind::leaf || (v.empty() && !path.empty())) {
    if (!path.empty()) {
      out.insert(path);
    }
    return;
  }
  if (kind == NodeKind::map) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      path.push_back("f:" + it.key());
      to_set(*it, child_schema(s, it.key()), path, out);
      if (!declared(s, it.key())) {
        out.insert(path);
      }
      path.pop_back();
    }
    return;
  }
  const Schema* is = item_schema(s);
  for (std::size_t i = 0; i < v.size(); ++i) {
    path.push_back(item_element(v[i], s, i));
    to_set(v[i], is, path, out);
    out.insert(path);
    path.pop_back();
  }
}

// Items of a list by path element, in order, first occurrence wins.
struct IndexedList
{
  std::vector<std::string> order;
  std::map<std::string, const Json*> items;
};

IndexedList
index_list(const Json* list, const Schema* s)
{
  IndexedList out;
  if (list == nullptr) {
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto pe = item_element((*list)[i], s, i);
    if (out.items.emplace(pe, &(*list)[i]).second) {
      out.order.push_back(std::move(pe));
    }
  }
  return out;
}

const Json*
lookup(const IndexedList& l, const std::string& pe)
{
  const auto it = l.items.find(pe);
  return it == l.items.end() ? nullptr : it->second;
}

// The order structured-merge-diff gives a merged associative list: shared
// items follow the right-hand side's order, items only on the left keep
// their place, items only on the right come where the right has them.
std::vector<std::string>
merged_order(const IndexedList& lhs, const IndexedList& rhs)
{
  std::vector<std::string> shared;
  for (const auto& pe : rhs.order) {
    if (lhs.items.count(pe) != 0) {
      shared.push_back(pe);
    }
  }
  std::size_t next_shared = 0;
  std::vector<std::string> out;
  std::size_t li = 0;
  std::size_t ri = 0;
  const std::size_t ln = lhs.order.size();
  const std::size_t rn = rhs.order.size();
  while (li < ln || ri < rn) {
    if (li < ln && ri < rn) {
      const auto& pe = lhs.order[li];
      if (pe == rhs.order[ri]) {
        out.push_back(pe);
        ++li;
        ++ri;
        ++next_shared;
        continue;
      }
      if (rhs.items.count(pe) != 0 && next_shared < shared.size() && shared[next_shared] != pe) {
        ++li;
        continue;
      }
    }
    if (li < ln && rhs.items.count(lhs.order[li]) == 0) {
      out.push_back(lhs.order[li]);
      ++li;
      continue;
    }
    if (ri < rn) {
      const auto& pe = rhs.order[ri];
      out.push_back(pe);
      ++ri;
      if (next_shared < shared.size() && shared[next_shared] == pe) {
        ++next_shared;
      }
      continue;
    }
    ++li; // a shared item already placed
  }
  return out;
}

const Json*
map_child(const Json* m, const std::string& key)
{
  return m == nullptr ? nullptr : child(*m, key);
}

void
compare_node(const Json* l, const Json* r, const Schema* s, std::vector<std::string>& path, Comparison& c)
{
  const NodeKind kind = classify(l, r, s);
  const bool promote = is_empty_container(l) && is_empty_container(r);
  if (kind == NodeKind::leaf || (promote && !path.empty())) {
    if (path.empty()) {
      return;
    }
    if (l == nullptr) {
      c.added.insert(path);
    } else if (r == nullptr) {
      c.removed.insert(path);
    } else if (*l != *r) {
      c.modified.insert(path);
    }
    return;
  }
  if (kind == NodeKind::map) {
    std::vector<std::string> keys;
    if (l != nullptr) {
      for (auto it = l->begin(); it != l->end(); ++it) {
        keys.push_back(it.key());
      }
    }
    if (r != nullptr) {
      for (auto it = r->begin(); it != r->end(); ++it) {
        if (l == nullptr || l->find(it.key()) == l->end()) {
          keys.push_back(it.key());
        }
      }
    }
    for (const auto& k : keys) {
      path.push_back("f:" + k);
      compare_node(map_child(l, k), map_child(r, k), child_schema(s, k), path, c);
      path.pop_back();
    }
  } else {
    const IndexedList li = index_list(l, s);
    const IndexedList ri = index_list(r, s);
    const Schema* is = item_schema(s);
    for (const auto& pe : merged_order(li, ri)) {
      path.push_back(pe);
      compare_node(lookup(li, pe), lookup(ri, pe), is, path, c);
      path.pop_back();
    }
  }
  if (!path.empty()) {
    if (l == nullptr) {
      c.added.insert(path);
    } else if (r == nullptr) {
      c.removed.insert(path);
    }
  }
}

Json
merge_node(const Json* l, const Json* c, const Schema* s)
{
  if (c == nullptr) {
    return *l;
  }
  if (l == nullptr) {
    return *c;
  }
  const NodeKind kind = classify(l, c, s);
  if (kind == NodeKind::leaf) {
    return *c;
  }
  if (kind == NodeKind::map) {
    Json out = *l;
    for (auto it = c->begin(); it != c->end(); ++it) {
      out[it.key()] = merge_node(map_child(l, it.key()), &*it, child_schema(s, it.key()));
    }
    return out;
  }
  const IndexedList li = index_list(l, s);
  const IndexedList ci = index_list(c, s);
  const Schema* is = item_schema(s);
  Json out = Json::array();
  for (const auto& pe : merged_order(li, ci)) {
    out.push_back(merge_node(lookup(li, pe), lookup(ci, pe), is));
  }
  return out;
}

void
remove_node(Json& v, const FieldSet& set, const Schema* s)
{
  const NodeKind kind = classify(&v, nullptr, s);
  if (kind == NodeKind::map) {
    std::vector<std::string> erase;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const auto found = set.children.find("f:" + it.key());
      if (found == set.children.end()) {
        continue;
      }
      if (found->second.member) {
        erase.push_back(it.key());
      } else {
        remove_node(*it, found->second, child_schema(s, it.key()));
      }
    }
    for (const auto& k : erase) {
      v.erase(k);
    }
  } else if (kind == NodeKind::list) {
    const Schema* is = item_schema(s);
    Json out = Json::array();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto found = set.children.find(item_element(v[i], s, i));
      if (found == set.children.end()) {
        out.push_back(std::move(v[i]));
      } else if (!found->second.member) {
        remove_node(v[i], found->second, is);
        out.push_back(std::move(v[i]));
      }
    }
    v = std::move(out);
  }
}

} // namespace

FieldSet
to_field_set(const Json& value, const Schema* schema)
{
  FieldSet out;
  std::vector<std::string> path;
  to_set(value, schema, path, out);
  return out;
}

Comparison
compare(const Json& old_value, const Json& new_value, const Schema* schema)
{
  Comparison c;
  std::vector<std::string> path;
  compare_node(&old_value, &new_value, schema, path, c);
  return c;
}

Json
merge(const Json& live, const Json& config, const Schema* schema)
{
  return merge_node(&live, &config, schema);
}

void
remove_items(Json& value, const FieldSet& set, const Schema* schema)
{
  remove_node(value, set, schema);
}

} // namespace ocne::test::kube
