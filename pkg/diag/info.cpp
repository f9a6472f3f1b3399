#include "pkg/diag/info.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/capi_resources.hpp"
#include "pkg/diag/node_files.hpp"
#include "pkg/diag/table.hpp"
#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace ocne::diag {

using nlohmann::json;

NodeInfo
node_info(const json& node)
{
  NodeInfo n;
  n.name = k8s::string_at(node, "/metadata/name");
  n.control_plane = k8s::has_label(node, "node-role.kubernetes.io/control-plane") ||
                    k8s::has_label(node, "node-role.kubernetes.io/master");
  n.cordoned = node.contains("spec") && node["spec"].value("unschedulable", false);
  n.ready = condition_status(node, "Ready") == "True";
  if (!n.ready) {
    n.ready_message = condition_message(node, "Ready");
  }
  n.kubelet_version = k8s::string_at(node, "/status/nodeInfo/kubeletVersion");
  n.os_image = k8s::string_at(node, "/status/nodeInfo/osImage");
  n.kernel_version = k8s::string_at(node, "/status/nodeInfo/kernelVersion");
  n.container_runtime = k8s::string_at(node, "/status/nodeInfo/containerRuntimeVersion");
  n.update_available =
    k8s::string_at(node, "/metadata/annotations/" + std::string("ocne.oracle.com~1update-available")) == "true";
  // ocne.oracle.com/node-update (pkg/upgrade depends on this library, so the
  // record is read here by its fields).
  const auto journal = k8s::string_at(node, "/metadata/annotations/ocne.oracle.com~1node-update");
  if (!journal.empty()) {
    const auto record = json::parse(journal, nullptr, false);
    const auto text = [&](const char* key) {
      const auto v = record.value(key, json());
      return v.is_string() ? v.get<std::string>() : std::string();
    };
    if (record.is_object()) {
      n.update_phase = text("phase").empty() ? "unreadable" : text("phase");
      n.update_since = text("since");
      n.update_owner = text("owner");
    } else {
      n.update_phase = "unreadable";
    }
  }
  return n;
}

void
add_node_details(NodeInfo& node, NodeDetails details)
{
  node.update_available = node.update_available || details.update_staged();
  node.details = std::move(details);
}

Result<ClusterInfo>
collect_info(k8s::Client& client, const InfoOptions& options)
{
  ClusterInfo info;
  info.server = client.access().server;
  OCNE_TRY_ASSIGN(info.server_version, client.server_version());
  OCNE_TRY_ASSIGN(auto nodes, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  std::set<std::string> wanted(options.nodes.begin(), options.nodes.end());
  std::set<std::string> seen;
  for (const auto& node : nodes.items) {
    auto n = node_info(node);
    if (!wanted.empty() && wanted.count(n.name) == 0) {
      continue;
    }
    seen.insert(n.name);
    info.nodes.push_back(std::move(n));
  }
  std::vector<std::string> missing;
  for (const auto& name : options.nodes) {
    if (seen.count(name) == 0) {
      missing.push_back(name);
    }
  }
  if (!missing.empty()) {
    return make_error(ErrorKind::invalid_input, "no such node: {}", str::join(missing, ", "));
  }
  std::sort(info.nodes.begin(), info.nodes.end(), [](const NodeInfo& a, const NodeInfo& b) {
    return std::tie(b.control_plane, a.name) < std::tie(a.control_plane, b.name);
  });
  if (options.node_files) {
    std::map<std::string, std::map<std::string, std::string>> files;
    NodeFilesOptions nf;
    nf.nodes = options.nodes;
    nf.set = NodeFileSet::summary;
    nf.purpose = "info";
    if (!options.node_image.empty()) {
      nf.image = options.node_image;
    }
    OCNE_TRY(collect_node_files(
      client,
      nf,
      [&](const std::string& node, const std::string& file, std::string content) -> Status {
        files[node][file] = std::move(content);
        return {};
      },
      [](const std::string& what, const std::string& why) { log::warn("{}: {}", what, why); }));
    for (auto& n : info.nodes) {
      if (const auto at = files.find(n.name); at != files.end()) {
        add_node_details(n, node_details(at->second));
      }
    }
  }
  if (options.management != nullptr) {
    info.capi_source = options.management->access().server;
    OCNE_TRY_ASSIGN(auto capi,
                    list_capi(*options.management, { "Cluster", "KubeadmControlPlane", "MachineDeployment" }));
    // Only this cluster's: its Cluster, the control plane it names, the
    // MachineDeployments of spec.clusterName.
    std::string control_plane;
    for (const auto& o : capi) {
      if (k8s::string_at(o, "/kind") == "Cluster" && k8s::string_at(o, "/metadata/name") == options.capi_cluster &&
          k8s::string_at(o, "/metadata/namespace") == options.capi_namespace) {
        control_plane = k8s::string_at(o, "/spec/controlPlaneRef/name");
      }
    }
    for (const auto& o : capi) {
      if (k8s::string_at(o, "/metadata/namespace") != options.capi_namespace) {
        continue;
      }
      const auto kind = k8s::string_at(o, "/kind");
      const auto name = k8s::string_at(o, "/metadata/name");
      const bool labelled =
        k8s::string_at(o, "/metadata/labels/cluster.x-k8s.io~1cluster-name") == options.capi_cluster;
      if ((kind == "Cluster" && name == options.capi_cluster) ||
          (kind == "KubeadmControlPlane" && (name == control_plane || labelled)) ||
          (kind == "MachineDeployment" && k8s::string_at(o, "/spec/clusterName") == options.capi_cluster)) {
        info.capi.push_back(capi_health(o));
      }
    }
  } else {
    OCNE_TRY_ASSIGN(auto capi, list_capi(client, { "Cluster", "KubeadmControlPlane", "MachineDeployment" }));
    for (const auto& object : capi) {
      info.capi.push_back(capi_health(object));
    }
  }
  return info;
}

namespace {

std::string
node_state(const NodeInfo& n)
{
  return std::string(n.ready ? "Ready" : "NotReady") + (n.cordoned ? ",SchedulingDisabled" : "");
}

std::string
replicas_text(const CapiHealth& h)
{
  if (!h.replicas) {
    return "";
  }
  return fmt::format("{}/{}/{}", h.ready, h.up_to_date, *h.replicas);
}

// Each line of text under a heading; "(none)" when there is nothing.
std::string
indented(const std::string& text, const std::string& prefix)
{
  std::string out;
  for (const auto& line : str::split(text, '\n')) {
    if (!str::trim(line).empty()) {
      out += prefix + line + "\n";
    }
  }
  return out.empty() ? prefix + "(none)\n" : out;
}

} // namespace

std::string
format_info(const ClusterInfo& info)
{
  const auto control_planes =
    std::count_if(info.nodes.begin(), info.nodes.end(), [](const NodeInfo& n) { return n.control_plane; });
  const auto updatable =
    std::count_if(info.nodes.begin(), info.nodes.end(), [](const NodeInfo& n) { return n.update_available; });
  std::string out = "Cluster Summary:\n";
  out += fmt::format("  API server: {} ({})\n", info.server, info.server_version);
  out += fmt::format("  control plane nodes: {}\n", control_planes);
  out += fmt::format("  worker nodes: {}\n", static_cast<long>(info.nodes.size()) - control_planes);
  out += fmt::format("  nodes with available updates: {}\n", updatable);
  out += "\nNodes:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : info.nodes) {
    rows.push_back({ n.name,
                     n.control_plane ? "control plane" : "worker",
                     node_state(n),
                     n.kubelet_version,
                     n.os_image,
                     n.update_available ? "true" : "false" });
  }
  out += format_table({ "NAME", "ROLE", "STATE", "VERSION", "OS", "UPDATE AVAILABLE" }, rows, "  ");
  bool unfinished = false;
  for (const auto& n : info.nodes) {
    if (n.update_phase.empty()) {
      continue;
    }
    if (!unfinished) {
      out += "\nUnfinished node updates:\n";
      unfinished = true;
    }
    out += fmt::format("  {}: {}{}{}; 'ocne node update -N {}' continues it\n",
                       n.name,
                       n.update_phase,
                       n.update_since.empty() ? "" : ", begun " + n.update_since,
                       n.update_owner.empty() ? "" : " by " + n.update_owner,
                       n.name);
  }
  if (!info.capi.empty()) {
    out += info.capi_source.empty() ? "\nCluster API:\n"
                                    : "\nCluster API (from the management cluster at " + info.capi_source + "):\n";
    rows.clear();
    for (const auto& h : info.capi) {
      rows.push_back({ h.kind,
                       h.namespace_ + "/" + h.name,
                       h.version,
                       replicas_text(h),
                       h.problems.empty() ? "healthy" : str::join(h.problems, "; ") });
    }
    out += format_table({ "KIND", "NAME", "VERSION", "READY/UP-TO-DATE/DESIRED", "HEALTH" }, rows, "  ");
  }
  for (const auto& n : info.nodes) {
    if (!n.details.collected) {
      continue;
    }
    out += fmt::format("\nNode {}:\n", n.name);
    out += "  Registry and tag for ostree patch images:\n" + indented(n.details.update_source, "    ");
    out += "  Ostree deployments:\n" + indented(n.details.deployments, "    ");
    if (n.details.update_staged()) {
      out += fmt::format("  Staged update: {} (booted {})\n", n.details.staged_commit, n.details.booted_commit);
    }
    if (!n.details.failed_units.empty()) {
      out += "  Failed units: " + str::join(n.details.failed_units, ", ") + "\n";
    }
  }
  return out;
}

json
info_json(const ClusterInfo& info)
{
  json nodes = json::array();
  for (const auto& n : info.nodes) {
    json node = { { "name", n.name },
                  { "role", n.control_plane ? "control-plane" : "worker" },
                  { "ready", n.ready },
                  { "cordoned", n.cordoned },
                  { "kubeletVersion", n.kubelet_version },
                  { "osImage", n.os_image },
                  { "kernelVersion", n.kernel_version },
                  { "containerRuntime", n.container_runtime },
                  { "updateAvailable", n.update_available } };
    if (!n.ready) {
      node["notReadyMessage"] = n.ready_message;
    }
    if (!n.update_phase.empty()) {
      node["nodeUpdate"] = { { "phase", n.update_phase }, { "since", n.update_since }, { "owner", n.update_owner } };
    }
    if (n.details.collected) {
      node["updateSource"] = n.details.update_source;
      node["ostreeDeployments"] = n.details.deployments;
      node["bootedCommit"] = n.details.booted_commit;
      node["stagedCommit"] = n.details.staged_commit;
      node["failedUnits"] = n.details.failed_units;
    }
    nodes.push_back(std::move(node));
  }
  json capi = json::array();
  for (const auto& h : info.capi) {
    json o = { { "kind", h.kind },       { "namespace", h.namespace_ },     { "name", h.name },
               { "version", h.version }, { "healthy", h.problems.empty() }, { "problems", h.problems } };
    if (!h.phase.empty()) {
      o["phase"] = h.phase;
    }
    if (h.replicas) {
      o["replicas"] = { { "desired", *h.replicas }, { "ready", h.ready }, { "upToDate", h.up_to_date } };
    }
    capi.push_back(std::move(o));
  }
  return { { "server", info.server },
           { "serverVersion", info.server_version },
           { "nodes", std::move(nodes) },
           { "clusterAPI", std::move(capi) },
           { "clusterAPISource", info.capi_source.empty() ? info.server : info.capi_source } };
}

} // namespace ocne::diag
