#include "tests/servers/kube/patch.hpp"

#include "tests/servers/kube/api_error.hpp"

#include <algorithm>

namespace ocne::test::kube {

Json
apply_json_patch(const Json& doc, const Json& operations)
{
  if (!operations.is_array()) {
    throw err_bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  try {
    return doc.patch(operations);
  } catch (const Json::exception& e) {
    throw ApiError(
      422, "Invalid", std::string("the server rejected our request due to an error in our request: ") + e.what());
  }
}

Json
apply_merge_patch(const Json& doc, const Json& patch)
{
  if (!patch.is_object()) {
    throw err_bad_request("json: cannot unmarshal " + std::string(patch.type_name()) +
                          " into Go value of type map[string]interface {}");
  }
  Json out = doc;
  out.merge_patch(patch);
  return out;
}

namespace {

constexpr std::string_view k_set_order = "$setElementOrder/";
constexpr std::string_view k_delete_primitive = "$deleteFromPrimitiveList/";

bool
starts_with(const std::string& s, std::string_view prefix)
{
  return s.compare(0, prefix.size(), prefix) == 0;
}

const Schema*
child_schema(const Schema* s, const std::string& key)
{
  return s == nullptr ? nullptr : s->child(key);
}

bool
item_matches(const Json& item, const Json& patch_item, const std::vector<std::string>& keys)
{
  for (const auto& k : keys) {
    const Json* a = child(item, k);
    const Json* b = child(patch_item, k);
    if (b == nullptr) {
      continue; // keys the patch leaves out (a defaulted protocol) do not decide
    }
    if (a == nullptr || *a != *b) {
      return false;
    }
  }
  return true;
}

Json smp_value(const Json* original, const Json& patch, const Schema* schema);

Json
smp_list(const Json* original, const Json& patch, const Schema* schema)
{
  if (schema == nullptr || (schema->list_type != "map" && schema->list_type != "set")) {
    return patch; // atomic lists are replaced
  }
  Json out = original != nullptr && original->is_array() ? *original : Json::array();
  if (schema->list_type == "set") {
    for (const auto& v : patch) {
      if (std::find(out.begin(), out.end(), v) == out.end()) {
        out.push_back(v);
      }
    }
    return out;
  }
  const Schema* item_schema = schema->items.get();
  // A "$patch: replace" item replaces the whole list.
  for (const auto& p : patch) {
    if (p.is_object() && string_at(p, "$patch") == "replace") {
      Json replaced = Json::array();
      for (const auto& q : patch) {
        if (!(q.is_object() && q.contains("$patch"))) {
          replaced.push_back(q);
        }
      }
      return replaced;
    }
  }
  for (const auto& p : patch) {
    if (!p.is_object()) {
      continue;
    }
    auto it = std::find_if(
      out.begin(), out.end(), [&](const Json& item) { return item_matches(item, p, schema->list_map_keys); });
    if (string_at(p, "$patch") == "delete") {
      if (it != out.end()) {
        out.erase(it);
      }
      continue;
    }
    if (it == out.end()) {
      out.push_back(smp_value(nullptr, p, item_schema));
    } else {
      *it = smp_value(&*it, p, item_schema);
    }
  }
  return out;
}

Json
smp_map(const Json* original, const Json& patch, const Schema* schema)
{
  const std::string directive = string_at(patch, "$patch");
  if (directive == "delete") {
    return nullptr;
  }
  Json out = (directive != "replace" && original != nullptr && original->is_object()) ? *original : Json::object();
  const Json* retain = child(patch, "$retainKeys");
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& key = it.key();
    if (key == "$patch" || key == "$retainKeys" || starts_with(key, k_set_order)) {
      continue;
    }
    if (starts_with(key, k_delete_primitive)) {
      const std::string field = key.substr(k_delete_primitive.size());
      if (Json* list = child(out, field); list != nullptr && list->is_array() && it->is_array()) {
        Json kept = Json::array();
        for (const auto& v : *list) {
          if (std::find(it->begin(), it->end(), v) == it->end()) {
            kept.push_back(v);
          }
        }
        *list = std::move(kept);
      }
      continue;
    }
    if (it->is_null()) {
      out.erase(key);
      continue;
    }
    const Json* orig = child(out, key);
    Json merged = smp_value(orig, *it, child_schema(schema, key));
    if (merged.is_null()) {
      out.erase(key);
    } else {
      out[key] = std::move(merged);
    }
  }
  if (retain != nullptr && retain->is_array()) {
    std::vector<std::string> drop;
    for (auto it = out.begin(); it != out.end(); ++it) {
      if (std::find(retain->begin(), retain->end(), Json(it.key())) == retain->end()) {
        drop.push_back(it.key());
      }
    }
    for (const auto& k : drop) {
      out.erase(k);
    }
  }
  return out;
}

Json
smp_value(const Json* original, const Json& patch, const Schema* schema)
{
  if (patch.is_object()) {
    if (schema != nullptr && schema->is_atomic_map()) {
      return patch;
    }
    return smp_map(original, patch, schema);
  }
  if (patch.is_array()) {
    return smp_list(original, patch, schema);
  }
  return patch;
}

} // namespace

Json
apply_strategic_merge_patch(const Json& doc, const Json& patch, const Schema* schema)
{
  if (!patch.is_object()) {
    throw err_bad_request("json: cannot unmarshal " + std::string(patch.type_name()) +
                          " into Go value of type map[string]interface {}");
  }
  return smp_map(&doc, patch, schema);
}

} // namespace ocne::test::kube
