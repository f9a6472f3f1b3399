#include "pkg/diag/dump_select.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>
#include <set>

namespace ocne::diag {

namespace {

using GroupResource = std::pair<std::string, std::string>;

// What `-c` lists: workloads, networking, RBAC, storage, admission, and the
// Cluster API, cert-manager and OCNE kinds a cluster's health depends on.
const std::set<GroupResource>&
curated()
{
  static const std::set<GroupResource> list = {
    { "", "pods" },
    { "", "events" },
    { "", "services" },
    { "", "endpoints" },
    { "", "namespaces" },
    { "", "nodes" },
    { "", "persistentvolumes" },
    { "", "persistentvolumeclaims" },
    { "", "serviceaccounts" },
    { "", "replicationcontrollers" },
    { "apps", "deployments" },
    { "apps", "daemonsets" },
    { "apps", "statefulsets" },
    { "apps", "replicasets" },
    { "batch", "jobs" },
    { "batch", "cronjobs" },
    { "networking.k8s.io", "ingresses" },
    { "networking.k8s.io", "networkpolicies" },
    { "storage.k8s.io", "storageclasses" },
    { "rbac.authorization.k8s.io", "roles" },
    { "rbac.authorization.k8s.io", "rolebindings" },
    { "rbac.authorization.k8s.io", "clusterroles" },
    { "rbac.authorization.k8s.io", "clusterrolebindings" },
    { "admissionregistration.k8s.io", "validatingwebhookconfigurations" },
    { "admissionregistration.k8s.io", "mutatingwebhookconfigurations" },
    { "apiextensions.k8s.io", "customresourcedefinitions" },
    { "policy", "poddisruptionbudgets" },
    { "cluster.x-k8s.io", "clusters" },
    { "cluster.x-k8s.io", "machines" },
    { "cluster.x-k8s.io", "machinedeployments" },
    { "cluster.x-k8s.io", "machinesets" },
    { "cluster.x-k8s.io", "machinepools" },
    { "cluster.x-k8s.io", "machinehealthchecks" },
    { "addons.cluster.x-k8s.io", "clusterresourcesets" },
    { "addons.cluster.x-k8s.io", "clusterresourcesetbindings" },
    // Missing from Oracle's curated list; a control plane's state is in them.
    { "controlplane.cluster.x-k8s.io", "kubeadmcontrolplanes" },
    { "bootstrap.cluster.x-k8s.io", "kubeadmconfigs" },
    { "bootstrap.cluster.x-k8s.io", "kubeadmconfigtemplates" },
    { "cert-manager.io", "certificates" },
    { "cert-manager.io", "certificaterequests" },
    { "cert-manager.io", "issuers" },
    { "cert-manager.io", "clusterissuers" },
  };
  return list;
}

bool
always_skipped(const k8s::ResourceMapping& m, const DumpOptions& options)
{
  const auto& g = m.gvk.group;
  const auto& r = m.resource;
  if (std::find(m.verbs.begin(), m.verbs.end(), "list") == m.verbs.end()) {
    return true; // tokenreviews, bindings, ... cannot be listed
  }
  if (g.empty() && r == "secrets") {
    return true; // never, redacted or not
  }
  if (g.empty() && r == "configmaps") {
    return !options.include_configmaps;
  }
  if ((g.empty() && (r == "bindings" || r == "componentstatuses")) || str::ends_with(r, "reviews") ||
      str::starts_with(r, "multicluster")) {
    return true;
  }
  // The same objects as core events.
  return g == "events.k8s.io";
}

} // namespace

std::vector<k8s::ResourceMapping>
select_resources(const std::vector<k8s::ResourceMapping>& discovered, const DumpOptions& options)
{
  std::vector<k8s::ResourceMapping> out;
  std::set<GroupResource> seen;
  for (const auto& m : discovered) {
    if (always_skipped(m, options)) {
      continue;
    }
    const bool configmap = m.gvk.group.empty() && m.resource == "configmaps";
    if (options.curated && !configmap && curated().count({ m.gvk.group, m.resource }) == 0 &&
        m.gvk.group != "infrastructure.cluster.x-k8s.io") {
      continue;
    }
    if (seen.insert({ m.gvk.group, m.resource }).second) {
      out.push_back(m);
    }
  }
  std::sort(
    out.begin(), out.end(), [](const auto& a, const auto& b) { return resource_file_name(a) < resource_file_name(b); });
  return out;
}

} // namespace ocne::diag
