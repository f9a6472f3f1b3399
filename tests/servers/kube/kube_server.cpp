#include "tests/servers/kube/kube_server.hpp"

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/https_server.hpp"
#include "tests/servers/kube/pki.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

std::string
read_text(const std::filesystem::path& path, const std::string& what)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(what + " " + path.string() + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void
write_private(const std::filesystem::path& path, const std::string& content)
{
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::string tmp = (dir / ("." + path.filename().string() + ".tmp")).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error(path.string() + ": cannot write: " + std::strerror(errno));
  }
  ::fchmod(fd, 0600);
  std::string_view rest = content;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(path.string() + ": cannot write: " + why);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error(path.string() + ": cannot write: " + why);
  }
}

} // namespace

struct KubeTestServer::Impl
{
  ServerOptions options;
  CertKey ca; // key may be empty when only the CA certificate is known
  CertKey serving;
  CertKey admin; // empty without a CA key
  std::string client_ca;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<HttpsServer> http;
  std::string url;
  int port = 0;

  Call
  direct(const std::string& verb,
         const std::string& api_version,
         const std::string& kind,
         const std::string& ns,
         const std::string& name,
         const std::string& subresource = "") const
  {
    auto [type, version] = api->type_for(api_version, kind);
    Call c;
    c.verb = verb;
    c.type = type;
    c.version = version;
    c.ns = type->namespaced ? (ns.empty() ? "default" : ns) : "";
    c.name = name;
    c.subresource = subresource;
    c.direct = true;
    c.user_agent = "ocne-kube-test-server/v0 (direct)";
    c.query["fieldValidation"] = "Strict";
    return c;
  }

  Call
  for_object(const std::string& verb, const Json& obj, const std::string& subresource = "") const
  {
    const Json* meta = child(obj, "metadata");
    return direct(verb,
                  string_at(obj, "apiVersion"),
                  string_at(obj, "kind"),
                  meta != nullptr ? string_at(*meta, "namespace") : "",
                  meta != nullptr ? string_at(*meta, "name") : "",
                  subresource);
  }
};

KubeTestServer::KubeTestServer(ServerOptions options) : m_impl(std::make_unique<Impl>())
{
  m_impl->options = std::move(options);
  m_impl->api = std::make_unique<ApiServer>(m_impl->options);
}

KubeTestServer::~KubeTestServer()
{
  stop();
}

void
KubeTestServer::start()
{
  Impl& d = *m_impl;
  const ServerOptions& o = d.options;
  // Certificates: given files, or issued from the given (or a new) CA.
  if (!o.ca_cert_file.empty()) {
    d.ca.cert_pem = read_text(o.ca_cert_file, "CA certificate");
    if (!o.ca_key_file.empty()) {
      d.ca.key_pem = read_text(o.ca_key_file, "CA key");
      check_key_matches(d.ca.cert_pem, d.ca.key_pem, "CA " + o.ca_key_file.string() + ":");
    }
  } else if (o.tls_cert_file.empty()) {
    d.ca = make_ca("ocne-kube-test-server-ca");
  }
  if (!o.tls_cert_file.empty()) {
    d.serving.cert_pem = read_text(o.tls_cert_file, "serving certificate");
    d.serving.key_pem = read_text(o.tls_key_file, "serving key");
    check_key_matches(d.serving.cert_pem, d.serving.key_pem, "serving " + o.tls_key_file.string() + ":");
  } else if (!d.ca.key_pem.empty()) {
    std::vector<std::string> sans = { "IP:127.0.0.1",
                                      "DNS:localhost",
                                      "DNS:kubernetes",
                                      "DNS:kubernetes.default",
                                      "DNS:kubernetes.default.svc",
                                      "DNS:kubernetes.default.svc.cluster.local" };
    if (o.listen_address != "0.0.0.0" && o.listen_address != "::" && o.listen_address != "127.0.0.1") {
      sans.push_back(normalize_san(o.listen_address));
    }
    for (const auto& s : o.extra_sans) {
      sans.push_back(normalize_san(s));
    }
    d.serving = issue_cert(d.ca, "kube-apiserver", {}, sans, false, true);
  } else if (!o.plain_http) {
    throw std::runtime_error("a CA certificate without its key cannot issue a serving certificate: give "
                             "tls_cert_file and tls_key_file, or the CA key");
  }
  if (!d.ca.key_pem.empty()) {
    d.admin = issue_cert(d.ca, "kubernetes-admin", { "system:masters" }, {}, true, false);
  }
  d.client_ca = !o.client_ca_file.empty() ? read_text(o.client_ca_file, "client CA") : d.ca.cert_pem;

  TlsFiles tls;
  if (!o.plain_http) {
    tls = { d.serving.cert_pem, d.serving.key_pem, d.client_ca };
  }
  ApiServer* api = d.api.get();
  d.http =
    std::make_unique<HttpsServer>(tls, [api](const HttpRequest& req, HttpResponse& res) { api->handle(req, res); });
  d.http->start(o.listen_address, o.port);
  d.port = d.http->port();
  std::string host = o.listen_address;
  if (host == "0.0.0.0" || host == "::") {
    host = "127.0.0.1";
  }
  if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  d.url = std::string(o.plain_http ? "http://" : "https://") + host + ":" + std::to_string(d.port);
  d.api->set_server_address(host + ":" + std::to_string(d.port));
  d.api->start_workers(this);
  for (const auto& p : o.crd_paths) {
    load_crds(p);
  }
  if (!o.kubeconfig_path.empty()) {
    write_kubeconfig(o.kubeconfig_path, o.kubeconfig_server);
  }
}

void
KubeTestServer::stop()
{
  if (m_impl->http) {
    m_impl->http->stop();
    m_impl->http.reset();
  }
  m_impl->api->stop_workers();
}

std::string
KubeTestServer::url() const
{
  return m_impl->url;
}

int
KubeTestServer::port() const
{
  return m_impl->port;
}

const std::string&
KubeTestServer::ca_pem() const
{
  return m_impl->ca.cert_pem;
}

const std::string&
KubeTestServer::client_cert_pem() const
{
  return m_impl->admin.cert_pem;
}

const std::string&
KubeTestServer::client_key_pem() const
{
  return m_impl->admin.key_pem;
}

std::string
KubeTestServer::kubeconfig(const std::string& server_url) const
{
  const Impl& d = *m_impl;
  const std::string server = server_url.empty() ? d.url : server_url;
  std::string out = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n";
  if (!d.options.plain_http && !d.ca.cert_pem.empty()) {
    out += "    certificate-authority-data: " + base64_encode(d.ca.cert_pem) + "\n";
  }
  out += "    server: " + server + "\n  name: ocne-test\n";
  out += "contexts:\n- context:\n    cluster: ocne-test\n    user: kubernetes-admin\n  name: "
         "kubernetes-admin@ocne-test\ncurrent-context: kubernetes-admin@ocne-test\npreferences: {}\n";
  out += "users:\n- name: kubernetes-admin\n  user:\n";
  if (d.options.kubeconfig_uses_token && !d.options.tokens.empty()) {
    out += "    token: " + d.options.tokens.front() + "\n";
  } else if (!d.admin.cert_pem.empty()) {
    out += "    client-certificate-data: " + base64_encode(d.admin.cert_pem) + "\n";
    out += "    client-key-data: " + base64_encode(d.admin.key_pem) + "\n";
  } else if (!d.options.tokens.empty()) {
    out += "    token: " + d.options.tokens.front() + "\n";
  }
  return out;
}

void
KubeTestServer::write_kubeconfig(const std::filesystem::path& path, const std::string& server_url) const
{
  write_private(path, kubeconfig(server_url));
}

namespace {

Json
run(ApiServer& api, Call& c)
{
  return api.call(c).body;
}

} // namespace

Json
KubeTestServer::create(const Json& object)
{
  Call c = m_impl->for_object("create", object);
  c.name.clear();
  c.body = object.dump();
  c.content_type = "application/json";
  return run(*m_impl->api, c);
}

Json
KubeTestServer::update(const Json& object)
{
  Call c = m_impl->for_object("update", object);
  c.body = object.dump();
  c.content_type = "application/json";
  return run(*m_impl->api, c);
}

Json
KubeTestServer::update_status(const Json& object)
{
  Call c = m_impl->for_object("update", object, "status");
  c.body = object.dump();
  c.content_type = "application/json";
  return run(*m_impl->api, c);
}

Json
KubeTestServer::apply(const Json& object, const std::string& field_manager, bool force)
{
  Call c = m_impl->for_object("patch", object);
  c.body = object.dump();
  c.content_type = "application/apply-patch+yaml";
  c.query["fieldManager"] = field_manager;
  if (force) {
    c.query["force"] = "true";
  }
  return run(*m_impl->api, c);
}

Json
KubeTestServer::apply_status(const Json& object, const std::string& field_manager, bool force)
{
  Call c = m_impl->for_object("patch", object, "status");
  c.body = object.dump();
  c.content_type = "application/apply-patch+yaml";
  c.query["fieldManager"] = field_manager;
  if (force) {
    c.query["force"] = "true";
  }
  return run(*m_impl->api, c);
}

Json
KubeTestServer::merge_patch(const std::string& api_version,
                            const std::string& kind,
                            const std::string& ns,
                            const std::string& name,
                            const Json& patch,
                            const std::string& subresource)
{
  Call c = m_impl->direct("patch", api_version, kind, ns, name, subresource);
  c.body = patch.dump();
  c.content_type = "application/merge-patch+json";
  return run(*m_impl->api, c);
}

std::optional<Json>
KubeTestServer::get(const std::string& api_version,
                    const std::string& kind,
                    const std::string& ns,
                    const std::string& name) const
{
  Call c = m_impl->direct("get", api_version, kind, ns, name);
  try {
    return run(*m_impl->api, c);
  } catch (const ApiError& e) {
    if (e.code() == 404) {
      return std::nullopt;
    }
    throw;
  }
}

std::vector<Json>
KubeTestServer::list(const std::string& api_version,
                     const std::string& kind,
                     const std::string& ns,
                     const std::string& label_selector) const
{
  Call c = m_impl->direct("list", api_version, kind, ns, "");
  if (ns.empty()) {
    c.ns.clear();
  }
  if (!label_selector.empty()) {
    c.query["labelSelector"] = label_selector;
  }
  const Json body = run(*m_impl->api, c);
  std::vector<Json> out;
  for (auto item : body["items"]) {
    item["apiVersion"] = body["apiVersion"];
    item["kind"] = kind;
    out.push_back(std::move(item));
  }
  return out;
}

void
KubeTestServer::remove(const std::string& api_version,
                       const std::string& kind,
                       const std::string& ns,
                       const std::string& name,
                       const std::string& propagation)
{
  Call c = m_impl->direct("delete", api_version, kind, ns, name);
  if (!propagation.empty()) {
    c.query["propagationPolicy"] = propagation;
  }
  run(*m_impl->api, c);
}

void
KubeTestServer::route_service(const std::string& ns, const std::string& name, int port, const std::string& url)
{
  m_impl->api->route_service(ns, name, port, url);
}

void
KubeTestServer::load_crds(const std::filesystem::path& file_or_folder)
{
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_directory(file_or_folder, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(file_or_folder)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(file_or_folder);
  }
  for (const auto& f : files) {
    std::vector<Json> docs;
    try {
      docs = parse_documents(read_text(f, "CRD file"));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(f.string() + ": " + e.what());
    }
    for (const auto& doc : docs) {
      if (string_at(doc, "kind") != "CustomResourceDefinition") {
        continue;
      }
      try {
        apply(doc, "ocne-kube-test-server", true);
      } catch (const ApiError& e) {
        throw std::runtime_error(f.string() + ": " + e.message());
      }
    }
  }
}

int
KubeTestServer::on(HookFilter filter, Hook hook)
{
  return m_impl->api->add_hook(std::move(filter), std::move(hook));
}

void
KubeTestServer::remove_hook(int id)
{
  m_impl->api->remove_hook(id);
}

void
KubeTestServer::wait_idle(std::chrono::milliseconds timeout)
{
  m_impl->api->wait_idle(timeout);
}

FaultInjector&
KubeTestServer::faults()
{
  return m_impl->api->faults();
}

void
KubeTestServer::disconnect_watches(bool abrupt)
{
  m_impl->api->disconnect_watches(abrupt);
}

void
KubeTestServer::set_pod_log(const std::string& ns,
                            const std::string& pod,
                            const std::string& container,
                            const std::string& text,
                            bool previous)
{
  m_impl->api->set_pod_log(ns, pod, container, text, previous);
}

void
KubeTestServer::on_exec(ExecResponder responder)
{
  m_impl->api->set_exec_responder(std::move(responder));
}

void
KubeTestServer::set_exec_protocols(std::vector<std::string> protocols)
{
  m_impl->api->set_exec_protocols(std::move(protocols));
}

std::vector<ExecCall>
KubeTestServer::exec_calls() const
{
  return m_impl->api->exec_calls();
}

void
KubeTestServer::compact()
{
  m_impl->api->compact();
}

std::uint64_t
KubeTestServer::resource_version() const
{
  return m_impl->api->resource_version();
}

int
KubeTestServer::open_watches() const
{
  return m_impl->api->open_watches();
}

std::vector<RequestRecord>
KubeTestServer::requests() const
{
  return m_impl->api->requests();
}

std::vector<std::string>
KubeTestServer::unchecked_rules() const
{
  return m_impl->api->unchecked_rules();
}

void
KubeTestServer::clear_requests()
{
  m_impl->api->clear_requests();
}

void
set_condition(Json& object,
              const std::string& type,
              const std::string& status,
              const std::string& reason,
              const std::string& message)
{
  Json& conds = object["status"]["conditions"];
  if (!conds.is_array()) {
    conds = Json::array();
  }
  const std::string now = rfc3339_now();
  for (auto& c : conds) {
    if (string_at(c, "type") == type) {
      if (string_at(c, "status") != status) {
        c["lastTransitionTime"] = now;
      }
      c["status"] = status;
      c["reason"] = reason;
      c["message"] = message;
      return;
    }
  }
  Json c = { { "type", type }, { "status", status }, { "lastTransitionTime", now } };
  if (!reason.empty()) {
    c["reason"] = reason;
  }
  if (!message.empty()) {
    c["message"] = message;
  }
  conds.push_back(std::move(c));
}

} // namespace ocne::test::kube
