#include "tests/servers/kube/resource_type.hpp"

namespace ocne::test::kube {

const ResourceVersion*
ResourceType::find_version(const std::string& name) const
{
  for (const auto& v : versions) {
    if (v.name == name) {
      return &v;
    }
  }
  return nullptr;
}

const ResourceVersion&
ResourceType::storage_version() const
{
  for (const auto& v : versions) {
    if (v.storage) {
      return v;
    }
  }
  return versions.front();
}

std::string
ResourceType::api_version(const std::string& version) const
{
  return group.empty() ? version : group + "/" + version;
}

std::string
ResourceType::qualified_plural() const
{
  return group.empty() ? plural : plural + "." + group;
}

std::string
ResourceType::qualified_kind() const
{
  return group.empty() ? kind : kind + "." + group;
}

namespace {

// Schemas of the built-in kinds: only what validation and server-side apply
// need (types of a few fields, list and map types). Objects marked with
// x-kubernetes-preserve-unknown-fields keep fields not listed here.
constexpr const char* k_object_meta = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string"}, "generateName": {"type": "string"}, "namespace": {"type": "string"},
    "selfLink": {"type": "string"}, "uid": {"type": "string"}, "resourceVersion": {"type": "string"},
    "generation": {"type": "integer"}, "creationTimestamp": {"type": "string", "nullable": true},
    "deletionTimestamp": {"type": "string", "nullable": true}, "deletionGracePeriodSeconds": {"type": "integer"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
    "ownerReferences": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"],
      "items": {"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"},
        "uid": {"type": "string"}, "controller": {"type": "boolean"}, "blockOwnerDeletion": {"type": "boolean"}}}},
    "managedFields": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
  }
})";

constexpr const char* k_container = R"({
  "type": "object", "x-kubernetes-preserve-unknown-fields": true,
  "properties": {
    "name": {"type": "string"}, "image": {"type": "string"},
    "command": {"type": "array", "items": {"type": "string"}},
    "args": {"type": "array", "items": {"type": "string"}},
    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
        "properties": {"containerPort": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
    "env": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"name": {"type": "string"}}}},
    "volumeMounts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["mountPath"],
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
  }
})";

std::string
pod_spec()
{
  return std::string(R"({
  "type": "object", "x-kubernetes-preserve-unknown-fields": true,
  "properties": {
    "containers": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": )") +
         k_container + R"(},
    "initContainers": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": )" +
         k_container + R"(},
    "volumes": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
    "imagePullSecrets": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"}
  }
})";
}

std::string
pod_template()
{
  return std::string(R"({"type": "object", "properties": {"metadata": )") + k_object_meta + R"(, "spec": )" +
         pod_spec() + "}}";
}

constexpr const char* k_label_selector =
  R"({"type": "object", "x-kubernetes-map-type": "atomic", "x-kubernetes-preserve-unknown-fields": true})";

std::string
workload_spec(bool with_replicas)
{
  std::string s = R"({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {)";
  if (with_replicas) {
    s += R"("replicas": {"type": "integer", "default": 1}, "minReadySeconds": {"type": "integer"}, )";
  }
  s += R"("selector": )";
  s += k_label_selector;
  s += R"(, "template": )" + pod_template() + "}}";
  return s;
}

std::string
root(const std::string& properties, bool complete)
{
  return std::string(R"({"type": "object", )") + (complete ? "" : R"("x-kubernetes-preserve-unknown-fields": true, )") +
         R"("properties": {)" + properties + "}}";
}

constexpr const char* k_open = R"({"type": "object", "x-kubernetes-preserve-unknown-fields": true})";

struct Def
{
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  std::vector<std::string> short_names;
  bool namespaced = true;
  std::string schema_properties; // JSON members of the root's "properties"
  bool complete = false;
  bool status = false;
  bool scale = false;
  bool generation = false;
  bool create_on_update = false;
  std::vector<std::string> categories;
  std::vector<std::string> field_selectors;
  NameRules name_rules = NameRules::subdomain;
};

std::string
open_fields(std::initializer_list<const char*> names)
{
  std::string out;
  for (const char* n : names) {
    out += std::string(out.empty() ? "" : ", ") + "\"" + n + "\": " + k_open;
  }
  return out;
}

// Lists of objects whose items the server does not check further.
std::string
open_list_fields(std::initializer_list<const char*> names)
{
  std::string out;
  for (const char* n : names) {
    out += std::string(out.empty() ? "" : ", ") + "\"" + n + "\": {\"type\": \"array\", \"items\": " + k_open + "}";
  }
  return out;
}

std::vector<Def>
definitions()
{
  const std::string spec_status = open_fields({ "spec", "status" });
  const std::string workload_props = [] {
    return std::string(R"("spec": )") + workload_spec(true) + R"(, "status": )" + k_open;
  }();
  return {
    { "",
      "v1",
      "Namespace",
      "namespaces",
      { "ns" },
      false,
      R"("spec": {"type": "object", "properties": {"finalizers": {"type": "array", "items": {"type": "string"}}}},
        "status": {"type": "object", "properties": {"phase": {"type": "string"},
          "conditions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}})",
      true,
      true,
      false,
      false,
      false,
      {},
      { "status.phase" },
      NameRules::label },
    { "",
      "v1",
      "Secret",
      "secrets",
      {},
      true,
      R"("data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "stringData": {"type": "object", "additionalProperties": {"type": "string"}},
        "type": {"type": "string"}, "immutable": {"type": "boolean"})",
      true,
      false,
      false,
      false,
      false,
      {},
      { "type" } },
    { "",
      "v1",
      "ConfigMap",
      "configmaps",
      { "cm" },
      true,
      R"("data": {"type": "object", "additionalProperties": {"type": "string"}},
        "binaryData": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "immutable": {"type": "boolean"})",
      true },
    { "",
      "v1",
      "Service",
      "services",
      { "svc" },
      true,
      R"("spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
          "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
            "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
              "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
          "selector": {"type": "object", "additionalProperties": {"type": "string"}}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true})",
      false,
      true,
      false,
      false,
      false,
      { "all" } },
    { "",
      "v1",
      "ServiceAccount",
      "serviceaccounts",
      { "sa" },
      true,
      open_list_fields({ "secrets", "imagePullSecrets" }) },
    { "",
      "v1",
      "Pod",
      "pods",
      { "po" },
      true,
      std::string(R"("spec": )") + pod_spec() + R"(, "status": )" + k_open,
      false,
      true,
      false,
      false,
      false,
      { "all" },
      { "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName" } },
    { "",
      "v1",
      "Node",
      "nodes",
      { "no" },
      false,
      spec_status,
      false,
      true,
      false,
      false,
      false,
      {},
      { "spec.unschedulable" } },
    { "",
      "v1",
      "Event",
      "events",
      { "ev" },
      true,
      open_fields({ "involvedObject", "source" }),
      false,
      false,
      false,
      false,
      true,
      {},
      { "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "source",
        "type",
        "reportingComponent" } },
    { "",
      "v1",
      "Endpoints",
      "endpoints",
      { "ep" },
      true,
      open_list_fields({ "subsets" }),
      false,
      false,
      false,
      false,
      true },
    { "", "v1", "PersistentVolume", "persistentvolumes", { "pv" }, false, spec_status, false, true },
    { "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", { "pvc" }, true, spec_status, false, true },
    { "apps",
      "v1",
      "Deployment",
      "deployments",
      { "deploy" },
      true,
      workload_props,
      false,
      true,
      true,
      true,
      false,
      { "all" } },
    { "apps",
      "v1",
      "ReplicaSet",
      "replicasets",
      { "rs" },
      true,
      workload_props,
      false,
      true,
      true,
      true,
      false,
      { "all" } },
    { "apps",
      "v1",
      "StatefulSet",
      "statefulsets",
      { "sts" },
      true,
      workload_props,
      false,
      true,
      true,
      true,
      false,
      { "all" } },
    { "apps",
      "v1",
      "DaemonSet",
      "daemonsets",
      { "ds" },
      true,
      std::string(R"("spec": )") + workload_spec(false) + R"(, "status": )" + k_open,
      false,
      true,
      false,
      true,
      false,
      { "all" } },
    { "batch", "v1", "Job", "jobs", {}, true, spec_status, false, true, false, true, false, { "all" } },
    { "batch", "v1", "CronJob", "cronjobs", { "cj" }, true, spec_status, false, true, false, true, false, { "all" } },
    { "coordination.k8s.io",
      "v1",
      "Lease",
      "leases",
      {},
      true,
      open_fields({ "spec" }),
      false,
      false,
      false,
      false,
      true },
    { "rbac.authorization.k8s.io", "v1", "Role", "roles", {}, true, open_list_fields({ "rules" }) },
    { "rbac.authorization.k8s.io",
      "v1",
      "RoleBinding",
      "rolebindings",
      {},
      true,
      open_fields({ "roleRef" }) + ", " + open_list_fields({ "subjects" }) },
    { "rbac.authorization.k8s.io",
      "v1",
      "ClusterRole",
      "clusterroles",
      {},
      false,
      open_list_fields({ "rules" }) + ", " + open_fields({ "aggregationRule" }) },
    { "rbac.authorization.k8s.io",
      "v1",
      "ClusterRoleBinding",
      "clusterrolebindings",
      {},
      false,
      open_fields({ "roleRef" }) + ", " + open_list_fields({ "subjects" }) },
    { "apiextensions.k8s.io",
      "v1",
      "CustomResourceDefinition",
      "customresourcedefinitions",
      { "crd", "crds" },
      false,
      R"("spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
          "group": {"type": "string"}, "scope": {"type": "string"},
          "names": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "versions": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true})",
      false,
      true,
      false,
      true,
      false,
      { "api-extensions" } },
    { "admissionregistration.k8s.io",
      "v1",
      "ValidatingWebhookConfiguration",
      "validatingwebhookconfigurations",
      {},
      false,
      open_list_fields({ "webhooks" }),
      false,
      false,
      false,
      true,
      false,
      { "api-extensions" } },
    { "admissionregistration.k8s.io",
      "v1",
      "MutatingWebhookConfiguration",
      "mutatingwebhookconfigurations",
      {},
      false,
      open_list_fields({ "webhooks" }),
      false,
      false,
      false,
      true,
      false,
      { "api-extensions" } },
    { "storage.k8s.io", "v1", "StorageClass", "storageclasses", { "sc" }, false, open_fields({ "parameters" }) },
    { "policy",
      "v1",
      "PodDisruptionBudget",
      "poddisruptionbudgets",
      { "pdb" },
      true,
      spec_status,
      false,
      true,
      false,
      true },
    { "networking.k8s.io",
      "v1",
      "NetworkPolicy",
      "networkpolicies",
      { "netpol" },
      true,
      spec_status,
      false,
      false,
      false,
      true },
    { "networking.k8s.io", "v1", "Ingress", "ingresses", { "ing" }, true, spec_status, false, true, false, true },
    { "scheduling.k8s.io",
      "v1",
      "PriorityClass",
      "priorityclasses",
      { "pc" },
      false,
      R"("value": {"type": "integer"}, "globalDefault": {"type": "boolean"}, "description": {"type": "string"})" },
  };
}

std::string
lower(std::string s)
{
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

} // namespace

SchemaPtr
object_meta_schema()
{
  static const SchemaPtr schema = compile_schema(Json::parse(k_object_meta));
  return schema;
}

std::shared_ptr<Schema>
with_object_meta(std::shared_ptr<Schema> root_schema)
{
  // Shares the one compiled ObjectMeta schema.
  root_schema->properties["metadata"] = std::const_pointer_cast<Schema>(object_meta_schema());
  for (const char* k : { "apiVersion", "kind" }) {
    if (root_schema->properties.count(k) == 0) {
      auto s = std::make_shared<Schema>();
      s->type = "string";
      root_schema->properties[k] = s;
    }
  }
  if (root_schema->type.empty()) {
    root_schema->type = "object";
  }
  return root_schema;
}

std::vector<ResourceTypePtr>
builtin_types()
{
  std::vector<ResourceTypePtr> out;
  for (const auto& d : definitions()) {
    auto t = std::make_shared<ResourceType>();
    t->group = d.group;
    t->kind = d.kind;
    t->plural = d.plural;
    t->singular = lower(d.kind);
    t->list_kind = d.kind + "List";
    t->short_names = d.short_names;
    t->categories = d.categories;
    t->namespaced = d.namespaced;
    t->builtin = true;
    t->has_generation = d.generation;
    t->allow_create_on_update = d.create_on_update;
    t->schema_complete = d.complete;
    // kube-apiserver checks RBAC names only as path segments
    // ("cert-manager:leaderelection" is a valid Role name).
    t->name_rules = d.group == "rbac.authorization.k8s.io" ? NameRules::path_segment : d.name_rules;
    t->field_selectors = d.field_selectors;
    ResourceVersion v;
    v.name = d.version;
    v.storage = true;
    v.status_subresource = d.status;
    if (d.scale) {
      v.scale = ScaleSubresource{};
    }
    v.schema = with_object_meta(compile_schema(Json::parse(root(d.schema_properties, d.complete))));
    t->versions.push_back(std::move(v));
    out.push_back(std::move(t));
  }
  return out;
}

} // namespace ocne::test::kube
