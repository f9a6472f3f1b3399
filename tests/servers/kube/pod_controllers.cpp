#include "tests/servers/kube/pod_controllers.hpp"

#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/selector.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace ocne::test::kube {

namespace {

const Json&
meta(const Json& obj)
{
  static const Json empty = Json::object();
  const Json* m = child(obj, "metadata");
  return m != nullptr && m->is_object() ? *m : empty;
}

const Json*
spec_field(const Json& obj, const char* field)
{
  const Json* spec = child(obj, "spec");
  return spec != nullptr ? child(*spec, field) : nullptr;
}

bool
being_deleted(const Json& obj)
{
  return child(meta(obj), "deletionTimestamp") != nullptr;
}

bool
condition_is_true(const Json& obj, const std::string& type)
{
  const Json* status = child(obj, "status");
  const Json* conds = status != nullptr ? child(*status, "conditions") : nullptr;
  if (conds == nullptr || !conds->is_array()) {
    return false;
  }
  return std::any_of(conds->begin(), conds->end(), [&](const Json& c) {
    return string_at(c, "type") == type && string_at(c, "status") == "True";
  });
}

// The controller owner reference, or null.
const Json*
controller_of(const Json& obj)
{
  const Json* refs = child(meta(obj), "ownerReferences");
  if (refs == nullptr || !refs->is_array()) {
    return nullptr;
  }
  for (const auto& r : *refs) {
    if (const Json* c = child(r, "controller"); c != nullptr && c->is_boolean() && c->get<bool>()) {
      return &r;
    }
  }
  return nullptr;
}

// A budget's selector picks pods only when it says something.
bool
budget_selects(const Json& pdb, const Json& pod)
{
  const Json* selector = spec_field(pdb, "selector");
  if (selector == nullptr || !selector->is_object()) {
    return false;
  }
  const Json* ml = child(*selector, "matchLabels");
  const Json* me = child(*selector, "matchExpressions");
  if ((ml == nullptr || ml->empty()) && (me == nullptr || me->empty())) {
    return false;
  }
  const Json* labels = child(meta(pod), "labels");
  return label_selector_matches(selector, labels != nullptr ? *labels : Json::object());
}

// "50%" -> 50; nullopt for anything else.
std::optional<std::int64_t>
percent(const Json& value)
{
  if (!value.is_string()) {
    return std::nullopt;
  }
  const std::string s = value.get<std::string>();
  if (s.size() < 2 || s.back() != '%') {
    return std::nullopt;
  }
  try {
    return std::stoll(s.substr(0, s.size() - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::int64_t
scaled(const Json& value, std::int64_t total)
{
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  const auto p = percent(value).value_or(0);
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(total) * static_cast<double>(p) / 100.0));
}

// The sum of the scales of the pods' controllers (ReplicaSet, StatefulSet,
// ReplicationController); a pod without one counts for itself.
std::int64_t
expected_scale(const KubeTestServer& s, const std::vector<const Json*>& pods, const std::string& ns)
{
  std::set<std::pair<std::string, std::string>> seen;
  std::int64_t total = 0;
  for (const Json* pod : pods) {
    const Json* owner = controller_of(*pod);
    if (owner == nullptr) {
      ++total;
      continue;
    }
    const std::string kind = string_at(*owner, "kind");
    const std::string name = string_at(*owner, "name");
    if (!seen.insert({ kind, name }).second) {
      continue;
    }
    const std::string api_version = kind == "ReplicationController" ? "v1" : "apps/v1";
    const auto controller = s.get(api_version, kind, ns, name);
    const Json* replicas = controller ? spec_field(*controller, "replicas") : nullptr;
    total += replicas != nullptr && replicas->is_number_integer() ? replicas->get<std::int64_t>() : 1;
  }
  return total;
}

void
reconcile_budgets(KubeTestServer& s, const std::string& ns)
{
  const auto pods = s.list("v1", "Pod", ns);
  for (auto pdb : s.list("policy/v1", "PodDisruptionBudget", ns)) {
    if (being_deleted(pdb)) {
      continue;
    }
    std::vector<const Json*> matching;
    for (const auto& pod : pods) {
      if (budget_selects(pdb, pod)) {
        matching.push_back(&pod);
      }
    }
    const Json* status = child(pdb, "status");
    const Json* old_disrupted = status != nullptr ? child(*status, "disruptedPods") : nullptr;
    Json disrupted = Json::object();
    std::int64_t healthy = 0;
    for (const Json* pod : matching) {
      const std::string name = string_at(meta(*pod), "name");
      if (being_deleted(*pod)) {
        continue;
      }
      if (old_disrupted != nullptr && old_disrupted->is_object() && old_disrupted->contains(name)) {
        disrupted[name] = (*old_disrupted)[name];
        continue;
      }
      healthy += condition_is_true(*pod, "Ready") ? 1 : 0;
    }
    const Json* min_available = spec_field(pdb, "minAvailable");
    const Json* max_unavailable = spec_field(pdb, "maxUnavailable");
    std::int64_t expected = 0;
    std::int64_t desired = 0;
    if (min_available != nullptr && min_available->is_number_integer()) {
      expected = static_cast<std::int64_t>(matching.size());
      desired = min_available->get<std::int64_t>();
    } else {
      expected = expected_scale(s, matching, ns);
      if (min_available != nullptr) {
        desired = scaled(*min_available, expected);
      } else if (max_unavailable != nullptr) {
        desired = std::max<std::int64_t>(0, expected - scaled(*max_unavailable, expected));
      }
    }
    const std::int64_t allowed = std::max<std::int64_t>(0, healthy - desired);
    const std::int64_t generation = meta(pdb).value("generation", std::int64_t{ 1 });
    Json wanted = { { "observedGeneration", generation },
                    { "disruptionsAllowed", allowed },
                    { "currentHealthy", healthy },
                    { "desiredHealthy", desired },
                    { "expectedPods", expected } };
    if (!disrupted.empty()) {
      wanted["disruptedPods"] = disrupted;
    }
    const std::string cond_status = allowed > 0 ? "True" : "False";
    Json cond = { { "type", "DisruptionAllowed" },
                  { "status", cond_status },
                  { "reason", allowed > 0 ? "SufficientPods" : "InsufficientPods" },
                  { "message", "" },
                  { "observedGeneration", generation },
                  { "lastTransitionTime", rfc3339_now() } };
    if (const Json* conds = status != nullptr ? child(*status, "conditions") : nullptr;
        conds != nullptr && conds->is_array()) {
      for (const auto& c : *conds) {
        if (string_at(c, "type") == "DisruptionAllowed" && string_at(c, "status") == cond_status) {
          cond["lastTransitionTime"] = c.value("lastTransitionTime", Json());
        }
      }
    }
    wanted["conditions"] = Json::array({ cond });
    if (status != nullptr && *status == wanted) {
      continue;
    }
    pdb["status"] = std::move(wanted);
    try {
      s.update_status(pdb);
    } catch (const ApiError&) {
      // Changed meanwhile (an eviction took a disruption): that change
      // brings this hook back with the newer budget.
    }
  }
}

bool
scheduled_and_waiting(const Json& pod)
{
  const Json* node = spec_field(pod, "nodeName");
  const Json* status = child(pod, "status");
  return node != nullptr && node->is_string() && !node->get<std::string>().empty() && !being_deleted(pod) &&
         (status == nullptr || string_at(*status, "phase") == "" || string_at(*status, "phase") == "Pending");
}

// The Ready, schedulable node with the fewest pods of this set, then by name.
std::string
pick_node(const KubeTestServer& s, const std::vector<Json>& pods_of_set)
{
  std::map<std::string, int> load;
  for (const auto& p : pods_of_set) {
    if (const Json* n = spec_field(p, "nodeName"); n != nullptr && n->is_string()) {
      ++load[n->get<std::string>()];
    }
  }
  std::string best;
  int best_load = 0;
  auto nodes = s.list("v1", "Node");
  std::sort(nodes.begin(), nodes.end(), [](const Json& a, const Json& b) {
    return string_at(meta(a), "name") < string_at(meta(b), "name");
  });
  for (const auto& node : nodes) {
    const Json* unschedulable = spec_field(node, "unschedulable");
    if ((unschedulable != nullptr && unschedulable->is_boolean() && unschedulable->get<bool>()) ||
        !condition_is_true(node, "Ready")) {
      continue;
    }
    const std::string name = string_at(meta(node), "name");
    const int l = load[name];
    if (best.empty() || l < best_load) {
      best = name;
      best_load = l;
    }
  }
  return best;
}

void
replace_pod(KubeTestServer& s, const Json& deleted)
{
  const Json* owner = controller_of(deleted);
  if (owner == nullptr || string_at(*owner, "kind") != "ReplicaSet") {
    return;
  }
  const std::string ns = string_at(meta(deleted), "namespace");
  const auto rs = s.get("apps/v1", "ReplicaSet", ns, string_at(*owner, "name"));
  if (!rs || being_deleted(*rs) || string_at(meta(*rs), "uid") != string_at(*owner, "uid")) {
    return;
  }
  const Json* replicas_field = spec_field(*rs, "replicas");
  const std::int64_t replicas =
    replicas_field != nullptr && replicas_field->is_number_integer() ? replicas_field->get<std::int64_t>() : 1;
  std::vector<Json> live;
  for (const auto& pod : s.list("v1", "Pod", ns)) {
    const Json* o = controller_of(pod);
    if (o != nullptr && string_at(*o, "uid") == string_at(meta(*rs), "uid") && !being_deleted(pod)) {
      live.push_back(pod);
    }
  }
  if (static_cast<std::int64_t>(live.size()) >= replicas) {
    return;
  }
  const Json* tmpl = spec_field(*rs, "template");
  if (tmpl == nullptr) {
    return;
  }
  Json pod = { { "apiVersion", "v1" },
               { "kind", "Pod" },
               { "metadata",
                 { { "generateName", string_at(meta(*rs), "name") + "-" },
                   { "namespace", ns },
                   { "ownerReferences",
                     Json::array({ { { "apiVersion", "apps/v1" },
                                     { "kind", "ReplicaSet" },
                                     { "name", string_at(meta(*rs), "name") },
                                     { "uid", string_at(meta(*rs), "uid") },
                                     { "controller", true },
                                     { "blockOwnerDeletion", true } } }) } } },
               { "spec", tmpl->value("spec", Json::object()) } };
  if (const Json* labels = child(meta(*tmpl), "labels"); labels != nullptr) {
    pod["metadata"]["labels"] = *labels;
  }
  const std::string node = pick_node(s, live);
  if (!node.empty()) {
    pod["spec"]["nodeName"] = node;
  }
  s.create(pod);
}

void
start_pod(KubeTestServer& s, const Json& pod, const std::vector<std::string>& never_ready)
{
  const Json* owner = controller_of(pod);
  if (owner == nullptr || string_at(*owner, "kind") != "ReplicaSet") {
    return;
  }
  const std::string ns = string_at(meta(pod), "namespace");
  const std::string name = string_at(meta(pod), "name");
  const auto live = s.get("v1", "Pod", ns, name);
  if (!live || !scheduled_and_waiting(*live)) {
    return;
  }
  const bool ready =
    std::find(never_ready.begin(), never_ready.end(), ns + "/" + string_at(*owner, "name")) == never_ready.end();
  const std::string now = rfc3339_now();
  auto cond = [&](const char* type, bool ok) {
    return Json{ { "type", type }, { "status", ok ? "True" : "False" }, { "lastTransitionTime", now } };
  };
  Json status = { { "phase", "Running" },
                  { "startTime", now },
                  { "conditions",
                    Json::array({ cond("PodScheduled", true),
                                  cond("Initialized", true),
                                  cond("ContainersReady", ready),
                                  cond("Ready", ready) }) } };
  try {
    s.merge_patch("v1", "Pod", ns, name, { { "status", status } }, "status");
  } catch (const ApiError&) {
    // Gone meanwhile.
  }
}

} // namespace

int
play_disruption_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent& e) {
    reconcile_budgets(s, string_at(meta(*e.object), "namespace"));
  };
  const int id = server.on({ .group = "policy", .kind = "PodDisruptionBudget", .delay = delay }, hook);
  server.on({ .group = "", .kind = "Pod", .deleted = true, .delay = delay }, hook);
  for (const auto& pdb : server.list("policy/v1", "PodDisruptionBudget")) {
    reconcile_budgets(server, string_at(meta(pdb), "namespace"));
  }
  return id;
}

int
play_replicaset_pods(KubeTestServer& server, ReplicaSetPodsOptions options)
{
  const int id = server.on({ .group = "", .kind = "Pod", .added = false, .modified = false, .deleted = true },
                           [](KubeTestServer& s, const ObjectEvent& e) { replace_pod(s, *e.object); });
  server.on({ .group = "", .kind = "Pod", .added = true, .modified = false, .delay = options.ready_after },
            [never_ready = options.never_ready](KubeTestServer& s, const ObjectEvent& e) {
              start_pod(s, *e.object, never_ready);
            });
  return id;
}

} // namespace ocne::test::kube
