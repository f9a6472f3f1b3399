#include "pkg/clusterctl/components.hpp"

#include "pkg/clusterctl/inventory.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;

// Kinds that live outside namespaces in the files we install (clusterctl
// asks discovery; a processed file must not depend on a cluster).
bool
cluster_scoped(const json& object)
{
  static const std::set<std::string, std::less<>> kinds = {
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "PriorityClass",
    "StorageClass",
    "PersistentVolume",
    "ClusterIssuer",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
  };
  return kinds.contains(object.value("kind", ""));
}

json*
child(json& object, std::string_view key)
{
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

void
override_images_in(json& node, const std::vector<ImageOverride>& rules, std::vector<std::string>& seen)
{
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      if ((key == "containers" || key == "initContainers") && value.is_array()) {
        for (auto& container : value) {
          if (container.is_object() && container.contains("image") && container["image"].is_string()) {
            auto image = container["image"].get<std::string>();
            for (const auto& rule : rules) {
              image = override_image(image, rule);
            }
            container["image"] = image;
            seen.push_back(image);
          }
        }
      } else {
        override_images_in(value, rules, seen);
      }
    }
  } else if (node.is_array()) {
    for (auto& item : node) {
      override_images_in(item, rules, seen);
    }
  }
}

Status
apply_crd_patch(json& crd, const CrdPatch& patch, std::string_view source)
{
  json* versions = child(crd["spec"], "versions");
  if (versions == nullptr || !versions->is_array()) {
    return make_error(ErrorKind::invalid_input, "{}: CRD {} has no versions", source, patch.crd);
  }
  for (auto& version : *versions) {
    if (version.value("name", "") != patch.version) {
      continue;
    }
    json* schema = child(version, "schema");
    json* node = schema == nullptr ? nullptr : child(*schema, "openAPIV3Schema");
    std::string walked;
    for (const auto& step : patch.path) {
      json* props = node == nullptr ? nullptr : child(*node, "properties");
      node = props == nullptr ? nullptr : child(*props, step);
      walked += walked.empty() ? step : "." + step;
      if (node == nullptr) {
        return make_error(ErrorKind::invalid_input,
                          "{}: CRD {} version {} has no field {} to add {} to (a release that changed shape?)",
                          source,
                          patch.crd,
                          patch.version,
                          walked,
                          patch.fields.front().name);
      }
    }
    json& properties = (*node)["properties"];
    for (const auto& field : patch.fields) {
      if (!properties.contains(field.name)) {
        properties[field.name] = { { "description", field.description }, { "type", "string" } };
      }
    }
    return {};
  }
  return make_error(ErrorKind::invalid_input, "{}: CRD {} has no version {}", source, patch.crd, patch.version);
}

std::string
replace_all(std::string text, std::string_view from, std::string_view to)
{
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// Step 5: every reference to the file's own namespace follows it to the target.
void
rewrite_namespaces(json& object, const std::string& from, const std::string& to)
{
  const std::string kind = object.value("kind", "");
  if (!cluster_scoped(object)) {
    object["metadata"]["namespace"] = to;
  }
  if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
    if (json* subjects = child(object, "subjects"); subjects != nullptr && subjects->is_array()) {
      for (auto& s : *subjects) {
        if (s.value("kind", "") == "ServiceAccount") {
          s["namespace"] = to;
        }
      }
    }
  }
  const auto fix_service = [&](json& client_config) {
    if (json* svc = child(client_config, "service"); svc != nullptr && svc->is_object()) {
      (*svc)["namespace"] = to;
    }
  };
  if (kind == "ValidatingWebhookConfiguration" || kind == "MutatingWebhookConfiguration") {
    if (json* hooks = child(object, "webhooks"); hooks != nullptr && hooks->is_array()) {
      for (auto& h : *hooks) {
        if (json* cc = child(h, "clientConfig")) {
          fix_service(*cc);
        }
      }
    }
  }
  if (kind == "CustomResourceDefinition") {
    json* spec = child(object, "spec");
    json* conv = spec == nullptr ? nullptr : child(*spec, "conversion");
    json* hook = conv == nullptr ? nullptr : child(*conv, "webhook");
    if (json* cc = hook == nullptr ? nullptr : child(*hook, "clientConfig")) {
      fix_service(*cc);
    }
  }
  if (kind == "Certificate" && from != to) {
    json* spec = child(object, "spec");
    if (json* names = spec == nullptr ? nullptr : child(*spec, "dnsNames"); names != nullptr && names->is_array()) {
      for (auto& n : *names) {
        if (n.is_string()) {
          n = replace_all(n.get<std::string>(), "." + from + ".svc", "." + to + ".svc");
        }
      }
    }
  }
  json* annotations = child(object["metadata"], "annotations");
  if (annotations != nullptr && annotations->is_object() && from != to) {
    const std::string key = "cert-manager.io/inject-ca-from";
    if (annotations->contains(key) && (*annotations)[key].is_string()) {
      const auto value = (*annotations)[key].get<std::string>();
      if (value.starts_with(from + "/")) {
        (*annotations)[key] = to + value.substr(from.size());
      }
    }
  }
}

int
order_rank(const json& object)
{
  if (object.value("kind", "") == "Namespace") {
    return 0;
  }
  const std::string api = object.value("apiVersion", "");
  if (api.starts_with("cert-manager.io/")) {
    return 1;
  }
  return 2;
}

} // namespace

std::string
override_image(const std::string& image, const ImageOverride& rule)
{
  std::string rest = image;
  std::string digest;
  if (const auto at = rest.find('@'); at != std::string::npos) {
    digest = rest.substr(at);
    rest.resize(at);
  }
  const auto slash = rest.rfind('/');
  std::string repository = slash == std::string::npos ? "" : rest.substr(0, slash);
  std::string name = slash == std::string::npos ? rest : rest.substr(slash + 1);
  std::string tag;
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    tag = name.substr(colon + 1);
    name.resize(colon);
  }
  if (!rule.name.empty() && rule.name != name) {
    return image;
  }
  if (!rule.repository.empty()) {
    repository = rule.repository;
  }
  if (!rule.tag.empty()) {
    tag = rule.tag;
    digest.clear();
  }
  std::string out = repository.empty() ? name : repository + "/" + name;
  if (!tag.empty()) {
    out += ":" + tag;
  }
  return out + digest;
}

Result<ProcessedComponent>
process_component(const Component& component,
                  std::string_view text,
                  std::string_view source,
                  const ProcessOptions& options)
{
  OCNE_TRY_ASSIGN(auto substituted, substitute_variables(text, options.variables, source));
  std::vector<k8s::ParsedDocument> where;
  OCNE_TRY_ASSIGN(auto objects, k8s::parse_yaml_stream(substituted, source, &where));

  ProcessedComponent out;
  const bool cert_manager = component.type == ProviderType::cert_manager;

  // Images: the component's rules, then the user's.
  std::vector<ImageOverride> rules = component.images;
  rules.insert(rules.end(), options.extra_images.begin(), options.extra_images.end());
  for (auto& object : objects) {
    if (!object.is_object() || !object.contains("kind") || !object.contains("apiVersion")) {
      return make_error(ErrorKind::invalid_input, "{}: a document without apiVersion and kind", source);
    }
    if (!object.contains("metadata") || !object["metadata"].is_object()) {
      object["metadata"] = json::object();
    }
    if (object["kind"] != "CustomResourceDefinition") {
      override_images_in(object, rules, out.images);
    }
    if (!cert_manager) {
      add_proxy_env(object, options.proxy);
    }
  }

  // Namespace: the file's single Namespace, unless the caller names one.
  std::vector<std::string> namespaces;
  for (const auto& object : objects) {
    if (object["kind"] == "Namespace") {
      namespaces.push_back(object["metadata"].value("name", ""));
    }
  }
  if (!cert_manager) {
    if (namespaces.size() > 1) {
      return make_error(ErrorKind::invalid_input,
                        "{}: {} Namespace objects ({}); a provider's components must have at most one",
                        source,
                        namespaces.size(),
                        str::join(namespaces, ", "));
    }
    const std::string file_ns = namespaces.empty() ? "" : namespaces.front();
    out.target_namespace = options.target_namespace.empty() ? file_ns : options.target_namespace;
    if (out.target_namespace.empty()) {
      return make_error(
        ErrorKind::invalid_input, "{}: no Namespace object, so no target namespace for {}", source, component.label);
    }
    if (namespaces.empty()) {
      objects.push_back(
        { { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", out.target_namespace } } } });
      where.push_back({});
    }
    const std::string from = file_ns.empty() ? out.target_namespace : file_ns;
    for (auto& object : objects) {
      if (object["kind"] == "Namespace") {
        object["metadata"]["name"] = out.target_namespace;
      } else {
        rewrite_namespaces(object, from, out.target_namespace);
      }
    }
  } else {
    out.target_namespace = namespaces.empty() ? "cert-manager" : namespaces.front();
  }

  // CRD patches: every one must land, or the release changed shape.
  for (const auto& patch : component.crd_patches) {
    auto it = std::find_if(objects.begin(), objects.end(), [&](const json& o) {
      return o["kind"] == "CustomResourceDefinition" && o["metadata"].value("name", "") == patch.crd;
    });
    if (it == objects.end()) {
      return make_error(ErrorKind::invalid_input, "{}: no CRD {} to add the Ignition fields to", source, patch.crd);
    }
    OCNE_TRY(apply_crd_patch(*it, patch, source));
  }

  // Labels (and for cert-manager clusterctl's version annotation).
  for (auto& object : objects) {
    json& labels = object["metadata"]["labels"];
    if (!labels.is_object()) {
      labels = json::object();
    }
    labels["clusterctl.cluster.x-k8s.io"] = "";
    if (cert_manager) {
      labels["clusterctl.cluster.x-k8s.io/core"] = "cert-manager";
      json& annotations = object["metadata"]["annotations"];
      if (!annotations.is_object()) {
        annotations = json::object();
      }
      annotations[std::string(k_cert_manager_version_annotation)] = component.version;
    } else {
      labels["cluster.x-k8s.io/provider"] = component.label;
    }
  }

  // Order, keeping each object's origin with it.
  std::vector<std::size_t> index(objects.size());
  for (std::size_t i = 0; i < index.size(); ++i) {
    index[i] = i;
  }
  std::stable_sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) {
    return order_rank(objects[a]) < order_rank(objects[b]);
  });
  for (const auto i : index) {
    const auto& w = where[i];
    out.origins.push_back(w.index > 0 ? fmt::format("{} document {} (line {})", source, w.index, w.line)
                                      : fmt::format("{} (added {})", source, objects[i]["kind"].get<std::string>()));
    out.objects.push_back(std::move(objects[i]));
  }

  // What to wait for.
  std::set<ServiceRef> services;
  const auto note_service = [&](const json* client_config) {
    if (client_config == nullptr || !client_config->is_object() || !client_config->contains("service")) {
      return;
    }
    const json& svc = (*client_config)["service"];
    services.insert({ svc.value("namespace", ""), svc.value("name", "") });
  };
  for (const auto& object : out.objects) {
    const std::string kind = object["kind"];
    const json& meta = object["metadata"];
    if (kind == "Deployment") {
      out.deployments.push_back(k8s::ObjectRef::of(object));
    } else if (kind == "CustomResourceDefinition") {
      out.crds.push_back(meta.value("name", ""));
      const json* cc = nullptr;
      if (object.contains("spec") && object["spec"].contains("conversion") &&
          object["spec"]["conversion"].contains("webhook")) {
        const json& hook = object["spec"]["conversion"]["webhook"];
        cc = hook.contains("clientConfig") ? &hook["clientConfig"] : nullptr;
      }
      note_service(cc);
    } else if (kind == "ValidatingWebhookConfiguration" || kind == "MutatingWebhookConfiguration") {
      for (const auto& h : object.value("webhooks", json::array())) {
        note_service(h.contains("clientConfig") ? &h["clientConfig"] : nullptr);
      }
    }
  }
  out.webhook_services.assign(services.begin(), services.end());
  if (!cert_manager) {
    out.inventory = inventory_object(component, out.target_namespace);
  }
  return out;
}

Status
check_metadata(const Component& component, const Stack& stack, std::string_view metadata_text, std::string_view source)
{
  OCNE_TRY_ASSIGN(auto metadata, k8s::parse_yaml(metadata_text, source));
  int major = 0;
  int minor = 0;
  if (std::sscanf(component.version.c_str(), "v%d.%d", &major, &minor) != 2) {
    return make_error(
      ErrorKind::internal, "version {} of {} is not vMAJOR.MINOR.PATCH", component.version, component.label);
  }
  const json series = metadata.is_object() ? metadata.value("releaseSeries", json::array()) : json::array();
  for (const auto& s : series) {
    if (!s.is_object() || s.value("major", -1) != major || s.value("minor", -1) != minor) {
      continue;
    }
    const std::string contract = s.value("contract", "");
    const auto accepted = component.type == ProviderType::core ? std::vector<std::string>{ stack.core_contract }
                                                               : compatible_contracts(stack.core_contract);
    if (std::find(accepted.begin(), accepted.end(), contract) == accepted.end()) {
      return make_error(ErrorKind::invalid_input,
                        "{}: {} {} speaks Cluster API contract {}, but this stack's core needs {}",
                        source,
                        component.label,
                        component.version,
                        contract.empty() ? "(none)" : contract,
                        str::join(accepted, " or "));
    }
    return {};
  }
  return make_error(ErrorKind::invalid_input,
                    "{}: no release series {}.{} for {} {} (is this the right metadata.yaml?)",
                    source,
                    major,
                    minor,
                    component.label,
                    component.version);
}

} // namespace ocne::clusterctl
