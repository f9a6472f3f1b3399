#pragma once

// A loopback Kubernetes API server for tests (see docs/testing-kube-server.md).
//
//   ocne::test::kube::KubeTestServer server({.kubeconfig_path = dir / "kubeconfig"});
//   server.start();                       // https://127.0.0.1:<port>, CA + admin cert generated
//   server.load_crds(shared / "crds/capi");
//   server.on({.kind = "Deployment"}, [](KubeTestServer& s, const ObjectEvent& e) { ... });
//   server.faults().fail_next(1, {.status = 503, .retry_after = 1});
//
// It speaks the real API: discovery, CRUD with resourceVersion checks,
// CustomResourceDefinitions with schema validation, server-side apply with
// managed fields and conflicts, watch, label/field selectors, pagination,
// finalizers, owner references with garbage collection, and metav1.Status
// errors. Methods throw ApiError (api_error.hpp) the way the API would fail.
//
// Only the JSON forward declaration is included here; tests that build or
// read objects include <nlohmann/json.hpp> themselves.

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/faults.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::test::kube {

struct ServerOptions
{
  // Where to listen. 0.0.0.0 and a fixed port (6443) suit a VM.
  std::string listen_address = "127.0.0.1";
  int port = 0;
  // Extra subject alternative names of the serving certificate ("DNS:x",
  // "IP:1.2.3.4", or bare names/addresses); 127.0.0.1 and localhost are always in.
  std::vector<std::string> extra_sans;
  // A CA to issue the serving and admin certificates from (kubeadm's
  // /etc/kubernetes/pki/ca.crt and ca.key). Empty: a CA is generated.
  std::filesystem::path ca_cert_file;
  std::filesystem::path ca_key_file;
  // A serving certificate and key to use as they are (instead of issuing one).
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  // Client certificates are verified against this (default: the CA above).
  std::filesystem::path client_ca_file;
  // Bearer tokens accepted as the admin user.
  std::vector<std::string> tokens;
  // Requests without credentials are served as system:anonymous (else 401).
  bool allow_anonymous = false;
  // Written at start (mode 0600) when set; points at kubeconfig_server or the
  // listening URL, uses the admin client certificate (or tokens[0] when
  // kubeconfig_uses_token).
  std::filesystem::path kubeconfig_path;
  std::string kubeconfig_server;
  bool kubeconfig_uses_token = false;
  // CRD files (YAML, multi-document) or folders of them, loaded at start.
  std::vector<std::filesystem::path> crd_paths;
  // What /version reports.
  std::string version = "v1.32.4";
  // Delay before a new CRD is Established (and its resources served).
  std::chrono::milliseconds crd_establish_delay{ 0 };
  // How often watches that asked for bookmarks get one.
  std::chrono::milliseconds bookmark_interval{ 1000 };
  // Watch events kept for resuming watches; older ones are compacted (410).
  std::size_t history_limit = 20000;
  // Serve plain HTTP (no TLS, no client certificates).
  bool plain_http = false;
  // Direct C++ calls (create, apply, ... below: the fake controllers) go
  // through admission webhooks too. Off by default: the fake controllers do
  // not retry the way real ones do, so a write refused while a webhook is
  // not up yet would leave them stuck where a real controller only waits
  // (docs/testing-kube-server.md, "Webhooks"). Conversion webhooks are
  // always called.
  bool admit_direct_calls = false;
  // Called with one line per request ("GET /api/v1/pods 200"), for -v.
  std::function<void(const std::string&)> log;
};

// A change seen by a hook, with objects in their stored form.
struct ObjectEvent
{
  std::string type; // ADDED, MODIFIED, DELETED
  std::shared_ptr<const nlohmann::json> object;
  std::shared_ptr<const nlohmann::json> old_object; // null for ADDED
};

// One exec into a container (pods/<name>/exec over WebSocket).
struct ExecCall
{
  std::string ns, pod, container;
  std::vector<std::string> command;
  bool stdin = false;
  bool tty = false;
  std::string protocol; // v5.channel.k8s.io or v4.channel.k8s.io
};

// What a scripted responder sees of the client and says back.
class ExecIo
{
public:
  virtual ~ExecIo() = default;
  virtual void out(std::string_view data) = 0;
  virtual void err(std::string_view data) = 0;
  struct Input
  {
    enum class Kind {
      data,   // stdin bytes
      resize, // a terminal size
      end,    // stdin closed (v5) or the client went away
    } kind;
    std::string data;
    int width = 0, height = 0;
  };
  // The next thing the client sent.
  virtual Input next() = 0;
};

// Returns the command's exit code.
using ExecResponder = std::function<int(const ExecCall&, ExecIo&)>;

class KubeTestServer;
using Hook = std::function<void(KubeTestServer&, const ObjectEvent&)>;

// Which events a hook sees: group "" is any group, kind "" any kind.
struct HookFilter
{
  std::string group;
  std::string kind;
  bool added = true;
  bool modified = true;
  bool deleted = false;
  // Run this long after the event (a controller that takes its time).
  std::chrono::milliseconds delay{ 0 };
};

struct RequestRecord
{
  std::string method;
  std::string target; // path and query as sent
  int status = 0;
  std::string user; // authenticated user ("" for anonymous)
};

class KubeTestServer
{
public:
  explicit KubeTestServer(ServerOptions options = {});
  ~KubeTestServer();
  KubeTestServer(const KubeTestServer&) = delete;
  KubeTestServer& operator=(const KubeTestServer&) = delete;

  // Creates the certificates, loads CRDs, writes the kubeconfig and serves.
  // Throws std::runtime_error (bad certificate files, port in use, bad CRD).
  void start();
  void stop();

  std::string url() const; // "https://127.0.0.1:<port>"
  int port() const;
  const std::string& ca_pem() const;
  const std::string& client_cert_pem() const; // CN=kubernetes-admin, O=system:masters
  const std::string& client_key_pem() const;
  // A kubeconfig for the admin (server_url defaults to url()).
  std::string kubeconfig(const std::string& server_url = "") const;
  void write_kubeconfig(const std::filesystem::path& path, const std::string& server_url = "") const;

  // Objects, bypassing HTTP, authentication and faults but with the same
  // validation, versioning, watch events and hooks. Objects name their
  // apiVersion and kind.
  nlohmann::json create(const nlohmann::json& object);
  // A PUT: the object must carry the current resourceVersion where the kind needs it.
  nlohmann::json update(const nlohmann::json& object);
  nlohmann::json update_status(const nlohmann::json& object);
  // Server-side apply as field_manager (force takes over conflicting fields).
  nlohmann::json apply(const nlohmann::json& object, const std::string& field_manager, bool force = true);
  nlohmann::json apply_status(const nlohmann::json& object, const std::string& field_manager, bool force = true);
  // A JSON merge patch of the object or its status.
  nlohmann::json merge_patch(const std::string& api_version,
                             const std::string& kind,
                             const std::string& ns,
                             const std::string& name,
                             const nlohmann::json& patch,
                             const std::string& subresource = "");
  std::optional<nlohmann::json> get(const std::string& api_version,
                                    const std::string& kind,
                                    const std::string& ns,
                                    const std::string& name) const;
  std::vector<nlohmann::json> list(const std::string& api_version,
                                   const std::string& kind,
                                   const std::string& ns = "",
                                   const std::string& label_selector = "") const;
  // A DELETE with the propagation policy (Background, Foreground, Orphan).
  void remove(const std::string& api_version,
              const std::string& kind,
              const std::string& ns,
              const std::string& name,
              const std::string& propagation = "");

  // Where the pods behind a Service listen: webhook clientConfigs naming
  // service {namespace, name, port} are called at url ("https://127.0.0.1:<p>")
  // while the Service exists with that port and its Endpoints have a ready
  // address; the certificate must be valid for "<name>.<namespace>.svc" and
  // signed by the clientConfig's caBundle. An empty url removes the route.
  void route_service(const std::string& ns, const std::string& name, int port, const std::string& url);

  // What GET pods/<pod>/log?container=<container>[&previous=true] returns.
  // The API's own checks still apply: the pod must exist and be scheduled,
  // the container must have started (state not waiting), and previous needs
  // status lastState.terminated. A container with no text set logs nothing.
  void set_pod_log(const std::string& ns,
                   const std::string& pod,
                   const std::string& container,
                   const std::string& text,
                   bool previous = false);

  // Answers exec requests (GET pods/<pod>/exec upgraded to a WebSocket,
  // as the API server and kubelet do): the pod must exist and the container
  // be running; the responder runs the "command". Without a responder the
  // command exits 127 ("not found" on stderr).
  void on_exec(ExecResponder responder);
  // Subprotocols served, in the server's preference (default v5 then v4).
  void set_exec_protocols(std::vector<std::string> protocols);
  // Every exec so far.
  std::vector<ExecCall> exec_calls() const;

  // Applies every CustomResourceDefinition in a YAML file or a folder of them.
  void load_crds(const std::filesystem::path& file_or_folder);

  // Scripted controllers: hooks run on a worker thread, in event order,
  // outside the server's lock (they may call the methods above).
  int on(HookFilter filter, Hook hook);
  void remove_hook(int id);
  // Waits until every queued hook has run (timeout: throws).
  void wait_idle(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Faults for the next requests (by method and path prefix).
  FaultInjector& faults();
  // Ends every open watch: abrupt resets the connections, otherwise the
  // streams end cleanly (as when the server's watch timeout expires).
  void disconnect_watches(bool abrupt = true);
  // Forgets the watch history up to now: watches and lists that name an
  // older resourceVersion get 410 Gone / Expired.
  void compact();
  std::uint64_t resource_version() const;
  int open_watches() const;
  std::vector<RequestRecord> requests() const;
  // Checks of the loaded CRDs' schemas this server does not make (CEL rules
  // its small evaluator does not support, patterns std::regex cannot
  // compile): "<crd> <version> <path>: <rule> (<why>)", sorted. Each is also
  // logged to stderr when its CRD is established.
  std::vector<std::string> unchecked_rules() const;
  void clear_requests();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Helpers for scripted controllers (they modify the JSON they are given).
// Sets (or updates) a status condition with lastTransitionTime.
void set_condition(nlohmann::json& object,
                   const std::string& type,
                   const std::string& status,
                   const std::string& reason = "",
                   const std::string& message = "");

} // namespace ocne::test::kube
