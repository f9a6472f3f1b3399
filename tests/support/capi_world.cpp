#include "tests/support/capi_world.hpp"

#include "tests/servers/kube/capi_play.hpp"
#include "tests/servers/kube/capi_webhook.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oci/test_keys.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/tls.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace ocne::test {

namespace {

using json = nlohmann::json;
namespace stdfs = std::filesystem;

constexpr const char* k_user = "ocid1.user.oc1..aaaaaaaaocnecapiworld";
constexpr const char* k_oxide_token = "oxide-token-capi-world";
constexpr const char* k_kubernetes = "1.33";

void
write_file(const stdfs::path& path, const std::string& text, unsigned mode = 0644)
{
  stdfs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
  ::chmod(path.c_str(), mode);
}

} // namespace

struct CapiWorld::Impl
{
  CapiWorldOptions options;
  stdfs::path folder;
  std::unique_ptr<kube::KubeTestServer> management;
  std::unique_ptr<kube::KubeTestServer> workload;
  // Webhook pods of each cluster (capi_webhook.hpp); after the servers, so
  // they go first, once the servers have stopped calling them.
  std::unique_ptr<kube::CapiWebhookServer> management_webhooks;
  std::unique_ptr<kube::CapiWebhookServer> workload_webhooks;
  std::unique_ptr<oci::OciTestServer> oci;
  std::unique_ptr<OxideServer> oxide;
  std::unique_ptr<TestHttpServer> release;
  std::shared_ptr<ReleaseRequests> release_requests;
  stdfs::path ca_bundle;
  std::string compartment_id;
  std::map<std::string, std::string> images;            // arch -> id (1.33)
  std::map<std::string, std::string> images_by_version; // "<minor>/<arch>" -> id
  int resyncs = 0;

  std::mutex mutex;
  std::optional<kube::InfrastructureFailure> failure;
};

CapiWorld::CapiWorld(std::filesystem::path folder, CapiWorldOptions options) : m_impl(std::make_unique<Impl>())
{
  Impl& w = *m_impl;
  if (options.provider != "oci" && options.provider != "oxide") {
    throw std::runtime_error("CapiWorld: provider must be oci or oxide, not " + options.provider);
  }
  w.options = std::move(options);
  w.failure = w.options.infrastructure_failure;
  w.folder = std::move(folder);
  const stdfs::path world = w.folder / "world";
  stdfs::create_directories(home() / ".kube");
  stdfs::create_directories(world);

  // The workload cluster first: the management cluster hands out its kubeconfig.
  kube::ServerOptions wo;
  wo.kubeconfig_path = world / "workload.kubeconfig";
  wo.version = "v1.33.0";
  w.workload = std::make_unique<kube::KubeTestServer>(wo);
  w.workload->start();
  kube::ServerOptions mo;
  mo.kubeconfig_path = world / "management.kubeconfig";
  w.management = std::make_unique<kube::KubeTestServer>(mo);
  w.management->start();

  kube::play_workload_controllers(*w.management, w.options.delay);
  kube::CapiPlayOptions play;
  play.provider = w.options.provider;
  play.delay = w.options.delay;
  play.deletion_delay = w.options.deletion_delay;
  play.workload_never_available = w.options.workload_never_available;
  play.machine_boot = w.options.machine_boot;
  play.kubeadm_addons_after = w.options.kubeadm_addons_after;
  play.machine_failure = w.options.machine_failure;
  Impl* impl = &w;
  play.infrastructure_failure = [impl] {
    const std::lock_guard lock(impl->mutex);
    return impl->failure;
  };
  kube::play_capi(*w.management, *w.workload, play);
  // Both clusters' webhooks answer once their pods run (capi_webhook.hpp).
  w.management_webhooks = kube::play_capi_webhooks(*w.management, w.options.delay);
  w.workload_webhooks = kube::play_capi_webhooks(*w.workload, w.options.delay);

  // The release files, served like GitHub over HTTPS.
  const auto ca = make_test_ca();
  const auto cert = make_test_cert(ca, "localhost", { "IP:127.0.0.1" });
  w.ca_bundle = world / "tls" / "ca.pem";
  write_file(w.ca_bundle, ca.cert_pem);
  write_file(world / "tls" / "cert.pem", cert.cert_pem);
  write_file(world / "tls" / "key.pem", cert.key_pem, 0600);
  w.release =
    std::make_unique<TestHttpServer>((world / "tls" / "cert.pem").string(), (world / "tls" / "key.pem").string());
  w.release_requests = serve_release(*w.release, stack_release_paths(w.options.provider));
  w.release->start();

  if (w.options.provider == "oci") {
    oci::ServerOptions so;
    so.page_size = 10;
    w.oci = std::make_unique<oci::OciTestServer>(so);
    const auto& key = oci::shared_test_key();
    w.oci->add_api_key(so.tenancy + "/" + k_user + "/" + key.fingerprint, key.public_pem);
    const auto projects = w.oci->add_compartment(so.tenancy, "projects");
    w.compartment_id = w.oci->add_compartment(projects, "k8s");
    for (const auto& minor : w.options.kubernetes_versions) {
      for (const char* arch : { "arm64", "amd64" }) {
        const auto id = w.oci->add_image(w.compartment_id,
                                         "ock",
                                         { { "ocne/kubernetes", minor }, { "ocne/architecture", arch } },
                                         std::chrono::system_clock::now() - std::chrono::hours(1));
        w.images_by_version[minor + "/" + arch] = id;
        if (minor == k_kubernetes) {
          w.images[arch] = id;
        }
      }
    }
    w.oci->start();
    write_file(home() / ".oci" / "key.pem", key.private_pem, 0600);
    write_file(home() / ".oci" / "config",
               std::string("[DEFAULT]\nuser=") + k_user + "\nfingerprint=" + key.fingerprint +
                 "\ntenancy=" + so.tenancy + "\nregion=us-ashburn-1\nkey_file=~/.oci/key.pem\n",
               0600);
  } else {
    OxideServerOptions so;
    so.storage_dir = world;
    so.token = k_oxide_token;
    so.project = "k8s";
    w.oxide = std::make_unique<OxideServer>(so);
    w.oxide->start();
    for (const auto& minor : w.options.kubernetes_versions) {
      std::string dashed = minor;
      std::replace(dashed.begin(), dashed.end(), '.', '-');
      const auto id = w.oxide->add_image("k8s", "ocne-" + dashed);
      w.images_by_version[minor + "/amd64"] = id;
      if (minor == k_kubernetes) {
        w.images["amd64"] = id;
      }
    }
  }
}

CapiWorld::~CapiWorld()
{
  Impl& w = *m_impl;
  // Hooks call across servers: stop both before either goes away.
  for (auto* s : { w.management.get(), w.workload.get() }) {
    if (s != nullptr) {
      try {
        s->wait_idle(std::chrono::seconds(5));
      } catch (const std::exception&) {
      }
    }
  }
  if (w.management) {
    w.management->stop();
  }
  if (w.workload) {
    w.workload->stop();
  }
  if (w.release) {
    w.release->stop();
  }
  if (w.oci) {
    w.oci->stop();
  }
  if (w.oxide) {
    w.oxide->stop();
  }
}

const std::string&
CapiWorld::provider() const
{
  return m_impl->options.provider;
}

kube::KubeTestServer&
CapiWorld::management()
{
  return *m_impl->management;
}

kube::KubeTestServer&
CapiWorld::workload()
{
  return *m_impl->workload;
}

oci::OciTestServer&
CapiWorld::oci()
{
  if (!m_impl->oci) {
    throw std::runtime_error("CapiWorld: no OCI server in an " + provider() + " world");
  }
  return *m_impl->oci;
}

OxideServer&
CapiWorld::oxide()
{
  if (!m_impl->oxide) {
    throw std::runtime_error("CapiWorld: no Oxide server in an " + provider() + " world");
  }
  return *m_impl->oxide;
}

ReleaseRequests&
CapiWorld::release()
{
  return *m_impl->release_requests;
}

TestHttpServer&
CapiWorld::release_server()
{
  return *m_impl->release;
}

std::filesystem::path
CapiWorld::home() const
{
  return m_impl->folder / "home";
}

std::filesystem::path
CapiWorld::management_kubeconfig() const
{
  return m_impl->folder / "world" / "management.kubeconfig";
}

std::filesystem::path
CapiWorld::workload_kubeconfig() const
{
  return m_impl->folder / "world" / "workload.kubeconfig";
}

std::map<std::string, std::string>
CapiWorld::env() const
{
  const Impl& w = *m_impl;
  std::map<std::string, std::string> e = { { "HOME", home().string() },
                                           { "OCNE_HOME", (home() / ".ocne").string() },
                                           { "KUBECONFIG", management_kubeconfig().string() },
                                           { "OCNE_GITHUB_URL", w.release->url() },
                                           { "OCNE_COMPONENTS_CA_BUNDLE", w.ca_bundle.string() } };
  if (w.oci) {
    e["OCNE_OCI_ENDPOINT"] = w.oci->url();
  } else {
    e["OXIDE_HOST"] = w.oxide->url();
    e["OXIDE_TOKEN"] = k_oxide_token;
  }
  return e;
}

std::filesystem::path
CapiWorld::write_cluster_file(const std::string& name,
                              const std::string& extra_yaml,
                              const std::string& provider_yaml) const
{
  std::string text = "name: " + name + "\nprovider: " + provider() + "\nkubernetesVersion: \"" + k_kubernetes +
                     "\"\nproviders:\n  " + provider() + ":\n";
  if (provider() == "oci") {
    text += "    compartment: " + compartment_path() + "\n";
  } else {
    text += "    project: " + oxide_project() + "\n";
  }
  std::string rest = provider_yaml;
  for (std::size_t at = 0; at < rest.size();) {
    const auto nl = rest.find('\n', at);
    const auto line = rest.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    text += "    " + line + "\n";
    at = nl == std::string::npos ? rest.size() : nl + 1;
  }
  text += extra_yaml;
  const auto path = m_impl->folder / (name + ".yaml");
  write_file(path, text);
  return path;
}

void
CapiWorld::fail_infrastructure(std::optional<kube::InfrastructureFailure> failure)
{
  {
    const std::lock_guard lock(m_impl->mutex);
    m_impl->failure = std::move(failure);
  }
  // Controllers reconcile again after a while; here, at once: every Cluster
  // is touched so the infrastructure controller looks at it again.
  for (const auto* version : { "cluster.x-k8s.io/v1beta2", "cluster.x-k8s.io/v1beta1" }) {
    try {
      for (const auto& c : m_impl->management->list(version, "Cluster")) {
        const auto& meta = c["metadata"];
        m_impl->management->merge_patch(
          version,
          "Cluster",
          meta.value("namespace", ""),
          meta.value("name", ""),
          { { "metadata", { { "annotations", { { "capi-world/resync", std::to_string(++m_impl->resyncs) } } } } } });
      }
      break;
    } catch (const std::exception&) {
      // this version is not served
    }
  }
}

std::string
CapiWorld::compartment_path() const
{
  return "projects/k8s";
}

std::string
CapiWorld::compartment_id() const
{
  return m_impl->compartment_id;
}

std::string
CapiWorld::oxide_project() const
{
  return "k8s";
}

std::string
CapiWorld::image_id(const std::string& arch) const
{
  const auto it = m_impl->images.find(arch);
  return it == m_impl->images.end() ? "" : it->second;
}

std::string
CapiWorld::image_id(const std::string& arch, const std::string& minor) const
{
  const auto it = m_impl->images_by_version.find(minor + "/" + arch);
  return it == m_impl->images_by_version.end() ? "" : it->second;
}

std::string
CapiWorld::kubernetes_version() const
{
  return k_kubernetes;
}

std::size_t
CapiWorld::count(Side side,
                 const std::string& api_version,
                 const std::string& kind,
                 const std::string& ns,
                 const std::string& label_selector) const
{
  const auto& s = side == management_side ? *m_impl->management : *m_impl->workload;
  try {
    return s.list(api_version, kind, ns, label_selector).size();
  } catch (const kube::ApiError&) {
    return 0; // a kind not served (yet)
  }
}

kube::CapiWebhookServer&
CapiWorld::webhooks(Side side)
{
  return side == management_side ? *m_impl->management_webhooks : *m_impl->workload_webhooks;
}

std::size_t
CapiWorld::image_count() const
{
  return m_impl->oci ? m_impl->oci->images().size() : m_impl->oxide->images().size();
}

std::vector<kube::RequestRecord>
CapiWorld::requests(Side side) const
{
  return (side == management_side ? *m_impl->management : *m_impl->workload).requests();
}

int
CapiWorld::cloud_count(const std::string& operation) const
{
  return m_impl->oci ? m_impl->oci->count(operation) : m_impl->oxide->count(operation);
}

std::size_t
CapiWorld::release_request_count() const
{
  const std::lock_guard lock(m_impl->release_requests->mutex);
  return m_impl->release_requests->paths.size();
}

void
CapiWorld::settle(std::chrono::milliseconds timeout)
{
  for (int round = 0; round < 3; ++round) {
    m_impl->management->wait_idle(timeout);
    m_impl->workload->wait_idle(timeout);
  }
}

} // namespace ocne::test
