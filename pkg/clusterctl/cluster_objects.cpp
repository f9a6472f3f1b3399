#include "pkg/clusterctl/cluster_objects.hpp"

#include <fmt/format.h>

#include <set>

namespace ocne::clusterctl {

using json = nlohmann::json;

Result<std::string>
core_version(k8s::Client& client)
{
  for (const auto* version : { "v1beta2", "v1beta1" }) {
    auto mapping = client.mapping({ "cluster.x-k8s.io", version, "Cluster" });
    if (mapping) {
      return std::string(version);
    }
    if (mapping.error().kind() != ErrorKind::not_found) {
      return tl::unexpected(mapping.error()); // the cluster did not answer
    }
  }
  return make_error(
    ErrorKind::not_found, "{} serves no cluster.x-k8s.io Cluster (is Cluster API installed there?)", client.describe());
}

Result<std::vector<json>>
cluster_machines(k8s::Client& client, const std::string& version, const std::string& ns, const std::string& cluster)
{
  k8s::ListOptions machines;
  machines.namespace_ = ns;
  machines.label_selector = "cluster.x-k8s.io/cluster-name=" + cluster;
  OCNE_TRY_ASSIGN(auto list, client.list({ "cluster.x-k8s.io", version, "Machine" }, machines));
  return std::move(list.items);
}

// The object a reference names: {apiGroup, kind, name} (v1beta2) or
// {apiVersion, kind, name} (v1beta1).
std::optional<json>
referenced(k8s::Client& client, const json& ref, const std::string& ns)
{
  if (!ref.is_object() || !ref.contains("kind") || !ref.contains("name")) {
    return std::nullopt;
  }
  std::string api_version = ref.value("apiVersion", "");
  if (api_version.empty()) {
    // v1beta2 names the group only: find the served version by discovery.
    for (const auto* version : { "v1beta2", "v1beta1", "v1alpha1" }) {
      const k8s::GroupVersionKind gvk{ ref.value("apiGroup", ""), version, ref.value("kind", "") };
      if (client.mapping(gvk)) {
        api_version = gvk.api_version();
        break;
      }
    }
  }
  if (api_version.empty()) {
    return std::nullopt;
  }
  auto found = client.find({ api_version, ref.value("kind", ""), ns, ref.value("name", "") });
  return found && *found ? std::optional<json>(**found) : std::nullopt;
}

// "Kind ns/name: Type=False (Reason): message" for each condition that is
// not True and says why.
void
failing_conditions(const json& object, std::vector<std::string>& out)
{
  const auto conditions = object.value("status", json::object()).value("conditions", json::array());
  for (const auto& c : conditions) {
    const std::string status = c.value("status", "");
    const std::string message = c.value("message", "");
    // v1beta1's severity Info marks a step still in progress (a machine
    // booting), not something a user has to act on.
    if (status == "True" || message.empty() || c.value("severity", "") == "Info") {
      continue;
    }
    out.push_back(fmt::format("{} {}/{}: {}={} ({}): {}",
                              object.value("kind", "?"),
                              k8s::string_at(object, "/metadata/namespace"),
                              k8s::string_at(object, "/metadata/name"),
                              c.value("type", "?"),
                              status,
                              c.value("reason", "?"),
                              message));
  }
}

std::vector<std::string>
what_controllers_say(k8s::Client& client, const std::string& ns, const std::string& cluster_name)
{
  std::vector<std::string> out;
  std::set<std::string> names; // kind/name of the objects involved
  const auto version = core_version(client);
  if (!version) {
    return out;
  }
  auto found = client.find({ "cluster.x-k8s.io/" + *version, "Cluster", ns, cluster_name });
  if (!found || !*found) {
    return out;
  }
  const json& c = **found;
  failing_conditions(c, out);
  names.insert("Cluster/" + cluster_name);
  if (auto infra = referenced(client, c["spec"].value("infrastructureRef", json()), ns)) {
    failing_conditions(*infra, out);
    names.insert(infra->value("kind", "") + "/" + k8s::string_at(*infra, "/metadata/name"));
  }
  if (auto machines = cluster_machines(client, *version, ns, cluster_name)) {
    for (const auto& m : *machines) {
      failing_conditions(m, out);
      names.insert("Machine/" + k8s::string_at(m, "/metadata/name"));
    }
  }
  k8s::ListOptions events;
  events.namespace_ = ns;
  events.field_selector = "type=Warning";
  if (auto list = client.list({ "", "v1", "Event" }, events)) {
    for (const auto& e : list->items) {
      const json involved = e.value("involvedObject", json::object());
      const std::string key = involved.value("kind", "") + "/" + involved.value("name", "");
      if (names.count(key) > 0) {
        out.push_back(fmt::format("Event on {} {}/{}: {}: {}",
                                  involved.value("kind", "?"),
                                  ns,
                                  involved.value("name", "?"),
                                  e.value("reason", "?"),
                                  e.value("message", "")));
      }
    }
  }
  return out;
}

} // namespace ocne::clusterctl
