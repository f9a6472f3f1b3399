// POST pods/<name>/eviction, answered by the rules of kube-apiserver's
// eviction subresource (pkg/registry/core/pod/storage/eviction.go): a pod
// that is not running (Pending, Succeeded, Failed) or already being deleted
// goes without asking any budget; otherwise the one PodDisruptionBudget whose
// selector matches the pod must allow a disruption, which the eviction takes
// (disruptionsAllowed - 1, the pod in disruptedPods) before deleting the pod.
// A budget that says no, or that the disruption controller has not seen yet,
// is a 429 with a DisruptionBudget cause, as clients such as kubectl drain
// expect and retry.

#include "tests/servers/kube/api_server.hpp"

#include <algorithm>

namespace ocne::test::kube {

namespace {

const char* const k_refused = "Cannot evict pod as it would violate the pod's disruption budget.";

const Json&
metadata(const Json& obj)
{
  static const Json empty = Json::object();
  const Json* m = child(obj, "metadata");
  return m != nullptr && m->is_object() ? *m : empty;
}

bool
pod_ready(const Json& pod)
{
  const Json* status = child(pod, "status");
  const Json* conds = status != nullptr ? child(*status, "conditions") : nullptr;
  if (conds == nullptr || !conds->is_array()) {
    return false;
  }
  return std::any_of(conds->begin(), conds->end(), [](const Json& c) {
    return string_at(c, "type") == "Ready" && string_at(c, "status") == "True";
  });
}

std::int64_t
status_int(const Json& pdb, const char* field)
{
  const Json* status = child(pdb, "status");
  const Json* v = status != nullptr ? child(*status, field) : nullptr;
  return v != nullptr && v->is_number_integer() ? v->get<std::int64_t>() : 0;
}

ApiError
budget_refusal(const std::string& cause, int retry_after)
{
  ApiError e(429, "TooManyRequests", k_refused);
  e.with_cause("DisruptionBudget", cause, "");
  if (retry_after > 0) {
    e.with_retry_after(retry_after);
  }
  return e;
}

// Status{Success} as the create handler sends it (code 201).
Json
success()
{
  return { { "kind", "Status" },
           { "apiVersion", "v1" },
           { "metadata", Json::object() },
           { "status", "Success" },
           { "code", 201 } };
}

// A protobuf reader for the few messages an Eviction holds. kubectl's typed
// client sends it as "k8s\0" + runtime.Unknown{typeMeta=1{apiVersion=1,
// kind=2}, raw=2}, raw being policy.Eviction{metadata=1{name=1,
// namespace=3}, deleteOptions=2{gracePeriodSeconds=1, dryRun=5}}.
class Proto
{
public:
  explicit Proto(std::string_view data) : m_data(data)
  {
  }
  // The next field: its number, and its bytes (length-delimited) or value (varint).
  bool
  next(int& field, std::string_view& bytes, std::uint64_t& value)
  {
    if (m_pos >= m_data.size()) {
      return false;
    }
    const std::uint64_t key = varint();
    field = static_cast<int>(key >> 3);
    switch (key & 7) {
      case 0:
        value = varint();
        return true;
      case 2: {
        const auto n = varint();
        if (n > m_data.size() - m_pos) {
          throw err_bad_request("couldn't decode Eviction: truncated protobuf");
        }
        bytes = m_data.substr(m_pos, n);
        m_pos += n;
        return true;
      }
      case 1:
        skip(8);
        return true;
      case 5:
        skip(4);
        return true;
      default:
        throw err_bad_request("couldn't decode Eviction: unsupported protobuf wire type");
    }
  }

private:
  std::uint64_t
  varint()
  {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_pos >= m_data.size()) {
        throw err_bad_request("couldn't decode Eviction: truncated protobuf");
      }
      const auto b = static_cast<unsigned char>(m_data[m_pos++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw err_bad_request("couldn't decode Eviction: bad varint");
  }
  void
  skip(std::size_t n)
  {
    if (n > m_data.size() - m_pos) {
      throw err_bad_request("couldn't decode Eviction: truncated protobuf");
    }
    m_pos += n;
  }
  std::string_view m_data;
  std::size_t m_pos = 0;
};

Json
eviction_from_protobuf(std::string_view body)
{
  if (body.substr(0, 4) != std::string_view("k8s\0", 4)) {
    throw err_bad_request("couldn't decode Eviction: no protobuf envelope");
  }
  Json out = Json::object();
  int field = 0;
  std::string_view bytes;
  std::uint64_t value = 0;
  std::string_view raw;
  for (Proto unknown(body.substr(4)); unknown.next(field, bytes, value);) {
    if (field == 1) {
      for (Proto type_meta(bytes); type_meta.next(field, bytes, value);) {
        if (field == 1 || field == 2) {
          out[field == 1 ? "apiVersion" : "kind"] = std::string(bytes);
        }
      }
    } else if (field == 2) {
      raw = bytes;
    }
  }
  for (Proto eviction(raw); eviction.next(field, bytes, value);) {
    if (field == 1) {
      for (Proto meta(bytes); meta.next(field, bytes, value);) {
        if (field == 1 || field == 3) {
          out["metadata"][field == 1 ? "name" : "namespace"] = std::string(bytes);
        }
      }
    } else if (field == 2) {
      Json options = Json::object();
      for (Proto opts(bytes); opts.next(field, bytes, value);) {
        if (field == 1) {
          options["gracePeriodSeconds"] = static_cast<std::int64_t>(value);
        } else if (field == 5) {
          options["dryRun"].push_back(std::string(bytes));
        }
      }
      out["deleteOptions"] = std::move(options);
    }
  }
  return out;
}

} // namespace

bool
ApiServer::handle_pod_eviction(const HttpRequest& req, HttpResponse& res)
{
  const auto parts = split_path(req.path);
  if (parts.size() != 7 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces" || parts[4] != "pods" ||
      parts[6] != "eviction") {
    return false;
  }
  if (req.method != "POST") {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  const std::string& ns = parts[3];
  const std::string& name = parts[5];
  Json eviction;
  if (req.header("content-type").rfind("application/vnd.kubernetes.protobuf", 0) == 0) {
    eviction = eviction_from_protobuf(req.body);
  } else {
    try {
      eviction = parse_json_or_yaml(req.body);
    } catch (const std::invalid_argument& e) {
      throw err_bad_request(std::string("couldn't decode Eviction: ") + e.what());
    }
  }
  const std::string api_version = string_at(eviction, "apiVersion");
  if (!eviction.is_object() || string_at(eviction, "kind") != "Eviction" ||
      (api_version != "policy/v1" && api_version != "policy/v1beta1")) {
    throw err_bad_request("the body must be an Eviction of policy/v1 or policy/v1beta1");
  }
  if (string_at(metadata(eviction), "name") != name) {
    throw err_bad_request("name in URL does not match name in Eviction object");
  }
  bool dry_run = req.query_param("dryRun").value_or("") == "All";
  const Json* options = child(eviction, "deleteOptions");
  if (options != nullptr) {
    if (const Json* d = child(*options, "dryRun"); d != nullptr && d->is_array() && !d->empty()) {
      dry_run = true;
    }
  }

  const std::lock_guard lock(m_mutex);
  const auto pods = type_by_plural("", "pods");
  const auto budgets = type_by_plural("policy", "poddisruptionbudgets");
  const ObjectKey pod_key{ "", "pods", ns, name };
  const ObjectPtr pod = find(pod_key);
  if (!pod) {
    throw err_not_found("", "pods", name);
  }
  auto evict = [&] {
    if (!dry_run) {
      begin_deletion(*pods, pod_key, "Background");
      settle();
    }
    res.status = 201;
    res.body = success().dump();
    res.set_header("Content-Type", "application/json");
    return true;
  };

  // Pods that cause no disruption by going.
  const std::string phase = child(*pod, "status") != nullptr ? string_at((*pod)["status"], "phase") : "";
  if (phase == "Succeeded" || phase == "Failed" || phase == "Pending" ||
      child(metadata(*pod), "deletionTimestamp") != nullptr) {
    return evict();
  }

  // The budgets whose selector picks the pod (an empty selector picks none).
  const Json* labels = child(metadata(*pod), "labels");
  std::vector<ObjectPtr> matching;
  if (const auto bucket = m_objects.find({ "policy", "poddisruptionbudgets" }); bucket != m_objects.end()) {
    for (const auto& [key, pdb] : bucket->second) {
      if (key.first != ns) {
        continue;
      }
      const Json* spec = child(*pdb, "spec");
      const Json* selector = spec != nullptr ? child(*spec, "selector") : nullptr;
      if (selector == nullptr || !selector->is_object() || selector->empty() ||
          (child(*selector, "matchLabels") == nullptr && child(*selector, "matchExpressions") == nullptr)) {
        continue;
      }
      if (label_selector_matches(selector, labels != nullptr ? *labels : Json::object())) {
        matching.push_back(pdb);
      }
    }
  }
  if (matching.size() > 1) {
    ApiError e(500,
               "InternalError",
               "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    throw e;
  }
  if (matching.empty()) {
    return evict();
  }
  const Json& pdb = *matching.front();
  const std::string pdb_name = string_at(metadata(pdb), "name");
  const std::int64_t current = status_int(pdb, "currentHealthy");
  const std::int64_t desired = status_int(pdb, "desiredHealthy");

  // An unready pod does not count as healthy: it may go while the budget
  // is met (IfHealthyBudget) or always (AlwaysAllow).
  if (!pod_ready(*pod)) {
    const Json* spec = child(pdb, "spec");
    const std::string policy = spec != nullptr ? string_at(*spec, "unhealthyPodEvictionPolicy") : "";
    if (policy == "AlwaysAllow" || (current >= desired && desired > 0)) {
      return evict();
    }
  }

  const Json& meta = metadata(pdb);
  const std::int64_t generation = meta.value("generation", std::int64_t{ 0 });
  if (status_int(pdb, "observedGeneration") < generation) {
    throw budget_refusal("The disruption budget " + pdb_name + " is still being processed by the server.", 10);
  }
  const std::int64_t allowed = status_int(pdb, "disruptionsAllowed");
  if (allowed < 0) {
    ApiError e(403,
               "Forbidden",
               "poddisruptionbudgets.policy \"" + pdb_name + "\" is forbidden: pdb disruptions allowed is negative");
    e.with_details(pdb_name, "policy", "poddisruptionbudgets");
    throw e;
  }
  const Json* status = child(pdb, "status");
  const Json* disrupted = status != nullptr ? child(*status, "disruptedPods") : nullptr;
  if (disrupted != nullptr && disrupted->is_object() && disrupted->size() > 2000) {
    ApiError e(403,
               "Forbidden",
               "poddisruptionbudgets.policy \"" + pdb_name +
                 "\" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller");
    e.with_details(pdb_name, "policy", "poddisruptionbudgets");
    throw e;
  }
  if (allowed == 0) {
    throw budget_refusal("The disruption budget " + pdb_name + " needs " + std::to_string(desired) +
                           " healthy pods and has " + std::to_string(current) + " currently",
                         0);
  }
  if (dry_run) {
    return evict();
  }
  Json updated = pdb;
  updated["status"]["disruptionsAllowed"] = allowed - 1;
  updated["status"]["disruptedPods"][name] = now();
  if (allowed - 1 == 0) {
    Json& conds = updated["status"]["conditions"];
    if (!conds.is_array()) {
      conds = Json::array();
    }
    Json cond = { { "type", "DisruptionAllowed" },      { "status", "False" },
                  { "reason", "InsufficientPods" },     { "message", "" },
                  { "observedGeneration", generation }, { "lastTransitionTime", now() } };
    auto it = std::find_if(
      conds.begin(), conds.end(), [](const Json& c) { return string_at(c, "type") == "DisruptionAllowed"; });
    if (it == conds.end()) {
      conds.push_back(std::move(cond));
    } else if (string_at(*it, "status") != "False") {
      *it = std::move(cond);
    }
  }
  commit(*budgets, { "policy", "poddisruptionbudgets", ns, pdb_name }, std::move(updated), "MODIFIED");
  return evict();
}

} // namespace ocne::test::kube
