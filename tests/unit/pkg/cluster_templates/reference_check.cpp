#include "tests/unit/pkg/cluster_templates/reference_check.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>

namespace ocne::test {
namespace {

struct Object
{
  std::string api_version;
  std::string group;
  std::string kind;
  std::string name;
  std::string ns;
  YAML::Node node;
};

std::string
group_of(const std::string& api_version)
{
  const auto slash = api_version.rfind('/');
  return slash == std::string::npos ? std::string() : api_version.substr(0, slash);
}

std::string
scalar(const YAML::Node& n)
{
  return n.IsDefined() && n.IsScalar() ? n.Scalar() : std::string();
}

// node[k1][k2]...: an undefined node when a step is missing (yaml-cpp throws
// when indexing an undefined node).
YAML::Node
at(const YAML::Node& node, std::initializer_list<const char*> path)
{
  // Node::operator= would overwrite the node it refers to; reset() rebinds.
  YAML::Node n;
  n.reset(node);
  for (const auto* k : path) {
    if (!n.IsDefined() || !n.IsMap() || !n[k]) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    const YAML::Node child = n[k];
    n.reset(child);
  }
  return n;
}

std::string
label(const Object& o)
{
  return fmt::format("{}/{}", o.kind, o.name);
}

class Checker
{
public:
  Checker(std::string_view yaml, std::string_view default_namespace)
  {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(std::string(yaml));
    } catch (const YAML::Exception& e) {
      m_problems.push_back(fmt::format("not YAML: {}", e.what()));
      return;
    }
    for (const auto& d : docs) {
      if (!d || d.IsNull()) {
        continue;
      }
      Object o;
      o.api_version = scalar(at(d, { "apiVersion" }));
      o.group = group_of(o.api_version);
      o.kind = scalar(at(d, { "kind" }));
      o.name = scalar(at(d, { "metadata", "name" }));
      o.ns = scalar(at(d, { "metadata", "namespace" }));
      if (o.ns.empty()) {
        o.ns = std::string(default_namespace);
      }
      o.node.reset(d);
      m_objects.push_back(o);
    }
  }

  std::vector<std::string>
  run()
  {
    if (!m_problems.empty()) {
      return m_problems;
    }
    const Object* cluster = nullptr;
    std::set<std::string> namespaces;
    for (const auto& o : m_objects) {
      namespaces.insert(o.ns);
      if (o.kind == "Cluster" && o.group == "cluster.x-k8s.io") {
        if (cluster != nullptr) {
          fail("more than one Cluster");
        }
        cluster = &o;
      }
    }
    if (namespaces.size() > 1) {
      fail("objects are in more than one namespace");
    }
    if (cluster == nullptr) {
      fail("no Cluster");
      return m_problems;
    }
    m_reached.insert(key(*cluster));
    follow(*cluster, at(cluster->node, { "spec", "infrastructureRef" }), "spec.infrastructureRef", true);
    follow(*cluster, at(cluster->node, { "spec", "controlPlaneRef" }), "spec.controlPlaneRef", true);
    for (const auto& o : m_objects) {
      check_labels(o, *cluster);
      if (o.kind == "KubeadmControlPlane") {
        const auto v1 = at(o.node, { "spec", "machineTemplate", "infrastructureRef" });
        if (v1.IsDefined()) {
          follow(o, v1, "spec.machineTemplate.infrastructureRef", true);
        } else {
          follow(o,
                 at(o.node, { "spec", "machineTemplate", "spec", "infrastructureRef" }),
                 "spec.machineTemplate.spec.infrastructureRef",
                 true);
        }
      } else if (o.kind == "MachineDeployment" || o.kind == "MachineHealthCheck") {
        check_cluster_name(o, at(o.node, { "spec", "clusterName" }), "spec.clusterName", *cluster);
        if (o.kind == "MachineHealthCheck") {
          m_reached.insert(key(o));
          continue;
        }
        m_reached.insert(key(o));
        const auto ts = at(o.node, { "spec", "template", "spec" });
        check_cluster_name(o, at(ts, { "clusterName" }), "spec.template.spec.clusterName", *cluster);
        follow(o, at(ts, { "bootstrap", "configRef" }), "spec.template.spec.bootstrap.configRef", true);
        follow(o, at(ts, { "infrastructureRef" }), "spec.template.spec.infrastructureRef", true);
      }
    }
    for (const auto& o : m_objects) {
      if (m_reached.count(key(o)) == 0) {
        fail(fmt::format("{} is not referred to by any object of the cluster", label(o)));
      }
    }
    return m_problems;
  }

private:
  static std::string
  key(const Object& o)
  {
    return o.group + "|" + o.kind + "|" + o.ns + "|" + o.name;
  }

  void
  fail(std::string message)
  {
    m_problems.push_back(std::move(message));
  }

  void
  check_labels(const Object& o, const Object& cluster)
  {
    const auto l = at(o.node, { "metadata", "labels", "cluster.x-k8s.io/cluster-name" });
    if (l.IsDefined() && scalar(l) != cluster.name) {
      fail(fmt::format(
        "{}: label cluster.x-k8s.io/cluster-name is {}, not the Cluster's name {}", label(o), scalar(l), cluster.name));
    }
  }

  void
  check_cluster_name(const Object& o, const YAML::Node& n, std::string_view where, const Object& cluster)
  {
    if (scalar(n) != cluster.name) {
      fail(fmt::format("{}: {} is {}, not the Cluster's name {}", label(o), where, scalar(n), cluster.name));
    }
  }

  // A v1beta1 reference: {apiVersion, kind, name, namespace}; a v1beta2 one:
  // {apiGroup, kind, name} in the referrer's namespace.
  void
  follow(const Object& from, const YAML::Node& ref, std::string_view where, bool required)
  {
    if (!ref.IsDefined() || !ref.IsMap()) {
      if (required) {
        fail(fmt::format("{}: {} is missing", label(from), where));
      }
      return;
    }
    const auto kind = scalar(at(ref, { "kind" }));
    const auto name = scalar(at(ref, { "name" }));
    std::string group;
    std::optional<std::string> version;
    if (at(ref, { "apiVersion" }).IsDefined()) {
      version = scalar(at(ref, { "apiVersion" }));
      group = group_of(*version);
    } else {
      group = scalar(at(ref, { "apiGroup" }));
    }
    const auto ns_node = at(ref, { "namespace" });
    const auto ns = ns_node.IsDefined() ? scalar(ns_node) : from.ns;
    if (ns != from.ns) {
      fail(fmt::format("{}: {} points into namespace {}, not {}", label(from), where, ns, from.ns));
    }
    for (const auto& o : m_objects) {
      if (o.kind == kind && o.name == name && o.group == group && o.ns == ns) {
        if (version && *version != o.api_version) {
          fail(
            fmt::format("{}: {} names {} {}, but the object is {}", label(from), where, *version, kind, o.api_version));
        }
        m_reached.insert(key(o));
        return;
      }
    }
    fail(fmt::format("{}: {} names {} {} {} in namespace {}, which is not in the output",
                     label(from),
                     where,
                     version ? *version : group,
                     kind,
                     name,
                     ns));
  }

  std::vector<Object> m_objects;
  std::set<std::string> m_reached;
  std::vector<std::string> m_problems;
};

} // namespace

std::vector<std::string>
check_references(std::string_view yaml, std::string_view default_namespace)
{
  return Checker(yaml, default_namespace).run();
}

} // namespace ocne::test
