#include "pkg/diag/capi_health.hpp"

#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::diag {

using nlohmann::json;

namespace {

const json*
find_condition(const json& object, const std::string& type)
{
  const json* list = nullptr;
  // v1beta1 objects carry the v1beta2 conditions under status.v1beta2.
  for (const char* pointer : { "/status/conditions", "/status/v1beta2/conditions" }) {
    const json::json_pointer p(pointer);
    if (!object.contains(p) || !object.at(p).is_array()) {
      continue;
    }
    list = &object.at(p);
    for (const auto& c : *list) {
      if (c.is_object() && c.value("type", "") == type) {
        return &c;
      }
    }
  }
  return nullptr;
}

std::optional<long>
number_at(const json& object, const char* pointer)
{
  const json::json_pointer p(pointer);
  if (object.contains(p) && object.at(p).is_number_integer()) {
    return object.at(p).get<long>();
  }
  return std::nullopt;
}

// Problems from conditions: the first of these types present decides.
void
check_conditions(const json& object, std::initializer_list<const char*> types, std::vector<std::string>& problems)
{
  for (const char* type : types) {
    const auto status = condition_status(object, type);
    if (status.empty()) {
      continue;
    }
    if (status != "True") {
      const auto message = condition_message(object, type);
      problems.push_back(fmt::format("{} is {}{}", type, status, message.empty() ? "" : ": " + message));
    }
    return;
  }
}

void
check_replicas(CapiHealth& h)
{
  if (!h.replicas) {
    return;
  }
  if (h.up_to_date < *h.replicas) {
    h.problems.push_back(fmt::format("rollout not done: {} of {} replicas up to date", h.up_to_date, *h.replicas));
  }
  if (h.ready < *h.replicas) {
    h.problems.push_back(fmt::format("{} of {} replicas ready", h.ready, *h.replicas));
  }
}

} // namespace

std::string
condition_status(const json& object, const std::string& type)
{
  const json* c = find_condition(object, type);
  return c != nullptr ? c->value("status", "") : std::string();
}

std::string
condition_message(const json& object, const std::string& type)
{
  const json* c = find_condition(object, type);
  if (c == nullptr) {
    return {};
  }
  auto message = c->value("message", "");
  return message.empty() ? c->value("reason", "") : message;
}

CapiHealth
capi_health(const json& object)
{
  CapiHealth h;
  h.kind = k8s::string_at(object, "/kind");
  h.namespace_ = k8s::string_at(object, "/metadata/namespace");
  h.name = k8s::string_at(object, "/metadata/name");
  h.phase = k8s::string_at(object, "/status/phase");
  const bool deleting = !k8s::string_at(object, "/metadata/deletionTimestamp").empty();
  if (h.kind == "Cluster") {
    h.version = k8s::string_at(object, "/spec/topology/version");
    check_conditions(object, { "Available", "Ready" }, h.problems);
    if (!h.phase.empty() && h.phase != "Provisioned") {
      h.problems.push_back("phase " + h.phase);
    }
  } else if (h.kind == "KubeadmControlPlane" || h.kind == "MachineDeployment") {
    h.version = k8s::string_at(object, h.kind == "MachineDeployment" ? "/spec/template/spec/version" : "/spec/version");
    h.replicas = number_at(object, "/spec/replicas");
    h.ready = number_at(object, "/status/readyReplicas").value_or(0);
    // v1beta2 says upToDateReplicas, v1beta1 updatedReplicas.
    h.up_to_date =
      number_at(object, "/status/upToDateReplicas").value_or(number_at(object, "/status/updatedReplicas").value_or(0));
    check_conditions(object, { "Available", "Ready" }, h.problems);
    check_replicas(h);
  } else if (h.kind == "Machine") {
    h.version = k8s::string_at(object, "/spec/version");
    check_conditions(object, { "Ready" }, h.problems);
    check_conditions(object, { "NodeHealthy" }, h.problems);
    if (h.phase == "Failed") {
      const auto reason = k8s::string_at(object, "/status/failureMessage");
      h.problems.push_back("phase Failed" + (reason.empty() ? std::string() : ": " + reason));
    }
  }
  if (deleting) {
    h.problems.push_back("being deleted");
  }
  return h;
}

} // namespace ocne::diag
