// Conversion and admission webhooks, called as kube-apiserver calls them:
// a ConversionReview (apiextensions.k8s.io/v1) for every object read or
// written at a version other than the storage version of a CRD whose
// conversion strategy is Webhook, and AdmissionReviews (admission.k8s.io/v1)
// to the mutating, then the validating webhook configurations whose rules
// match a write. Services are reached through the routes a test gives
// (route_service), only while the Service has a ready endpoint.

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/patch.hpp"
#include "tests/servers/kube/webhook_client.hpp"

#include <algorithm>

namespace ocne::test::kube {

struct ApiServer::WebhookTarget
{
  std::string url;   // as kube-apiserver names it in errors: https://svc.ns.svc:443/path?timeout=10s
  std::string error; // resolution failed (no service, no endpoints, no route)
  WebhookPost post;
};

namespace {

const Json&
meta_of(const Json& obj)
{
  static const Json empty = Json::object();
  const Json* m = child(obj, "metadata");
  return m != nullptr && m->is_object() ? *m : empty;
}

// Go's %q of an integer: the quoted character with that code point (how
// kube-apiserver prints "no service port 'ƻ' found" for port 443).
std::string
go_quote_rune(int code)
{
  std::string out = "'";
  const auto c = static_cast<unsigned>(code);
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out + "'";
}

bool
contains(const Json* list, const std::string& value, bool star = true)
{
  if (list == nullptr || !list->is_array()) {
    return false;
  }
  for (const auto& v : *list) {
    if (v.is_string() && (v.get<std::string>() == value || (star && v.get<std::string>() == "*"))) {
      return true;
    }
  }
  return false;
}

const Json&
labels_of(const Json* obj)
{
  static const Json none = Json::object();
  if (obj == nullptr) {
    return none;
  }
  const Json* l = child(meta_of(*obj), "labels");
  return l != nullptr ? *l : none;
}

ApiError
internal_error(const std::string& message)
{
  ApiError e(500, "InternalError", "Internal error occurred: " + message);
  e.with_details("", "", "");
  e.with_cause("", message, "");
  return e;
}

// The Status a denying webhook returns, as kube-apiserver passes it on.
ApiError
denied(const std::string& webhook, const Json* status)
{
  const Json s = status != nullptr && status->is_object() ? *status : Json::object();
  int code = s.value("code", 0);
  if (code < 400) {
    code = 400;
  }
  const std::string by = "admission webhook " + go_quote(webhook) + " denied the request";
  const std::string message = string_at(s, "message");
  const std::string reason = string_at(s, "reason");
  ApiError e(code,
             reason,
             !message.empty()  ? by + ": " + message
             : !reason.empty() ? by + ": " + reason
                               : by + " without explanation");
  if (const Json* d = child(s, "details"); d != nullptr && d->is_object()) {
    e.with_details(string_at(*d, "name"), string_at(*d, "group"), string_at(*d, "kind"));
    if (const Json* causes = child(*d, "causes"); causes != nullptr && causes->is_array()) {
      for (const auto& c : *causes) {
        e.with_cause(string_at(c, "reason"), string_at(c, "message"), string_at(c, "field"));
      }
    }
  }
  return e;
}

} // namespace

void
ApiServer::route_service(const std::string& ns, const std::string& name, int port, const std::string& url)
{
  const std::lock_guard lock(m_mutex);
  if (url.empty()) {
    m_routes.erase({ ns, name, port });
  } else {
    m_routes[{ ns, name, port }] = url;
  }
}

ApiServer::WebhookTarget
ApiServer::webhook_target(const Json& cc, int timeout_seconds) const
{
  WebhookTarget t;
  t.post.timeout = std::chrono::seconds(timeout_seconds);
  if (const auto ca = base64_decode(string_at(cc, "caBundle"))) {
    t.post.ca_pem = *ca;
  }
  const std::string query = "?timeout=" + std::to_string(timeout_seconds) + "s";
  // "https://host:port/path" -> host, port, path.
  auto split_url = [](const std::string& url, std::string& host, int& port, std::string& path) {
    std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
    const auto slash = rest.find('/');
    path = slash == std::string::npos ? "" : rest.substr(slash);
    std::string hostport = rest.substr(0, slash);
    port = 443;
    if (const auto colon = hostport.rfind(':'); colon != std::string::npos) {
      port = std::atoi(hostport.c_str() + colon + 1);
      hostport.resize(colon);
    }
    host = hostport;
  };
  if (const Json* svc = child(cc, "service"); svc != nullptr && svc->is_object()) {
    const std::string ns = string_at(*svc, "namespace");
    const std::string name = string_at(*svc, "name");
    std::string path = string_at(*svc, "path");
    if (path.empty()) {
      path = "/";
    }
    const int port = svc->value("port", 443);
    const std::string host = name + "." + ns + ".svc";
    t.url = "https://" + host + ":" + std::to_string(port) + path + query;
    t.post.server_name = host;
    t.post.path = path + query;
    const ObjectPtr service = find({ "", "services", ns, name });
    if (!service) {
      t.error = "service " + go_quote(name) + " not found";
      return t;
    }
    bool has_port = false;
    if (const Json* spec = child(*service, "spec"); spec != nullptr) {
      for (const auto& p : spec->value("ports", Json::array())) {
        has_port = has_port || p.value("port", 0) == port;
      }
    }
    if (!has_port) {
      t.error = "no service port " + go_quote_rune(port) + " found for service " + go_quote(name);
      return t;
    }
    bool ready = false;
    if (const ObjectPtr ep = find({ "", "endpoints", ns, name })) {
      for (const auto& subset : ep->value("subsets", Json::array())) {
        ready = ready || !subset.value("addresses", Json::array()).empty();
      }
    }
    if (!ready) {
      t.error = "no endpoints available for service " + go_quote(name);
      return t;
    }
    const auto route = m_routes.find({ ns, name, port });
    if (route == m_routes.end()) {
      // Pods that are Ready by the book but listen nowhere the test said.
      t.error = "dial tcp " + host + ":" + std::to_string(port) + ": connect: connection refused";
      return t;
    }
    std::string rpath;
    split_url(route->second, t.post.connect_host, t.post.connect_port, rpath);
    return t;
  }
  const std::string url = string_at(cc, "url");
  std::string path;
  split_url(url, t.post.server_name, t.post.connect_port, path);
  t.url = url + (url.find('?') == std::string::npos ? query : "&" + query.substr(1));
  t.post.path = (path.empty() ? "/" : path) + (path.find('?') == std::string::npos ? query : "&" + query.substr(1));
  t.post.connect_host = t.post.server_name == "localhost" ? "127.0.0.1" : t.post.server_name;
  return t;
}

// ---- conversion ---------------------------------------------------------------

bool
ApiServer::needs_conversion(const ResourceType& type, const std::string& version) const
{
  return version != type.storage_version().name && webhook_conversion(type);
}

bool
ApiServer::webhook_conversion(const ResourceType& type) const
{
  if (!type.custom()) {
    return false;
  }
  const ObjectPtr crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", type.crd_name });
  const Json* spec = crd ? child(*crd, "spec") : nullptr;
  const Json* conversion = spec != nullptr ? child(*spec, "conversion") : nullptr;
  return conversion != nullptr && string_at(*conversion, "strategy") == "Webhook";
}

Json
ApiServer::convert(const ResourceType& type, Json object, const std::string& version) const
{
  std::vector<Json> one;
  one.push_back(std::move(object));
  return std::move(convert_all(type, std::move(one), version).front());
}

std::vector<Json>
ApiServer::convert_all(const ResourceType& type, std::vector<Json> objects, const std::string& version) const
{
  const std::string desired = type.api_version(version);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (string_at(objects[i], "apiVersion") != desired && webhook_conversion(type)) {
      todo.push_back(i);
    }
  }
  if (todo.empty()) {
    for (auto& o : objects) {
      o["apiVersion"] = desired;
      o["kind"] = type.kind;
    }
    return objects;
  }
  const ObjectPtr crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", type.crd_name });
  const Json& webhook =
    (*crd)["spec"]["conversion"].contains("webhook") ? (*crd)["spec"]["conversion"]["webhook"] : Json::object();
  const std::string from = string_at(objects[todo.front()], "apiVersion") + ", Kind=" + type.kind;
  const auto fail = [&](const std::string& why) {
    return ApiError(500, "", "conversion webhook for " + from + " failed: " + why);
  };
  const Json* review_versions = child(webhook, "conversionReviewVersions");
  std::string review = contains(review_versions, "v1", false)        ? "apiextensions.k8s.io/v1"
                       : contains(review_versions, "v1beta1", false) ? "apiextensions.k8s.io/v1beta1"
                                                                     : "";
  if (review.empty()) {
    throw fail("no supported conversion review versions");
  }
  const std::string uid = new_uid();
  Json request = { { "apiVersion", review },
                   { "kind", "ConversionReview" },
                   { "request", { { "uid", uid }, { "desiredAPIVersion", desired }, { "objects", Json::array() } } } };
  for (const auto i : todo) {
    request["request"]["objects"].push_back(objects[i]);
  }
  WebhookTarget target = webhook_target(webhook.value("clientConfig", Json::object()), 30);
  if (!target.error.empty()) {
    throw fail("Post " + go_quote(target.url) + ": " + target.error);
  }
  target.post.body = request.dump();
  const WebhookReply reply = post_webhook(target.post);
  if (!reply.error.empty()) {
    throw fail("Post " + go_quote(target.url) + ": " + reply.error);
  }
  if (reply.status != 200) {
    throw fail("the server responded with the status code " + std::to_string(reply.status) +
               " but did not return more information");
  }
  Json answer;
  try {
    answer = Json::parse(reply.body);
  } catch (const Json::exception& e) {
    throw fail(std::string("failed to decode the ConversionReview: ") + e.what());
  }
  const Json* response = child(answer, "response");
  if (response == nullptr || !response->is_object()) {
    throw fail("no response provided");
  }
  if (string_at(*response, "uid") != uid) {
    throw fail("expected response uid " + go_quote(uid) + ", got " + go_quote(string_at(*response, "uid")));
  }
  const Json* result = child(*response, "result");
  if (result == nullptr || string_at(*result, "status") != "Success") {
    throw fail(result != nullptr ? string_at(*result, "message") : "no result");
  }
  const Json* converted = child(*response, "convertedObjects");
  const std::size_t got = converted != nullptr && converted->is_array() ? converted->size() : 0;
  if (got != todo.size()) {
    throw fail("expected " + std::to_string(todo.size()) + " converted objects, got " + std::to_string(got));
  }
  const ResourceVersion* v = type.find_version(version);
  for (std::size_t k = 0; k < todo.size(); ++k) {
    Json out = (*converted)[k];
    if (string_at(out, "apiVersion") != desired || string_at(out, "kind") != type.kind) {
      throw fail("invalid converted object at index " + std::to_string(k) + ": expected apiVersion " +
                 go_quote(desired) + " and kind " + go_quote(type.kind) + ", got " +
                 go_quote(string_at(out, "apiVersion")) + " and " + go_quote(string_at(out, "kind")));
    }
    // Only labels and annotations may change in metadata.
    Json meta = meta_of(objects[todo[k]]);
    for (const char* field : { "labels", "annotations" }) {
      const Json* m = child(meta_of(out), field);
      if (m != nullptr && m->is_object() && !m->empty()) {
        meta[field] = *m;
      } else {
        meta.erase(field);
      }
    }
    out["metadata"] = std::move(meta);
    if (v != nullptr && v->schema) {
      prune(out, *v->schema, nullptr, true);
      apply_defaults(out, *v->schema);
    }
    objects[todo[k]] = std::move(out);
  }
  for (auto& o : objects) {
    o["apiVersion"] = desired;
  }
  return objects;
}

ObjectPtr
ApiServer::at_version(const ObjectPtr& stored, const ResourceType& type, const std::string& version) const
{
  if (!stored || !needs_conversion(type, version)) {
    return stored;
  }
  return std::make_shared<const Json>(convert(type, *stored, version));
}

// ---- admission ----------------------------------------------------------------

void
ApiServer::admit(const Call& c, const std::string& operation, Json* object, const Json* old, bool mutating) const
{
  if (c.direct && !m_options.admit_direct_calls) {
    return;
  }
  const ResourceType& t = *c.type;
  // Webhooks never see writes of webhook configurations (a broken webhook
  // could otherwise lock itself in).
  if (t.group == "admissionregistration.k8s.io") {
    return;
  }
  const auto bucket = m_objects.find(
    { "admissionregistration.k8s.io", mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations" });
  if (bucket == m_objects.end()) {
    return;
  }
  const Json* subject = object != nullptr ? object : old;
  std::string ns = t.namespaced && subject != nullptr ? string_at(meta_of(*subject), "namespace") : "";
  if (t.namespaced && ns.empty()) {
    ns = c.ns;
  }
  const std::string name = subject != nullptr ? string_at(meta_of(*subject), "name") : c.name;
  for (const auto& [key, config] : bucket->second) {
    for (const auto& wh : config->value("webhooks", Json::array())) {
      const std::string wh_name = string_at(wh, "name");
      // Which version of the resource the rules ask for (Equivalent: another
      // served version of the same resource will do).
      std::string version;
      const bool exact = string_at(wh, "matchPolicy") == "Exact";
      for (const auto& rule : wh.value("rules", Json::array())) {
        if (!contains(child(rule, "operations"), operation) || !contains(child(rule, "apiGroups"), t.group)) {
          continue;
        }
        const std::string scope = rule.value("scope", "*");
        if ((scope == "Cluster" && t.namespaced) || (scope == "Namespaced" && !t.namespaced)) {
          continue;
        }
        bool resource_ok = false;
        for (const auto& r : rule.value("resources", Json::array())) {
          const std::string res = r.is_string() ? r.get<std::string>() : "";
          const auto slash = res.find('/');
          const std::string main = res.substr(0, slash);
          const std::string sub = slash == std::string::npos ? "" : res.substr(slash + 1);
          const bool main_ok = main == "*" || main == t.plural;
          const bool sub_ok = slash == std::string::npos ? c.subresource.empty() : (sub == "*" || sub == c.subresource);
          resource_ok = resource_ok || (main_ok && sub_ok);
        }
        if (!resource_ok) {
          continue;
        }
        const Json* versions = child(rule, "apiVersions");
        if (contains(versions, c.version)) {
          version = c.version;
          break;
        }
        if (!exact && version.empty()) {
          for (const auto& v : t.versions) {
            if (v.served && contains(versions, v.name)) {
              version = v.name;
              break;
            }
          }
        }
      }
      if (version.empty()) {
        continue;
      }
      // Namespace and object selectors.
      const Json* ns_selector = child(wh, "namespaceSelector");
      if (t.group.empty() && t.plural == "namespaces") {
        if (!label_selector_matches(ns_selector, labels_of(subject))) {
          continue;
        }
      } else if (t.namespaced) {
        const ObjectPtr ns_obj = find({ "", "namespaces", "", ns });
        if (!label_selector_matches(ns_selector, labels_of(ns_obj.get()))) {
          continue;
        }
      }
      const Json* obj_selector = child(wh, "objectSelector");
      if (!label_selector_matches(obj_selector, labels_of(object)) &&
          !label_selector_matches(obj_selector, labels_of(old))) {
        continue;
      }

      const bool ignore = string_at(wh, "failurePolicy") == "Ignore";
      const auto call_failed = [&](const std::string& why) {
        if (!ignore) {
          throw internal_error("failed calling webhook " + go_quote(wh_name) + ": " + why);
        }
      };
      const Json* review_versions = child(wh, "admissionReviewVersions");
      const std::string review = contains(review_versions, "v1", false)        ? "admission.k8s.io/v1"
                                 : contains(review_versions, "v1beta1", false) ? "admission.k8s.io/v1beta1"
                                                                               : "";
      if (review.empty()) {
        call_failed("webhook does not accept v1 or v1beta1 AdmissionReview");
        continue;
      }
      const std::string uid = new_uid();
      Json request = {
        { "uid", uid },
        { "kind", { { "group", t.group }, { "version", version }, { "kind", t.kind } } },
        { "resource", { { "group", t.group }, { "version", version }, { "resource", t.plural } } },
        { "requestKind", { { "group", t.group }, { "version", c.version }, { "kind", t.kind } } },
        { "requestResource", { { "group", t.group }, { "version", c.version }, { "resource", t.plural } } },
        { "name", name },
        { "operation", operation },
        { "userInfo",
          { { "username", "kubernetes-admin" }, { "groups", { "system:masters", "system:authenticated" } } } },
        { "object", nullptr },
        { "oldObject", nullptr },
        { "dryRun", c.param("dryRun") == "All" },
      };
      if (!c.subresource.empty()) {
        request["subResource"] = c.subresource;
        request["requestSubResource"] = c.subresource;
      }
      if (!ns.empty()) {
        request["namespace"] = ns;
      }
      const char* options = operation == "CREATE"   ? "CreateOptions"
                            : operation == "UPDATE" ? "UpdateOptions"
                                                    : "DeleteOptions";
      request["options"] = { { "apiVersion", "meta.k8s.io/v1" }, { "kind", options } };
      if (const std::string fm = c.param("fieldManager"); !fm.empty() && operation != "DELETE") {
        request["options"]["fieldManager"] = fm;
      }
      Json sent;
      if (object != nullptr) {
        sent = convert(t, *object, version);
        request["object"] = sent;
      }
      if (old != nullptr) {
        request["oldObject"] = convert(t, *old, version);
      }
      const Json review_body = { { "apiVersion", review }, { "kind", "AdmissionReview" }, { "request", request } };
      WebhookTarget target = webhook_target(wh.value("clientConfig", Json::object()), wh.value("timeoutSeconds", 10));
      if (!target.error.empty()) {
        call_failed("failed to call webhook: Post " + go_quote(target.url) + ": " + target.error);
        continue;
      }
      target.post.body = review_body.dump();
      const WebhookReply reply = post_webhook(target.post);
      if (!reply.error.empty()) {
        call_failed("failed to call webhook: Post " + go_quote(target.url) + ": " + reply.error);
        continue;
      }
      if (reply.status != 200) {
        call_failed("failed to call webhook: the server responded with the status code " +
                    std::to_string(reply.status) + " but did not return more information");
        continue;
      }
      Json answer;
      try {
        answer = Json::parse(reply.body);
      } catch (const Json::exception& e) {
        call_failed(std::string("received invalid webhook response: ") + e.what());
        continue;
      }
      const Json* response = child(answer, "response");
      if (string_at(answer, "apiVersion") != review || string_at(answer, "kind") != "AdmissionReview") {
        call_failed("received invalid webhook response: expected webhook response of " + review +
                    ", Kind=AdmissionReview, got " + string_at(answer, "apiVersion") +
                    ", Kind=" + string_at(answer, "kind"));
        continue;
      }
      if (response == nullptr || !response->is_object()) {
        call_failed("received invalid webhook response: webhook response was absent");
        continue;
      }
      if (string_at(*response, "uid") != uid) {
        call_failed("received invalid webhook response: expected response.uid=" + go_quote(uid) + ", got " +
                    go_quote(string_at(*response, "uid")));
        continue;
      }
      if (!response->value("allowed", false)) {
        throw denied(wh_name, child(*response, "status"));
      }
      const std::string patch64 = string_at(*response, "patch");
      if (!mutating || patch64.empty() || object == nullptr) {
        continue;
      }
      if (string_at(*response, "patchType") != "JSONPatch") {
        call_failed("received invalid webhook response: unsupported patch type " +
                    go_quote(string_at(*response, "patchType")));
        continue;
      }
      const auto patch_text = base64_decode(patch64);
      Json patched;
      try {
        patched = apply_json_patch(sent, Json::parse(patch_text.value_or("")));
      } catch (const std::exception& e) {
        throw internal_error("JSON patch from webhook " + go_quote(wh_name) + " could not be applied: " + e.what());
      }
      *object = convert(t, std::move(patched), c.version);
    }
  }
}

} // namespace ocne::test::kube
