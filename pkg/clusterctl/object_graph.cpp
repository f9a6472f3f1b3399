// Discovery of the Cluster API object graph and the move order (see
// object_graph.hpp and mover.hpp).

#include "pkg/clusterctl/object_graph.hpp"

#include "pkg/clusterctl/mover.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace ocne::clusterctl {

using nlohmann::json;

namespace {

constexpr std::string_view k_clusterctl_label = "clusterctl.cluster.x-k8s.io";
constexpr std::string_view k_move_label = "clusterctl.cluster.x-k8s.io/move";
constexpr std::string_view k_hierarchy_label = "clusterctl.cluster.x-k8s.io/move-hierarchy";
constexpr std::string_view k_capi_group = "cluster.x-k8s.io";
const std::vector<std::string> k_soft_secret_suffixes = { "kubeconfig", "ca",    "etcd",
                                                          "sa",         "proxy", "apiserver-etcd-client" };

struct DiscoveredType
{
  k8s::GroupVersionKind gvk;
  bool namespaced = true;
  bool force_move = false; // CRD labelled .../move
  bool hierarchy = false;  // CRD labelled .../move-hierarchy
};

// One object of the source (or a referenced owner that was not listed).
struct GraphNode
{
  MoveNode node;
  json labels;
  bool is_virtual = false;
  bool force_move = false;
  bool root = false;
  bool moves = false;
  std::vector<std::size_t> dependents; // reverse of owners + soft owners
  json object;
};

std::string
storage_version(const json& crd)
{
  const auto versions = crd["spec"].find("versions");
  if (versions == crd["spec"].end() || !versions->is_array()) {
    return {};
  }
  for (const auto& v : *versions) {
    if (v.value("storage", false)) {
      return k8s::string_at(v, "/name");
    }
  }
  return versions->empty() ? std::string() : k8s::string_at(versions->front(), "/name");
}

Result<std::vector<DiscoveredType>>
discover_types(k8s::Client& source, std::vector<std::string>& notes)
{
  const k8s::GroupVersionKind crd_gvk{ "apiextensions.k8s.io", "v1", "CustomResourceDefinition" };
  k8s::ListOptions labelled;
  labelled.label_selector = std::string(k_clusterctl_label);
  OCNE_TRY_ASSIGN(auto crds, source.list(crd_gvk, labelled));
  if (crds.items.empty()) {
    // Installed without clusterctl init: take the Cluster API groups instead.
    OCNE_TRY_ASSIGN(auto all, source.list(crd_gvk));
    for (auto& crd : all.items) {
      const auto group = k8s::string_at(crd, "/spec/group");
      if (group == k_capi_group || str::ends_with(group, "." + std::string(k_capi_group))) {
        crds.items.push_back(std::move(crd));
      }
    }
    if (!crds.items.empty()) {
      notes.push_back(fmt::format("no CRD carries the {} label; using the {} CRDs of the *.{} groups",
                                  k_clusterctl_label,
                                  crds.items.size(),
                                  k_capi_group));
    }
  }
  std::vector<DiscoveredType> out;
  for (const auto& crd : crds.items) {
    const auto group = k8s::string_at(crd, "/spec/group");
    if (group == "clusterctl.cluster.x-k8s.io") {
      continue; // the provider inventory belongs to its management cluster
    }
    DiscoveredType t;
    t.gvk = k8s::GroupVersionKind{ group, storage_version(crd), k8s::string_at(crd, "/spec/names/kind") };
    t.namespaced = k8s::string_at(crd, "/spec/scope") != "Cluster";
    t.force_move = k8s::has_label(crd, k_move_label);
    t.hierarchy = k8s::has_label(crd, k_hierarchy_label);
    if (t.gvk.version.empty() || t.gvk.kind.empty()) {
      continue;
    }
    out.push_back(std::move(t));
  }
  out.push_back({ k8s::GroupVersionKind{ "", "v1", "Secret" }, true, false, false });
  out.push_back({ k8s::GroupVersionKind{ "", "v1", "ConfigMap" }, true, false, false });
  return out;
}

bool
is_root_kind(const k8s::GroupVersionKind& gvk)
{
  return (gvk.group == k_capi_group && (gvk.kind == "Cluster" || gvk.kind == "ClusterClass")) ||
         (gvk.group == "addons.cluster.x-k8s.io" && gvk.kind == "ClusterResourceSet");
}

class Graph
{
public:
  std::vector<GraphNode> nodes;
  std::map<std::string, std::size_t> by_uid;
  std::map<std::string, std::size_t> by_identity; // "group/Kind/ns/name"

  static std::string
  identity(const std::string& api_version, const std::string& kind, const std::string& ns, const std::string& name)
  {
    return k8s::GroupVersionKind::from(api_version, kind).group + "/" + kind + "/" + ns + "/" + name;
  }

  std::size_t
  add(json object, const DiscoveredType& type)
  {
    const auto uid = k8s::string_at(object, "/metadata/uid");
    GraphNode g;
    g.node.ref = k8s::ObjectRef{ type.gvk.api_version(),
                                 type.gvk.kind,
                                 type.namespaced ? k8s::string_at(object, "/metadata/namespace") : "",
                                 k8s::string_at(object, "/metadata/name") };
    g.node.uid = uid;
    g.node.global = !type.namespaced;
    g.force_move = type.force_move || k8s::has_label(object, k_move_label);
    g.root = is_root_kind(type.gvk) || type.hierarchy || k8s::has_label(object, k_hierarchy_label);
    g.node.block_move = k8s::has_annotation(object, "clusterctl.cluster.x-k8s.io/block-move");
    g.object = std::move(object);
    if (const auto it = by_uid.find(uid); it != by_uid.end() && nodes[it->second].is_virtual) {
      // A virtual owner seen earlier turns out to be listed: fill it in.
      auto& existing = nodes[it->second];
      g.dependents = std::move(existing.dependents);
      existing = std::move(g);
      index_identity(it->second);
      return it->second;
    }
    nodes.push_back(std::move(g));
    by_uid[uid] = nodes.size() - 1;
    index_identity(nodes.size() - 1);
    return nodes.size() - 1;
  }

  void
  index_identity(std::size_t i)
  {
    const auto& r = nodes[i].node.ref;
    by_identity[identity(r.api_version, r.kind, r.namespace_, r.name)] = i;
  }

  std::optional<std::size_t>
  find(const std::string& api_version, const std::string& kind, const std::string& ns, const std::string& name) const
  {
    if (auto it = by_identity.find(identity(api_version, kind, ns, name)); it != by_identity.end()) {
      return it->second;
    }
    if (auto it = by_identity.find(identity(api_version, kind, "", name)); it != by_identity.end()) {
      return it->second; // a cluster-scoped object
    }
    return std::nullopt;
  }

  void
  link_owners()
  {
    const auto count = nodes.size();
    for (std::size_t i = 0; i < count; ++i) {
      const auto refs = nodes[i].object["metadata"].find("ownerReferences");
      if (refs == nodes[i].object["metadata"].end() || !refs->is_array()) {
        continue;
      }
      for (const auto& ref : *refs) {
        const auto uid = k8s::string_at(ref, "/uid");
        std::size_t owner;
        if (const auto it = by_uid.find(uid); it != by_uid.end()) {
          owner = it->second;
        } else {
          GraphNode v;
          v.is_virtual = true;
          v.node.uid = uid;
          v.node.ref = k8s::ObjectRef{ k8s::string_at(ref, "/apiVersion"),
                                       k8s::string_at(ref, "/kind"),
                                       nodes[i].node.ref.namespace_,
                                       k8s::string_at(ref, "/name") };
          nodes.push_back(std::move(v));
          owner = nodes.size() - 1;
          by_uid[uid] = owner;
        }
        nodes[i].node.owners.push_back(owner);
        nodes[owner].dependents.push_back(i);
      }
    }
  }

  void
  add_soft_owner(std::size_t child, std::size_t owner)
  {
    auto& so = nodes[child].node.soft_owners;
    if (child == owner || std::find(so.begin(), so.end(), owner) != so.end()) {
      return;
    }
    so.push_back(owner);
    nodes[owner].dependents.push_back(child);
  }

  void
  link_soft_owners()
  {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto& n = nodes[i];
      if (n.is_virtual) {
        continue;
      }
      const auto gvk = n.node.ref.gvk();
      if (gvk.kind == "Secret" && gvk.group.empty() && n.node.owners.empty()) {
        for (const auto& suffix : k_soft_secret_suffixes) {
          const auto& name = n.node.ref.name;
          if (name.size() > suffix.size() + 1 && str::ends_with(name, "-" + suffix)) {
            const auto cluster = name.substr(0, name.size() - suffix.size() - 1);
            if (auto c = find_kind(k_capi_group, "Cluster", n.node.ref.namespace_, cluster)) {
              add_soft_owner(i, *c);
            }
          }
        }
      }
      if (gvk.group == k_capi_group && gvk.kind == "Cluster") {
        // Clusters built from a ClusterClass depend on it.
        auto cls = k8s::string_at(n.object, "/spec/topology/class");
        auto cls_ns = k8s::string_at(n.object, "/spec/topology/classNamespace");
        if (cls.empty()) {
          cls = k8s::string_at(n.object, "/spec/topology/classRef/name");
          cls_ns = k8s::string_at(n.object, "/spec/topology/classRef/namespace");
        }
        if (!cls.empty()) {
          if (auto c = find_kind(k_capi_group, "ClusterClass", cls_ns.empty() ? n.node.ref.namespace_ : cls_ns, cls)) {
            add_soft_owner(i, *c);
          }
        }
      }
      if (gvk.group == "addons.cluster.x-k8s.io" && gvk.kind == "ClusterResourceSetBinding") {
        auto cluster = k8s::string_at(n.object, "/spec/clusterName");
        if (cluster.empty()) {
          cluster = n.node.ref.name;
        }
        if (auto c = find_kind(k_capi_group, "Cluster", n.node.ref.namespace_, cluster)) {
          add_soft_owner(i, *c);
        }
      }
      // Infrastructure identities (spec.identityRef) and the secrets they
      // name are copied along but never deleted: other clusters may use them.
      if (const auto kind = k8s::string_at(n.object, "/spec/identityRef/kind"); !kind.empty()) {
        const auto name = k8s::string_at(n.object, "/spec/identityRef/name");
        auto ns = k8s::string_at(n.object, "/spec/identityRef/namespace");
        if (auto id = find_kind_any_version(gvk.group, kind, ns.empty() ? n.node.ref.namespace_ : ns, name)) {
          add_soft_owner(*id, i);
          nodes[*id].node.copy_only = true;
          for (const char* field : { "/spec/principalSecret", "/spec/secretRef", "/spec/credentialsSecret" }) {
            const auto sname = k8s::string_at(nodes[*id].object, std::string(field) + "/name");
            auto sns = k8s::string_at(nodes[*id].object, std::string(field) + "/namespace");
            if (sname.empty()) {
              continue;
            }
            if (auto s = find_kind("", "Secret", sns.empty() ? nodes[*id].node.ref.namespace_ : sns, sname)) {
              add_soft_owner(*s, *id);
              nodes[*s].node.copy_only = true;
            }
          }
        }
      }
    }
  }

  std::optional<std::size_t>
  find_kind(std::string_view group, std::string_view kind, const std::string& ns, const std::string& name) const
  {
    const auto key = std::string(group) + "/" + std::string(kind) + "/" + ns + "/" + name;
    if (auto it = by_identity.find(key); it != by_identity.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  std::optional<std::size_t>
  find_kind_any_version(std::string_view group,
                        std::string_view kind,
                        const std::string& ns,
                        const std::string& name) const
  {
    if (auto hit = find_kind(group, kind, ns, name)) {
      return hit;
    }
    return find_kind(group, kind, "", name);
  }

  // Marks everything reachable from roots through dependents, and forced nodes.
  void
  mark_moving()
  {
    std::vector<std::size_t> stack;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].is_virtual && (nodes[i].root || nodes[i].force_move)) {
        stack.push_back(i);
      }
    }
    while (!stack.empty()) {
      const auto i = stack.back();
      stack.pop_back();
      if (nodes[i].moves || nodes[i].is_virtual) {
        continue;
      }
      nodes[i].moves = true;
      for (const auto d : nodes[i].dependents) {
        stack.push_back(d);
      }
    }
    // Objects below a cluster-scoped owner are treated like it: not deleted.
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].node.global) {
        mark_under_global(i);
      }
    }
  }

  void
  mark_under_global(std::size_t i)
  {
    for (const auto d : nodes[i].dependents) {
      if (!nodes[d].node.under_global && !nodes[d].node.global) {
        nodes[d].node.under_global = true;
        mark_under_global(d);
      }
    }
  }
};

} // namespace

Result<MovePlan>
plan_move(k8s::Client& source, const MoveOptions& options)
{
  MovePlan plan;
  plan.namespace_ = options.namespace_;
  plan.source = source.describe();
  OCNE_TRY_ASSIGN(auto types, discover_types(source, plan.notes));
  Graph graph;
  for (const auto& type : types) {
    k8s::ListOptions list;
    if (type.namespaced) {
      list.namespace_ = options.namespace_;
    }
    auto objects = source.list(type.gvk, list);
    if (!objects) {
      if (objects.error().kind() == ErrorKind::not_found) {
        continue; // a CRD whose storage version is not served
      }
      return make_error(objects.error().with_context("cannot discover the objects to move"));
    }
    for (auto& object : objects->items) {
      graph.add(std::move(object), type);
    }
  }
  graph.link_owners();
  graph.link_soft_owners();
  graph.mark_moving();

  // Keep the moving nodes, re-indexed.
  std::map<std::size_t, std::size_t> index;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].moves) {
      index[i] = plan.nodes.size();
      plan.nodes.push_back(graph.nodes[i].node);
    }
  }
  for (auto& n : plan.nodes) {
    std::vector<std::size_t> owners;
    for (const auto o : n.owners) {
      if (const auto it = index.find(o); it != index.end()) {
        owners.push_back(it->second);
      } else {
        const auto& owner = graph.nodes[o].node.ref;
        plan.notes.push_back(fmt::format("{} is owned by {}, which does not move: its owner reference is kept only if "
                                         "the target has that object",
                                         n.ref.to_string(),
                                         owner.to_string()));
      }
    }
    n.owners = std::move(owners);
    std::vector<std::size_t> soft;
    for (const auto o : n.soft_owners) {
      if (const auto it = index.find(o); it != index.end()) {
        soft.push_back(it->second);
      }
    }
    n.soft_owners = std::move(soft);
  }
  for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
    const auto gvk = plan.nodes[i].ref.gvk();
    if (gvk.group == k_capi_group && gvk.kind == "Cluster") {
      plan.clusters.push_back(i);
    }
    if (gvk.group == k_capi_group && gvk.kind == "ClusterClass") {
      plan.cluster_classes.push_back(i);
    }
  }

  // Group: a node goes in the first group after all its owners.
  std::vector<bool> placed(plan.nodes.size(), false);
  std::size_t remaining = plan.nodes.size();
  while (remaining > 0) {
    std::vector<std::size_t> group;
    for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
      if (placed[i]) {
        continue;
      }
      bool ready = true;
      for (const auto* list : { &plan.nodes[i].owners, &plan.nodes[i].soft_owners }) {
        for (const auto o : *list) {
          ready = ready && placed[o];
        }
      }
      if (ready) {
        group.push_back(i);
      }
    }
    if (group.empty()) {
      std::vector<std::string> stuck;
      for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
        if (!placed[i]) {
          stuck.push_back(plan.nodes[i].ref.to_string());
        }
      }
      return make_error(ErrorKind::invalid_input,
                        "cannot order the move: owner references form a cycle among {}",
                        str::join(stuck, ", "));
    }
    for (const auto i : group) {
      placed[i] = true;
    }
    remaining -= group.size();
    plan.groups.push_back(std::move(group));
  }
  return plan;
}

std::string
MovePlan::to_text() const
{
  std::string out = fmt::format("Move plan for {} from {}\n",
                                namespace_.empty() ? std::string("all namespaces") : "namespace " + namespace_,
                                source);
  for (const auto i : clusters) {
    out += fmt::format("  pause: {}\n", nodes[i].ref.to_string());
  }
  for (const auto i : cluster_classes) {
    out += fmt::format("  pause: {}\n", nodes[i].ref.to_string());
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    out += fmt::format("  group {}:\n", g + 1);
    for (const auto i : groups[g]) {
      const auto& n = nodes[i];
      std::string flags;
      if (n.global || n.under_global || n.copy_only) {
        flags = " (copied, kept in the source)";
      }
      std::vector<std::string> owners;
      for (const auto o : n.owners) {
        owners.push_back(nodes[o].ref.to_string());
      }
      for (const auto o : n.soft_owners) {
        owners.push_back(nodes[o].ref.to_string() + " (by name)");
      }
      out += fmt::format("    {}{}{}\n",
                         n.ref.to_string(),
                         flags,
                         owners.empty() ? std::string() : ", owned by " + str::join(owners, ", "));
    }
  }
  for (const auto& note : notes) {
    out += fmt::format("  note: {}\n", note);
  }
  out += fmt::format("  {} objects in {} groups\n", nodes.size(), groups.size());
  return out;
}

} // namespace ocne::clusterctl
