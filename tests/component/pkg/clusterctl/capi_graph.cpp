#include "tests/component/pkg/clusterctl/capi_graph.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/k8s/yaml.hpp"
#include "tests/support/shared_dir.hpp"

#include <stdexcept>

namespace ocne::clusterctl::test {

using nlohmann::json;
using ocne::test::kube::KubeTestServer;

void
load_capi_crds(KubeTestServer& server, bool label)
{
  for (const char* folder : { "crds/capi", "crds/oci" }) {
    for (const auto& entry : std::filesystem::directory_iterator(ocne::test::shared_path(folder))) {
      if (entry.path().extension() != ".yaml") {
        continue;
      }
      auto text = fs::read_file(entry.path());
      if (!text) {
        throw std::runtime_error(text.error().message());
      }
      auto docs = k8s::parse_yaml_stream(*text, entry.path().string());
      if (!docs) {
        throw std::runtime_error(docs.error().message());
      }
      for (auto& crd : *docs) {
        if (crd.value("kind", "") != "CustomResourceDefinition") {
          continue;
        }
        if (label) {
          crd["metadata"]["labels"]["clusterctl.cluster.x-k8s.io"] = "";
        }
        server.create(crd);
      }
    }
  }
}

namespace {

json
owner(const json& o, bool controller = true)
{
  return { { "apiVersion", o["apiVersion"] }, { "kind", o["kind"] },        { "name", o["metadata"]["name"] },
           { "uid", o["metadata"]["uid"] },   { "controller", controller }, { "blockOwnerDeletion", true } };
}

json
meta(const std::string& ns, const std::string& name, const std::string& cluster)
{
  return { { "name", name }, { "namespace", ns }, { "labels", { { "cluster.x-k8s.io/cluster-name", cluster } } } };
}

json
secret(const std::string& ns, const std::string& name, const std::string& cluster, const std::string& value)
{
  return { { "apiVersion", "v1" },
           { "kind", "Secret" },
           { "metadata", meta(ns, name, cluster) },
           { "type", "cluster.x-k8s.io/secret" },
           { "data", { { "value", value } } } };
}

} // namespace

CapiGraph
make_capi_graph(KubeTestServer& server,
                const std::string& ns,
                const std::string& cluster_name,
                int workers,
                bool provisioned)
{
  CapiGraph g;
  g.ns = ns;
  g.cluster = cluster_name;
  auto add = [&](json object, std::vector<json>* bucket) {
    auto created = server.create(object);
    g.objects.push_back(created);
    if (bucket != nullptr) {
      bucket->push_back(created);
    }
    return created;
  };
  server.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", ns } } } });

  const std::string infra = "infrastructure.cluster.x-k8s.io";
  auto cluster =
    add({ { "apiVersion", "cluster.x-k8s.io/v1beta2" },
          { "kind", "Cluster" },
          { "metadata", meta(ns, cluster_name, cluster_name) },
          { "spec",
            { { "infrastructureRef", { { "apiGroup", infra }, { "kind", "OCICluster" }, { "name", cluster_name } } },
              { "controlPlaneRef",
                { { "apiGroup", "controlplane.cluster.x-k8s.io" },
                  { "kind", "KubeadmControlPlane" },
                  { "name", cluster_name + "-control-plane" } } } } } },
        &g.moving);
  if (provisioned) {
    cluster["status"] = { { "initialization",
                            { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } };
    server.update_status(cluster);
  }
  auto identity_secret = add(secret(ns, "oci-credentials", cluster_name, "dGVuYW5jeQ=="), &g.shared);
  auto identity = add({ { "apiVersion", infra + "/v1beta2" },
                        { "kind", "OCIClusterIdentity" },
                        { "metadata", { { "name", "oci-identity" }, { "namespace", ns } } },
                        { "spec",
                          { { "type", "UserPrincipal" },
                            { "principalSecret", { { "name", "oci-credentials" }, { "namespace", ns } } },
                            { "allowedNamespaces", json::object() } } } },
                      &g.shared);
  auto oci_cluster = meta(ns, cluster_name, cluster_name);
  oci_cluster["ownerReferences"] = json::array({ owner(cluster) });
  add({ { "apiVersion", infra + "/v1beta2" },
        { "kind", "OCICluster" },
        { "metadata", oci_cluster },
        { "spec",
          { { "compartmentId", "ocid1.compartment.oc1..demo" },
            { "identityRef",
              { { "kind", "OCIClusterIdentity" }, { "name", "oci-identity" }, { "namespace", ns } } } } } },
      &g.moving);
  for (const auto& suffix : { "kubeconfig", "ca", "etcd", "sa", "proxy" }) {
    add(secret(ns, cluster_name + "-" + suffix, cluster_name, "Y2VydA=="), &g.moving);
  }

  auto owned_by = [&](const std::string& name, const json& o) {
    auto m = meta(ns, name, cluster_name);
    m["ownerReferences"] = json::array({ owner(o) });
    return m;
  };
  const std::string cp_name = cluster_name + "-control-plane";
  add({ { "apiVersion", infra + "/v1beta2" },
        { "kind", "OCIMachineTemplate" },
        { "metadata", owned_by(cp_name, cluster) },
        { "spec", { { "template", { { "spec", { { "imageId", "ocid1.image.oc1..cp" } } } } } } } },
      &g.moving);
  auto kcp = add(
    { { "apiVersion", "controlplane.cluster.x-k8s.io/v1beta2" },
      { "kind", "KubeadmControlPlane" },
      { "metadata", owned_by(cp_name, cluster) },
      { "spec",
        { { "replicas", 1 },
          { "version", "v1.33.0" },
          { "machineTemplate",
            { { "spec",
                { { "infrastructureRef",
                    { { "apiGroup", infra }, { "kind", "OCIMachineTemplate" }, { "name", cp_name } } } } } } } } } },
    &g.moving);
  const std::string md_name = cluster_name + "-md-0";
  add({ { "apiVersion", infra + "/v1beta2" },
        { "kind", "OCIMachineTemplate" },
        { "metadata", owned_by(md_name, cluster) },
        { "spec", { { "template", { { "spec", { { "imageId", "ocid1.image.oc1..worker" } } } } } } } },
      &g.moving);
  // v1beta2 KubeadmConfig specs need at least one property (minProperties: 1).
  add({ { "apiVersion", "bootstrap.cluster.x-k8s.io/v1beta2" },
        { "kind", "KubeadmConfigTemplate" },
        { "metadata", owned_by(md_name, cluster) },
        { "spec", { { "template", { { "spec", { { "format", "cloud-config" } } } } } } } },
      &g.moving);
  const json machine_template_spec = {
    { "clusterName", cluster_name },
    { "bootstrap",
      { { "configRef",
          { { "apiGroup", "bootstrap.cluster.x-k8s.io" },
            { "kind", "KubeadmConfigTemplate" },
            { "name", md_name } } } } },
    { "infrastructureRef", { { "apiGroup", infra }, { "kind", "OCIMachineTemplate" }, { "name", md_name } } }
  };
  auto md = add(
    { { "apiVersion", "cluster.x-k8s.io/v1beta2" },
      { "kind", "MachineDeployment" },
      { "metadata", owned_by(md_name, cluster) },
      { "spec",
        { { "clusterName", cluster_name },
          { "replicas", workers },
          { "selector", { { "matchLabels", { { "pool", md_name } } } } },
          { "template",
            { { "metadata", { { "labels", { { "pool", md_name } } } } }, { "spec", machine_template_spec } } } } } },
    &g.moving);
  const std::string ms_name = md_name + "-x7k2p";
  auto ms = add(
    { { "apiVersion", "cluster.x-k8s.io/v1beta2" },
      { "kind", "MachineSet" },
      { "metadata", owned_by(ms_name, md) },
      { "spec",
        { { "clusterName", cluster_name },
          { "replicas", workers },
          { "selector", { { "matchLabels", { { "pool", md_name } } } } },
          { "template",
            { { "metadata", { { "labels", { { "pool", md_name } } } } }, { "spec", machine_template_spec } } } } } },
    &g.moving);

  // One control plane machine and `workers` worker machines, each with its
  // infrastructure machine, bootstrap config and bootstrap data secret.
  auto machine_set = [&](const std::string& name, const json& machine_owner) {
    auto m = owned_by(name, machine_owner);
    auto machine =
      add({ { "apiVersion", "cluster.x-k8s.io/v1beta2" },
            { "kind", "Machine" },
            { "metadata", m },
            { "spec",
              { { "clusterName", cluster_name },
                { "bootstrap",
                  { { "configRef",
                      { { "apiGroup", "bootstrap.cluster.x-k8s.io" }, { "kind", "KubeadmConfig" }, { "name", name } } },
                    { "dataSecretName", name } } },
                { "infrastructureRef", { { "apiGroup", infra }, { "kind", "OCIMachine" }, { "name", name } } } } } },
          &g.moving);
    if (provisioned) {
      machine["status"] = { { "nodeRef", { { "name", name } } } };
      server.update_status(machine);
    }
    add({ { "apiVersion", infra + "/v1beta2" },
          { "kind", "OCIMachine" },
          { "metadata", owned_by(name, machine) },
          { "spec", { { "imageId", "ocid1.image.oc1..x" } } } },
        &g.moving);
    auto config = add({ { "apiVersion", "bootstrap.cluster.x-k8s.io/v1beta2" },
                        { "kind", "KubeadmConfig" },
                        { "metadata", owned_by(name, machine) },
                        { "spec", { { "format", "cloud-config" } } } },
                      &g.moving);
    auto data = secret(ns, name, cluster_name, "Ym9vdHN0cmFw");
    data["metadata"]["ownerReferences"] = json::array({ owner(config) });
    add(data, &g.moving);
  };
  machine_set(cp_name + "-abcde", kcp);
  for (int i = 0; i < workers; ++i) {
    machine_set(ms_name + "-w" + std::to_string(i), ms);
  }

  // Forced along by label; and two objects that must stay behind.
  auto labelled = json{ { "apiVersion", "v1" },
                        { "kind", "ConfigMap" },
                        { "metadata",
                          { { "name", "cloud-config" },
                            { "namespace", ns },
                            { "labels", { { "clusterctl.cluster.x-k8s.io/move", "" } } } } },
                        { "data", { { "a", "b" } } } };
  add(labelled, &g.moving);
  add(secret(ns, "unrelated", "none", "eA=="), &g.staying);
  add({ { "apiVersion", "v1" },
        { "kind", "ConfigMap" },
        { "metadata", { { "name", "user-config" }, { "namespace", ns } } } },
      &g.staying);
  (void)identity;
  (void)identity_secret;
  return g;
}

} // namespace ocne::clusterctl::test
