#include "tests/servers/kube/controllers.hpp"

#include "tests/servers/kube/json_util.hpp"

#include <algorithm>

namespace ocne::test::kube {

namespace {

constexpr const char* k_finalizer = "cluster.cluster.x-k8s.io";

Json
status_stub(const Json& obj)
{
  const Json& meta = obj["metadata"];
  Json out = { { "apiVersion", obj["apiVersion"] },
               { "kind", obj["kind"] },
               { "metadata", { { "name", meta["name"] } } } };
  if (meta.contains("namespace")) {
    out["metadata"]["namespace"] = meta["namespace"];
  }
  return out;
}

// A v1beta2-style condition (observedGeneration, non-empty reason and message).
void
condition(Json& status_obj,
          const std::string& type,
          const std::string& reason,
          const std::string& message,
          long long generation)
{
  set_condition(status_obj, type, "True", reason, message);
  for (auto& c : status_obj["status"]["conditions"]) {
    if (c["type"] == type) {
      c["observedGeneration"] = generation;
    }
  }
}

} // namespace

namespace {

void stall_deployment_pod(KubeTestServer& s, const Json& d);

// A Deployment whose pods cannot start: Available=False and a Pod that says why.
void
stall_deployment(KubeTestServer& s, const Json& d, long long generation)
{
  Json st = status_stub(d);
  st["status"] = { { "observedGeneration", generation }, { "replicas", 1 }, { "unavailableReplicas", 1 } };
  set_condition(st, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
  s.apply_status(st, "fake-deployment-controller");
  stall_deployment_pod(s, d);
}

// One Pod of a workload whose containers wait in ImagePullBackOff.
void
stall_deployment_pod(KubeTestServer& s, const Json& d)
{
  const std::string ns = string_at(d["metadata"], "namespace");
  const std::string name = string_at(d["metadata"], "name");
  const Json* tmpl = child(d["spec"], "template");
  if (tmpl == nullptr || s.get("v1", "Pod", ns, name + "-7d9c4b-x2x5q")) {
    return;
  }
  Json labels = Json::object();
  if (const Json* meta = child(*tmpl, "metadata"); meta != nullptr && meta->contains("labels")) {
    labels = (*meta)["labels"];
  }
  Json statuses = Json::array();
  Json containers = Json::array();
  for (const auto& c : (*tmpl)["spec"].value("containers", Json::array())) {
    const std::string image = c.value("image", "");
    containers.push_back({ { "name", c.value("name", "") }, { "image", image } });
    statuses.push_back({ { "name", c.value("name", "") },
                         { "image", image },
                         { "ready", false },
                         { "restartCount", 0 },
                         { "imageID", "" },
                         { "state",
                           { { "waiting",
                               { { "reason", "ImagePullBackOff" },
                                 { "message", "Back-off pulling image \"" + image + "\"" } } } } } });
  }
  Json pod = { { "apiVersion", "v1" },
               { "kind", "Pod" },
               { "metadata", { { "name", name + "-7d9c4b-x2x5q" }, { "namespace", ns }, { "labels", labels } } },
               { "spec", { { "containers", containers } } } };
  s.create(pod);
  Json pod_status = status_stub(pod);
  pod_status["status"] = { { "phase", "Pending" }, { "containerStatuses", statuses } };
  s.apply_status(pod_status, "fake-kubelet");
}

} // namespace

int
play_deployment_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  return play_deployment_controller(server, DeploymentControllerOptions{ .delay = delay, .never_available = {} });
}

int
play_deployment_controller(KubeTestServer& server, const DeploymentControllerOptions& options)
{
  auto hook = [stuck = options.never_available](KubeTestServer& s, const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const auto live = s.get("apps/v1", "Deployment", string_at(meta, "namespace"), string_at(meta, "name"));
    if (!live || (*live)["metadata"].contains("deletionTimestamp")) {
      return;
    }
    const Json& d = *live;
    const long long generation = d["metadata"].value("generation", 1LL);
    const Json* status = child(d, "status");
    if (status != nullptr && status->value("observedGeneration", 0LL) == generation) {
      return;
    }
    const std::string key = string_at(meta, "namespace") + "/" + string_at(meta, "name");
    if (std::find(stuck.begin(), stuck.end(), key) != stuck.end()) {
      stall_deployment(s, d, generation);
      return;
    }
    const long long replicas = d["spec"].value("replicas", 1LL);
    Json st = status_stub(d);
    st["status"] = { { "observedGeneration", generation },
                     { "replicas", replicas },
                     { "updatedReplicas", replicas },
                     { "readyReplicas", replicas },
                     { "availableReplicas", replicas } };
    if (status != nullptr && status->contains("conditions")) {
      st["status"]["conditions"] = (*status)["conditions"];
    }
    set_condition(st, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
    set_condition(st, "Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed.");
    s.apply_status(st, "fake-deployment-controller");
  };
  const int id = server.on({ .group = "apps", .kind = "Deployment", .delay = options.delay }, hook);
  for (const auto& d : server.list("apps/v1", "Deployment")) {
    hook(server, { "ADDED", std::make_shared<const Json>(d), nullptr });
  }
  return id;
}

int
play_cluster_api(KubeTestServer& server, std::string kubeconfig, std::chrono::milliseconds delay)
{
  auto hook = [kubeconfig](KubeTestServer& s, const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const std::string ns = string_at(meta, "namespace");
    const std::string name = string_at(meta, "name");
    const auto live = s.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, name);
    if (!live) {
      return;
    }
    const Json& c = *live;
    bool finalized = false;
    if (const Json* f = child(c["metadata"], "finalizers"); f != nullptr && f->is_array()) {
      for (const auto& v : *f) {
        finalized = finalized || v == k_finalizer;
      }
    }
    if (c["metadata"].contains("deletionTimestamp")) {
      if (finalized) {
        Json remaining = Json::array();
        for (const auto& v : c["metadata"]["finalizers"]) {
          if (v != k_finalizer) {
            remaining.push_back(v);
          }
        }
        s.merge_patch("cluster.x-k8s.io/v1beta2",
                      "Cluster",
                      ns,
                      name,
                      { { "metadata", { { "finalizers", remaining.empty() ? Json(nullptr) : remaining } } } });
      }
      return;
    }
    if (!finalized) {
      Json list = c["metadata"].value("finalizers", Json::array());
      list.push_back(k_finalizer);
      s.merge_patch("cluster.x-k8s.io/v1beta2", "Cluster", ns, name, { { "metadata", { { "finalizers", list } } } });
    }
    const Json* status = child(c, "status");
    if (status == nullptr || string_at(*status, "phase") != "Provisioned") {
      const long long generation = c["metadata"].value("generation", 1LL);
      Json st = status_stub(c);
      st["apiVersion"] = "cluster.x-k8s.io/v1beta2";
      st["status"] = { { "phase", "Provisioned" },
                       { "observedGeneration", generation },
                       { "initialization",
                         { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } };
      condition(st, "InfrastructureReady", "Ready", "the infrastructure is ready", generation);
      condition(st, "ControlPlaneInitialized", "Initialized", "the control plane is initialized", generation);
      condition(st, "Available", "Available", "the cluster is available", generation);
      s.apply_status(st, "fake-capi-controller");
    }
    const std::string secret = name + "-kubeconfig";
    if (!s.get("v1", "Secret", ns, secret)) {
      s.create({ { "apiVersion", "v1" },
                 { "kind", "Secret" },
                 { "type", "cluster.x-k8s.io/secret" },
                 { "metadata",
                   { { "name", secret },
                     { "namespace", ns },
                     { "labels", { { "cluster.x-k8s.io/cluster-name", name } } },
                     { "ownerReferences",
                       { { { "apiVersion", "cluster.x-k8s.io/v1beta2" },
                           { "kind", "Cluster" },
                           { "name", name },
                           { "uid", c["metadata"]["uid"] },
                           { "controller", true },
                           { "blockOwnerDeletion", true } } } } } },
                 { "data", { { "value", base64_encode(kubeconfig) } } } });
    }
  };
  const int id = server.on({ .group = "cluster.x-k8s.io", .kind = "Cluster", .delay = delay }, hook);
  return id;
}

namespace {

bool
condition_true(const Json& obj, const std::string& type)
{
  const Json* status = child(obj, "status");
  const Json* conditions = status == nullptr ? nullptr : child(*status, "conditions");
  if (conditions == nullptr || !conditions->is_array()) {
    return false;
  }
  for (const auto& c : *conditions) {
    if (c.value("type", "") == type) {
      return c.value("status", "") == "True";
    }
  }
  return false;
}

bool
deployment_available(const KubeTestServer& s, const std::string& ns, const std::string& name)
{
  const auto d = s.get("apps/v1", "Deployment", ns, name);
  return d && condition_true(*d, "Available");
}

void
mark_ready(KubeTestServer& s, const Json& obj, const std::string& reason)
{
  if (condition_true(obj, "Ready")) {
    return;
  }
  Json st = status_stub(obj);
  if (const Json* status = child(obj, "status"); status != nullptr && status->contains("conditions")) {
    st["status"]["conditions"] = (*status)["conditions"];
  }
  set_condition(st, "Ready", "True", reason, "ready (fake cert-manager)");
  s.apply_status(st, "fake-cert-manager");
}

void
reconcile_cert_manager(KubeTestServer& s)
{
  if (!deployment_available(s, "cert-manager", "cert-manager")) {
    return;
  }
  for (const auto& issuer : s.list("cert-manager.io/v1", "Issuer")) {
    mark_ready(s, issuer, "IsReady");
  }
  for (const auto& issuer : s.list("cert-manager.io/v1", "ClusterIssuer")) {
    mark_ready(s, issuer, "IsReady");
  }
  for (const auto& cert : s.list("cert-manager.io/v1", "Certificate")) {
    if (cert["metadata"].contains("deletionTimestamp")) {
      continue;
    }
    const std::string ns = string_at(cert["metadata"], "namespace");
    const std::string secret = cert.contains("spec") ? string_at(cert["spec"], "secretName") : "";
    if (!secret.empty() && !s.get("v1", "Secret", ns, secret)) {
      const std::string pem = "-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n";
      s.create({ { "apiVersion", "v1" },
                 { "kind", "Secret" },
                 { "type", "kubernetes.io/tls" },
                 { "metadata", { { "name", secret }, { "namespace", ns } } },
                 { "data",
                   { { "tls.crt", base64_encode(pem) },
                     { "tls.key", base64_encode("fake key") },
                     { "ca.crt", base64_encode(pem) } } } });
    }
    mark_ready(s, cert, "Ready");
  }
}

bool
selector_matches(const Json& selector, const Json& labels)
{
  if (!selector.is_object() || selector.empty() || !labels.is_object()) {
    return false;
  }
  for (const auto& [k, v] : selector.items()) {
    if (!labels.contains(k) || labels[k] != v) {
      return false;
    }
  }
  return true;
}

void
reconcile_endpoints(KubeTestServer& s, const std::string& ns)
{
  const auto deployments = s.list("apps/v1", "Deployment", ns);
  for (const auto& svc : s.list("v1", "Service", ns)) {
    const Json* spec = child(svc, "spec");
    const Json* selector = spec == nullptr ? nullptr : child(*spec, "selector");
    if (selector == nullptr) {
      continue;
    }
    bool ready = false;
    for (const auto& d : deployments) {
      const Json* tmpl = child(d["spec"], "template");
      const Json* meta = tmpl == nullptr ? nullptr : child(*tmpl, "metadata");
      const Json* labels = meta == nullptr ? nullptr : child(*meta, "labels");
      ready = ready || (labels != nullptr && selector_matches(*selector, *labels) && condition_true(d, "Available"));
    }
    const std::string name = string_at(svc["metadata"], "name");
    Json ports = Json::array();
    for (const auto& p : spec->value("ports", Json::array())) {
      Json port = { { "port", p.value("targetPort", p.value("port", Json(0))) }, { "protocol", p.value("protocol", "TCP") } };
      if (!port["port"].is_number()) {
        port["port"] = p.value("port", Json(0));
      }
      if (p.contains("name")) {
        port["name"] = p["name"];
      }
      ports.push_back(port);
    }
    Json endpoints = { { "apiVersion", "v1" },
                       { "kind", "Endpoints" },
                       { "metadata", { { "name", name }, { "namespace", ns } } },
                       { "subsets", Json::array() } };
    if (ready) {
      endpoints["subsets"].push_back({ { "addresses", { { { "ip", "10.244.0.10" } } } }, { "ports", ports } });
    }
    const auto live = s.get("v1", "Endpoints", ns, name);
    if (live && live->value("subsets", Json::array()) == endpoints["subsets"]) {
      continue;
    }
    s.apply(endpoints, "fake-endpoints-controller");
  }
}

} // namespace

int
play_cert_manager(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent&) { reconcile_cert_manager(s); };
  const int id = server.on({ .group = "cert-manager.io", .kind = "", .delay = delay }, hook);
  server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
  reconcile_cert_manager(server);
  return id;
}

int
play_endpoints_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent& e) {
    reconcile_endpoints(s, string_at((*e.object)["metadata"], "namespace"));
  };
  const int id = server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
  server.on({ .group = "", .kind = "Service", .delay = delay }, hook);
  return id;
}

namespace {

bool
daemonset_rolled_out(const Json& ds)
{
  const Json* status = child(ds, "status");
  if (status == nullptr) {
    return false;
  }
  const long long desired = status->value("desiredNumberScheduled", -1LL);
  return desired > 0 && status->value("numberAvailable", 0LL) == desired &&
         status->value("observedGeneration", 0LL) >= ds["metadata"].value("generation", 1LL);
}

void
reconcile_nodes(KubeTestServer& s, const std::vector<std::string>& cni)
{
  bool ready = true;
  for (const auto& key : cni) {
    const auto slash = key.find('/');
    const auto ds = s.get("apps/v1", "DaemonSet", key.substr(0, slash), key.substr(slash + 1));
    ready = ready && ds && daemonset_rolled_out(*ds);
  }
  for (const auto& node : s.list("v1", "Node")) {
    const bool has_ready = node.contains("status") && node["status"].contains("conditions") &&
                           node["status"]["conditions"].dump().find("\"Ready\"") != std::string::npos;
    if (has_ready && condition_true(node, "Ready") == ready) {
      continue;
    }
    Json st = status_stub(node);
    if (const Json* status = child(node, "status"); status != nullptr && status->contains("conditions")) {
      st["status"]["conditions"] = (*status)["conditions"];
    }
    if (ready) {
      set_condition(st, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
    } else {
      set_condition(st, "Ready", "False", "KubeletNotReady",
                    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                    "message:Network plugin returns error: cni plugin not initialized");
    }
    s.apply_status(st, "fake-kubelet");
  }
}

} // namespace

int
play_daemonset_controller(KubeTestServer& server, const DeploymentControllerOptions& options)
{
  auto hook = [stuck = options.never_available](KubeTestServer& s, const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const auto live = s.get("apps/v1", "DaemonSet", string_at(meta, "namespace"), string_at(meta, "name"));
    if (!live || (*live)["metadata"].contains("deletionTimestamp")) {
      return;
    }
    const Json& ds = *live;
    const long long generation = ds["metadata"].value("generation", 1LL);
    const long long nodes = std::max<long long>(1, static_cast<long long>(s.list("v1", "Node").size()));
    const std::string key = string_at(meta, "namespace") + "/" + string_at(meta, "name");
    const bool stalled = std::find(stuck.begin(), stuck.end(), key) != stuck.end();
    const Json* status = child(ds, "status");
    if (status != nullptr && status->value("observedGeneration", 0LL) == generation &&
        status->value("desiredNumberScheduled", 0LL) == nodes) {
      return;
    }
    Json st = status_stub(ds);
    st["status"] = { { "observedGeneration", generation },
                     { "desiredNumberScheduled", nodes },
                     { "currentNumberScheduled", nodes },
                     { "updatedNumberScheduled", nodes },
                     { "numberReady", stalled ? 0 : nodes },
                     { "numberAvailable", stalled ? 0 : nodes },
                     { "numberMisscheduled", 0 } };
    if (stalled) {
      st["status"]["numberUnavailable"] = nodes;
    }
    s.apply_status(st, "fake-daemonset-controller");
    if (stalled) {
      // The same Pod a stalled Deployment shows.
      stall_deployment_pod(s, ds);
    }
  };
  const int id = server.on({ .group = "apps", .kind = "DaemonSet", .delay = options.delay }, hook);
  for (const auto& ds : server.list("apps/v1", "DaemonSet")) {
    hook(server, { "ADDED", std::make_shared<const Json>(ds), nullptr });
  }
  return id;
}

int
write_requests(const KubeTestServer& server)
{
  int n = 0;
  for (const auto& r : server.requests()) {
    n += r.method != "GET" ? 1 : 0;
  }
  return n;
}

int
play_node_readiness(KubeTestServer& server, std::vector<std::string> cni)
{
  auto hook = [cni](KubeTestServer& s, const ObjectEvent&) { reconcile_nodes(s, cni); };
  const int id = server.on({ .group = "apps", .kind = "DaemonSet" }, hook);
  server.on({ .group = "", .kind = "Node", .deleted = false }, hook);
  reconcile_nodes(server, cni);
  return id;
}

} // namespace ocne::test::kube
