#include "tests/servers/kube/controllers.hpp"

#include "tests/servers/kube/json_util.hpp"

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

int
play_deployment_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent& e) {
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
  const int id = server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
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

} // namespace ocne::test::kube
