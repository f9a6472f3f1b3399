#include "tests/servers/kube/capi_webhook.hpp"

#include "tests/servers/kube/https_server.hpp"
#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/pki.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <set>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

using json = nlohmann::json;

// The minor of "v1.33.5" / "1.33" (-1 when it is not a version).
int
minor_of(const std::string& version)
{
  const std::string v = !version.empty() && version[0] == 'v' ? version.substr(1) : version;
  const auto dot = v.find('.');
  if (dot == std::string::npos || v.compare(0, dot, "1") != 0) {
    return -1;
  }
  return std::atoi(v.c_str() + dot + 1);
}

// The KubeadmControlPlane webhook's version rule (validateVersion): an
// update may not skip a minor. "" when allowed.
std::string
refuse_version_change(const json& request)
{
  const json kind = request.value("kind", json::object());
  if (kind.value("kind", "") != "KubeadmControlPlane" || request.value("operation", "") != "UPDATE") {
    return "";
  }
  const json old_object = request.value("oldObject", json::object());
  const json object = request.value("object", json::object());
  const std::string from = old_object.value("spec", json::object()).value("version", "");
  const std::string to = object.value("spec", json::object()).value("version", "");
  const int a = minor_of(from);
  const int b = minor_of(to);
  if (a < 0 || b < 0 || b <= a + 1) {
    return "";
  }
  return "admission webhook \"validation.kubeadmcontrolplane.controlplane.cluster.x-k8s.io\" denied the request: "
         "KubeadmControlPlane.controlplane.cluster.x-k8s.io \"" +
         object.value("metadata", json::object()).value("name", "") +
         "\" is invalid: spec.version: Forbidden: "
         "cannot update Kubernetes version from " +
         from + " to " + to;
}

constexpr const char* k_conversion_data = "cluster.x-k8s.io/conversion-data";

// The kinds whose object references and conditions change between v1beta1
// and v1beta2, with the paths of their references in each version.
struct RefPath
{
  std::vector<std::string> v1beta1;
  std::vector<std::string> v1beta2;
};

std::vector<RefPath>
ref_paths(const std::string& kind)
{
  if (kind == "Cluster") {
    return { { { "spec", "infrastructureRef" }, { "spec", "infrastructureRef" } },
             { { "spec", "controlPlaneRef" }, { "spec", "controlPlaneRef" } } };
  }
  if (kind == "Machine") {
    return { { { "spec", "infrastructureRef" }, { "spec", "infrastructureRef" } },
             { { "spec", "bootstrap", "configRef" }, { "spec", "bootstrap", "configRef" } } };
  }
  if (kind == "MachineSet" || kind == "MachineDeployment" || kind == "MachinePool") {
    return { { { "spec", "template", "spec", "infrastructureRef" },
               { "spec", "template", "spec", "infrastructureRef" } },
             { { "spec", "template", "spec", "bootstrap", "configRef" },
               { "spec", "template", "spec", "bootstrap", "configRef" } } };
  }
  if (kind == "KubeadmControlPlane") {
    return { { { "spec", "machineTemplate", "infrastructureRef" },
               { "spec", "machineTemplate", "spec", "infrastructureRef" } } };
  }
  return {};
}

json*
at_path(json& obj, const std::vector<std::string>& path)
{
  json* cur = &obj;
  for (const auto& p : path) {
    if (!cur->is_object() || !cur->contains(p)) {
      return nullptr;
    }
    cur = &(*cur)[p];
  }
  return cur;
}

void
put_path(json& obj, const std::vector<std::string>& path, json value)
{
  json* cur = &obj;
  for (const auto& p : path) {
    if (!cur->is_object()) {
      *cur = json::object();
    }
    cur = &(*cur)[p];
  }
  *cur = std::move(value);
}

void
erase_path(json& obj, const std::vector<std::string>& path)
{
  std::vector<std::string> parent(path.begin(), path.end() - 1);
  if (json* p = parent.empty() ? &obj : at_path(obj, parent); p != nullptr && p->is_object()) {
    p->erase(path.back());
    // Drop objects the move left empty (machineTemplate.spec, ...).
    if (p->empty() && !parent.empty()) {
      erase_path(obj, parent);
    }
  }
}

// Moves a value between paths when present.
void
move_path(json& obj, const std::vector<std::string>& from, const std::vector<std::string>& to)
{
  json* v = at_path(obj, from);
  if (v == nullptr) {
    return;
  }
  json value = *v;
  erase_path(obj, from);
  put_path(obj, to, std::move(value));
}

// Recursive merge where over wins; objects merge, everything else is replaced.
void
merge_into(json& base, const json& over)
{
  if (!base.is_object() || !over.is_object()) {
    base = over;
    return;
  }
  for (const auto& [k, v] : over.items()) {
    if (base.contains(k) && base[k].is_object() && v.is_object()) {
      merge_into(base[k], v);
    } else {
      base[k] = v;
    }
  }
}

std::string
group_of(const std::string& api_version)
{
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string
version_of(const std::string& api_version)
{
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? api_version : api_version.substr(slash + 1);
}

// Status fields renamed by v1beta2 (v1beta1 path, v1beta2 path).
std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>
status_moves(const std::string& kind)
{
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> moves = {
    { { "status", "conditions" }, { "status", "deprecated", "v1beta1", "conditions" } },
    { { "status", "failureReason" }, { "status", "deprecated", "v1beta1", "failureReason" } },
    { { "status", "failureMessage" }, { "status", "deprecated", "v1beta1", "failureMessage" } },
  };
  if (kind == "Cluster") {
    moves.push_back(
      { { "status", "infrastructureReady" }, { "status", "initialization", "infrastructureProvisioned" } });
    moves.push_back({ { "status", "controlPlaneReady" }, { "status", "initialization", "controlPlaneInitialized" } });
  } else if (kind == "Machine") {
    moves.push_back(
      { { "status", "infrastructureReady" }, { "status", "initialization", "infrastructureProvisioned" } });
    moves.push_back({ { "status", "bootstrapReady" }, { "status", "initialization", "bootstrapDataSecretCreated" } });
  }
  return moves;
}

bool
capi_group(const std::string& group)
{
  return group == "cluster.x-k8s.io" || group == "controlplane.cluster.x-k8s.io" ||
         group == "bootstrap.cluster.x-k8s.io" || group == "addons.cluster.x-k8s.io" ||
         group == "infrastructure.cluster.x-k8s.io" || group == "ipam.cluster.x-k8s.io" ||
         group == "runtime.cluster.x-k8s.io";
}

} // namespace

const std::vector<WebhookService>&
webhook_services()
{
  static const std::vector<WebhookService> services = {
    { "capi-system", "capi-webhook-service", 443 },
    { "capi-kubeadm-bootstrap-system", "capi-kubeadm-bootstrap-webhook-service", 443 },
    { "capi-kubeadm-control-plane-system", "capi-kubeadm-control-plane-webhook-service", 443 },
    { "cluster-api-provider-oci-system", "capoci-webhook-service", 443 },
    { "cert-manager", "cert-manager-webhook", 443 },
  };
  return services;
}

CapiWebhookServer::CapiWebhookServer()
{
  const CertKey ca = make_ca("capi-webhook-ca");
  std::vector<std::string> sans = { "IP:127.0.0.1" };
  for (const auto& s : webhook_services()) {
    sans.push_back("DNS:" + s.name + "." + s.ns + ".svc");
    sans.push_back("DNS:" + s.name + "." + s.ns + ".svc.cluster.local");
  }
  const CertKey cert = issue_cert(ca, "capi-webhook", {}, sans, false, true);
  m_ca_pem = ca.cert_pem;
  m_cert_pem = cert.cert_pem;
  m_key_pem = cert.key_pem;
  m_server = std::make_unique<HttpsServer>(
    TlsFiles{ m_cert_pem, m_key_pem, "" }, [this](const HttpRequest& req, HttpResponse& res) {
      res.set_header("Content-Type", "application/json");
      json review;
      try {
        review = json::parse(req.body);
      } catch (const json::exception& e) {
        res.status = 400;
        res.body = json{ { "error", std::string("not JSON: ") + e.what() } }.dump();
        return;
      }
      const json request = review.value("request", json::object());
      const std::string uid = request.value("uid", "");
      if (req.method != "POST" || uid.empty()) {
        res.status = 400;
        res.body = json{ { "error", "a POST of a review with request.uid" } }.dump();
        return;
      }
      if (review.value("kind", "") == "ConversionReview") {
        ++m_conversions;
        json response = { { "uid", uid } };
        try {
          json converted = json::array();
          for (const auto& obj : request.value("objects", json::array())) {
            converted.push_back(convert(obj, request.value("desiredAPIVersion", "")));
          }
          response["convertedObjects"] = std::move(converted);
          response["result"] = { { "status", "Success" } };
        } catch (const std::exception& e) {
          response["convertedObjects"] = json::array();
          response["result"] = { { "status", "Failure" }, { "message", e.what() } };
        }
        res.body = json{
          { "apiVersion", review.value("apiVersion", "apiextensions.k8s.io/v1") },
          { "kind", "ConversionReview" },
          { "response", response }
        }.dump();
        return;
      }
      if (review.value("kind", "") == "AdmissionReview") {
        ++m_admissions;
        json response = { { "uid", uid }, { "allowed", true } };
        if (const std::string refused = refuse_version_change(request); !refused.empty()) {
          response["allowed"] = false;
          response["status"] = {
            { "status", "Failure" }, { "reason", "Invalid" }, { "code", 422 }, { "message", refused }
          };
        }
        res.body = json{
          { "apiVersion", review.value("apiVersion", "admission.k8s.io/v1") },
          { "kind", "AdmissionReview" },
          { "response", response }
        }.dump();
        return;
      }
      res.status = 400;
      res.body = json{ { "error", "not a ConversionReview or AdmissionReview" } }.dump();
    });
}

CapiWebhookServer::~CapiWebhookServer()
{
  stop();
}

void
CapiWebhookServer::start()
{
  m_server->start("127.0.0.1", 0);
}

void
CapiWebhookServer::stop()
{
  if (m_server) {
    m_server->stop();
  }
}

std::string
CapiWebhookServer::url() const
{
  return "https://127.0.0.1:" + std::to_string(m_server->port());
}

const std::string&
CapiWebhookServer::ca_pem() const
{
  return m_ca_pem;
}

void
CapiWebhookServer::learn_crds(KubeTestServer& server)
{
  auto learn = [this](const json& crd) {
    const json* spec = crd.contains("spec") ? &crd["spec"] : nullptr;
    if (spec == nullptr || !spec->is_object()) {
      return;
    }
    const std::string group = spec->value("group", "");
    const std::string kind = spec->contains("names") ? (*spec)["names"].value("kind", "") : "";
    if (!capi_group(group)) {
      return;
    }
    std::string version;
    // The newest contract label names the versions that implement it
    // ("v1alpha1_v1beta2"): the last one.
    const json& meta = crd["metadata"];
    if (meta.contains("labels")) {
      for (const char* contract : { "cluster.x-k8s.io/v1beta2", "cluster.x-k8s.io/v1beta1" }) {
        if (meta["labels"].contains(contract) && meta["labels"][contract].is_string() && version.empty()) {
          const std::string v = meta["labels"][contract].get<std::string>();
          version = v.substr(v.rfind('_') == std::string::npos ? 0 : v.rfind('_') + 1);
        }
      }
    }
    if (version.empty() && spec->contains("versions")) {
      for (const auto& v : (*spec)["versions"]) {
        if (v.value("storage", false)) {
          version = v.value("name", "");
        }
      }
    }
    const std::lock_guard lock(m_mutex);
    m_versions[{ group, kind }] = version;
  };
  for (const auto& crd : server.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")) {
    learn(crd);
  }
  server.on({ .group = "apiextensions.k8s.io", .kind = "CustomResourceDefinition" },
            [learn](KubeTestServer&, const ObjectEvent& e) { learn(*e.object); });
}

void
CapiWebhookServer::route_webhooks(KubeTestServer& server) const
{
  for (const auto& s : webhook_services()) {
    server.route_service(s.ns, s.name, s.port, url());
  }
}

std::string
CapiWebhookServer::ref_version(const std::string& group, const std::string& kind) const
{
  const std::lock_guard lock(m_mutex);
  const auto it = m_versions.find({ group, kind });
  if (it == m_versions.end() || it->second.empty()) {
    throw std::runtime_error("failed to get the API version of " + kind + "." + group +
                             ": no CustomResourceDefinition with the cluster.x-k8s.io contract label");
  }
  return it->second;
}

json
CapiWebhookServer::convert(const json& object, const std::string& desired) const
{
  json out = object;
  const std::string from = version_of(object.value("apiVersion", ""));
  const std::string to = version_of(desired);
  const std::string kind = object.value("kind", "");
  if (group_of(object.value("apiVersion", "")) != group_of(desired)) {
    throw std::runtime_error("cannot convert " + object.value("apiVersion", "") + " to " + desired);
  }
  out["apiVersion"] = desired;
  if (from == to || !((from == "v1beta1" && to == "v1beta2") || (from == "v1beta2" && to == "v1beta1"))) {
    return out; // same shape (or versions this fake does not reshape)
  }
  json& meta = out["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  const std::string ns = meta.value("namespace", "");
  if (to == "v1beta2") {
    // Up: references lose apiVersion for apiGroup; status moves; what only
    // v1beta2 can say comes back from the annotation.
    for (const auto& p : ref_paths(kind)) {
      json* ref = at_path(out, p.v1beta1);
      if (ref == nullptr || !ref->is_object()) {
        continue;
      }
      json hub = { { "apiGroup", group_of(ref->value("apiVersion", "")) },
                   { "kind", ref->value("kind", "") },
                   { "name", ref->value("name", "") } };
      erase_path(out, p.v1beta1);
      put_path(out, p.v1beta2, std::move(hub));
    }
    for (const auto& [old_path, new_path] : status_moves(kind)) {
      move_path(out, old_path, new_path);
    }
    move_path(out, { "status", "v1beta2", "conditions" }, { "status", "conditions" });
    erase_path(out, { "status", "v1beta2" });
    if (meta.contains("annotations") && meta["annotations"].contains(k_conversion_data)) {
      json saved;
      try {
        saved = json::parse(meta["annotations"][k_conversion_data].get<std::string>());
      } catch (const std::exception&) {
        saved = json::object();
      }
      json restored = { { "spec", saved.value("spec", json::object()) },
                        { "status", saved.value("status", json::object()) } };
      json mine = { { "spec", out.value("spec", json::object()) }, { "status", out.value("status", json::object()) } };
      merge_into(restored, mine);
      out["spec"] = restored["spec"];
      if (!restored["status"].empty()) {
        out["status"] = restored["status"];
      }
      meta["annotations"].erase(k_conversion_data);
      if (meta["annotations"].empty()) {
        meta.erase("annotations");
      }
    }
    return out;
  }
  // Down: remember the whole v1beta2 spec and status, then reshape.
  if (kind != "" && (object.contains("spec") || object.contains("status"))) {
    meta["annotations"][k_conversion_data] = json{
      { "spec", object.value("spec", json::object()) }, { "status", object.value("status", json::object()) }
    }.dump();
  }
  for (const auto& p : ref_paths(kind)) {
    json* ref = at_path(out, p.v1beta2);
    if (ref == nullptr || !ref->is_object()) {
      continue;
    }
    const std::string group = ref->value("apiGroup", "");
    const std::string ref_kind = ref->value("kind", "");
    json spoke = { { "apiVersion", group + "/" + ref_version(group, ref_kind) },
                   { "kind", ref_kind },
                   { "name", ref->value("name", "") } };
    if (!ns.empty()) {
      spoke["namespace"] = ns;
    }
    erase_path(out, p.v1beta2);
    put_path(out, p.v1beta1, std::move(spoke));
  }
  move_path(out, { "status", "conditions" }, { "status", "v1beta2", "conditions" });
  for (const auto& [old_path, new_path] : status_moves(kind)) {
    move_path(out, new_path, old_path);
  }
  erase_path(out, { "status", "deprecated" });
  erase_path(out, { "status", "initialization" });
  return out;
}

// ---- cainjector ---------------------------------------------------------------

namespace {

bool
condition_is_true(const json& obj, const std::string& type)
{
  for (const auto& c : obj.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c.value("status", "") == "True";
    }
  }
  return false;
}

bool
available(const KubeTestServer& s, const std::string& ns, const std::string& name)
{
  const auto d = s.get("apps/v1", "Deployment", ns, name);
  return d && condition_is_true(*d, "Available");
}

// Whether the annotation's source is there: a Ready Certificate or a Secret.
bool
source_ready(const KubeTestServer& s, const json& annotations)
{
  const auto split = [](const std::string& ref) {
    const auto slash = ref.find('/');
    return std::make_pair(ref.substr(0, slash), slash == std::string::npos ? "" : ref.substr(slash + 1));
  };
  if (annotations.contains("cert-manager.io/inject-ca-from")) {
    const auto [ns, name] = split(annotations["cert-manager.io/inject-ca-from"].get<std::string>());
    try {
      const auto cert = s.get("cert-manager.io/v1", "Certificate", ns, name);
      return cert && condition_is_true(*cert, "Ready");
    } catch (const ApiError&) {
      return false; // cert-manager's CRDs are not there
    }
  }
  if (annotations.contains("cert-manager.io/inject-ca-from-secret")) {
    const auto [ns, name] = split(annotations["cert-manager.io/inject-ca-from-secret"].get<std::string>());
    return s.get("v1", "Secret", ns, name).has_value();
  }
  return false;
}

// What the injector knows of each CRD with a Webhook conversion (kept from
// CRD events: listing every CRD, megabytes each, on every event would slow
// all the hooks of the server).
struct InjectorState
{
  std::mutex mutex;
  std::map<std::string, std::pair<json, std::string>> crds; // name -> (annotations, caBundle)
};

void
remember_crd(InjectorState& state, const json& crd)
{
  const json& spec = crd["spec"];
  const std::string name = crd["metadata"].value("name", "");
  const std::lock_guard lock(state.mutex);
  if (!spec.contains("conversion") || spec["conversion"].value("strategy", "") != "Webhook") {
    state.crds.erase(name);
    return;
  }
  const json& conversion = spec["conversion"];
  std::string bundle;
  if (conversion.contains("webhook") && conversion["webhook"].contains("clientConfig")) {
    bundle = conversion["webhook"]["clientConfig"].value("caBundle", "");
  }
  state.crds[name] = { crd["metadata"].value("annotations", json::object()), bundle };
}

void
inject_crds(KubeTestServer& s, InjectorState& state, const std::string& bundle)
{
  std::vector<std::pair<std::string, json>> todo;
  {
    const std::lock_guard lock(state.mutex);
    for (const auto& [name, known] : state.crds) {
      if (known.second != bundle) {
        todo.emplace_back(name, known.first);
      }
    }
  }
  for (const auto& [name, annotations] : todo) {
    if (!source_ready(s, annotations)) {
      continue;
    }
    try {
      s.merge_patch(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "",
        name,
        { { "spec", { { "conversion", { { "webhook", { { "clientConfig", { { "caBundle", bundle } } } } } } } } } });
    } catch (const ApiError& e) {
      if (e.code() != 404) {
        throw;
      }
    }
    // Known now, not when this write's event comes round (patching a big
    // CRD again for nothing is what costs).
    const std::lock_guard lock(state.mutex);
    if (const auto it = state.crds.find(name); it != state.crds.end()) {
      it->second.second = bundle;
    }
  }
}

void
inject_webhooks(KubeTestServer& s, json config, const std::string& bundle)
{
  if (!source_ready(s, config["metadata"].value("annotations", json::object()))) {
    return;
  }
  bool changed = false;
  for (auto& wh : config["webhooks"]) {
    if (wh["clientConfig"].value("caBundle", "") != bundle) {
      wh["clientConfig"]["caBundle"] = bundle;
      changed = true;
    }
  }
  if (!changed) {
    return;
  }
  try {
    s.update(config);
  } catch (const ApiError& e) {
    if (e.code() != 409 && e.code() != 404) {
      throw;
    }
    // Someone wrote it meanwhile: their event brings us back here.
  }
}

// event: the object that changed (a CRD or webhook configuration is looked
// at alone; a Certificate, Secret or Deployment can unblock every object).
void
reconcile_injection(KubeTestServer& s, InjectorState& state, const std::string& ca_pem, const json& event)
{
  const std::string kind = event.value("kind", "");
  if (kind == "CustomResourceDefinition") {
    remember_crd(state, event);
  }
  if (!available(s, "cert-manager", "cert-manager-cainjector")) {
    return;
  }
  if (available(s, "cert-manager", "cert-manager-webhook") &&
      !s.get("v1", "Secret", "cert-manager", "cert-manager-webhook-ca")) {
    s.create({ { "apiVersion", "v1" },
               { "kind", "Secret" },
               { "type", "kubernetes.io/tls" },
               { "metadata", { { "name", "cert-manager-webhook-ca" }, { "namespace", "cert-manager" } } },
               { "data",
                 { { "ca.crt", base64_encode(ca_pem) },
                   { "tls.crt", base64_encode(ca_pem) },
                   { "tls.key", base64_encode("fake webhook CA key") } } } });
  }
  const std::string bundle = base64_encode(ca_pem);
  if (kind == "MutatingWebhookConfiguration" || kind == "ValidatingWebhookConfiguration") {
    if (const auto live = s.get("admissionregistration.k8s.io/v1", kind, "", event["metadata"].value("name", ""))) {
      inject_webhooks(s, *live, bundle);
    }
    return;
  }
  inject_crds(s, state, bundle);
  if (kind == "CustomResourceDefinition") {
    return;
  }
  for (const char* k : { "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" }) {
    for (auto& config : s.list("admissionregistration.k8s.io/v1", k)) {
      inject_webhooks(s, std::move(config), bundle);
    }
  }
}

} // namespace

int
play_ca_injector(KubeTestServer& server, std::string ca_pem, std::chrono::milliseconds delay)
{
  auto state = std::make_shared<InjectorState>();
  for (const auto& crd : server.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")) {
    remember_crd(*state, crd);
  }
  auto hook = [ca_pem, state](KubeTestServer& s, const ObjectEvent& e) {
    const json& obj = *e.object;
    const std::string kind = obj.value("kind", "");
    const std::string ns = obj["metadata"].value("namespace", "");
    // Only what can change an injection.
    if ((kind == "Deployment" && ns != "cert-manager") ||
        (kind == "Secret" && obj.value("type", "") != "kubernetes.io/tls")) {
      return;
    }
    reconcile_injection(s, *state, ca_pem, obj);
  };
  const int id =
    server.on({ .group = "apiextensions.k8s.io", .kind = "CustomResourceDefinition", .delay = delay }, hook);
  server.on({ .group = "admissionregistration.k8s.io", .kind = "", .delay = delay }, hook);
  server.on({ .group = "cert-manager.io", .kind = "Certificate", .delay = delay }, hook);
  server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
  server.on({ .group = "", .kind = "Secret", .delay = delay }, hook);
  return id;
}

std::unique_ptr<CapiWebhookServer>
play_capi_webhooks(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto webhooks = std::make_unique<CapiWebhookServer>();
  webhooks->start();
  webhooks->learn_crds(server);
  webhooks->route_webhooks(server);
  play_ca_injector(server, webhooks->ca_pem(), delay);
  return webhooks;
}

} // namespace ocne::test::kube
