// ocne-kube-test-server: the Kubernetes test server as a program, for
// manual runs and for a fake node inside a VM. Prints one line with the URL
// when it serves, then serves until SIGTERM or SIGINT.

#include "tests/servers/kube/capi_play.hpp"
#include "tests/servers/kube/capi_webhook.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/kube_server.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

namespace {

const char* const k_usage = R"(usage: ocne-kube-test-server [options]

Serves enough of the Kubernetes API for tests (and for kubectl) over HTTPS.

  --listen ADDRESS        address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --port N                port (default 0: any free port)
  --san NAME              extra subject alternative name of the serving certificate (repeatable)
  --ca-cert FILE          CA certificate to issue the serving and admin certificates from
  --ca-key FILE           its private key (kubeadm: /etc/kubernetes/pki/ca.crt and ca.key)
  --tls-cert FILE         serve this certificate instead of issuing one
  --tls-key FILE          its private key
  --client-ca FILE        verify client certificates against this CA (default: the CA)
  --token-file FILE       accept the bearer token in FILE (one per line) as the admin
  --anonymous             serve requests without credentials
  --kubeconfig FILE       write an admin kubeconfig (mode 0600)
  --kubeconfig-server URL server URL written in the kubeconfig (default: the listening URL)
  --kubeconfig-token      use the first token in the kubeconfig instead of the client certificate
  --crds PATH             load the CustomResourceDefinitions in a file or folder (repeatable)
  --apply FILE            server-side apply the objects in a YAML file at start (repeatable)
  --node NAME             create a Ready Node object (repeatable)
  --version VERSION       version /version reports (default v1.32.4)
  --controllers           play the Deployment, DaemonSet, endpoints and cert-manager
                          controllers (controllers.hpp), and the webhook pods and
                          cainjector of Cluster API and cert-manager (capi_webhook.hpp)
  --cni NS/NAME           with --controllers: nodes are Ready only once this DaemonSet
                          is rolled out, as a kubelet without a CNI (repeatable)
  --stall NS/NAME         with --controllers: this Deployment or DaemonSet never becomes
                          available; its Pod waits in ImagePullBackOff (repeatable)
  --capi PROVIDER         also serve a workload cluster and play Cluster API here
                          (capi_play.hpp): this server manages, the other one is the
                          workload cluster whose nodes wait for flannel and the
                          PROVIDER's (oci, oxide, or any: either) cloud controller manager
  --capi-port N           the workload server's port (default: any free port)
  --capi-url URL          its URL in the kubeconfig Secrets (default: its listening URL)
  --crd-establish-delay MS  delay before new CRDs are Established
  --plain-http            serve HTTP without TLS
  -v, --verbose           log each request to stderr
  -h, --help              this text
)";

std::string
read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int
fail(const std::string& message)
{
  std::cerr << "ocne-kube-test-server: " << message << "\n";
  return 2;
}

} // namespace

int
main(int argc, char** argv)
{
  using ocne::test::kube::Json;
  ocne::test::kube::ServerOptions options;
  std::vector<std::string> apply_files;
  std::vector<std::string> nodes;
  bool controllers = false;
  std::vector<std::string> cni;
  std::vector<std::string> stalled;
  bool verbose = false;
  std::string capi_provider;
  int capi_port = 0;
  std::string capi_url;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) {
          throw std::runtime_error(arg + " needs a value");
        }
        return argv[++i];
      };
      if (arg == "-h" || arg == "--help") {
        std::cout << k_usage;
        return 0;
      } else if (arg == "--listen") {
        options.listen_address = value();
      } else if (arg == "--port") {
        const std::string v = value();
        char* end = nullptr;
        const long port = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || port < 0 || port > 65535) {
          throw std::runtime_error("--port " + v + ": not a port number");
        }
        options.port = static_cast<int>(port);
      } else if (arg == "--san") {
        options.extra_sans.push_back(value());
      } else if (arg == "--ca-cert") {
        options.ca_cert_file = value();
      } else if (arg == "--ca-key") {
        options.ca_key_file = value();
      } else if (arg == "--tls-cert") {
        options.tls_cert_file = value();
      } else if (arg == "--tls-key") {
        options.tls_key_file = value();
      } else if (arg == "--client-ca") {
        options.client_ca_file = value();
      } else if (arg == "--token-file") {
        std::istringstream lines(read_file(value()));
        for (std::string line; std::getline(lines, line);) {
          while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
            line.pop_back();
          }
          if (!line.empty()) {
            options.tokens.push_back(line);
          }
        }
      } else if (arg == "--anonymous") {
        options.allow_anonymous = true;
      } else if (arg == "--kubeconfig") {
        options.kubeconfig_path = value();
      } else if (arg == "--kubeconfig-server") {
        options.kubeconfig_server = value();
      } else if (arg == "--kubeconfig-token") {
        options.kubeconfig_uses_token = true;
      } else if (arg == "--crds") {
        options.crd_paths.emplace_back(value());
      } else if (arg == "--apply") {
        apply_files.push_back(value());
      } else if (arg == "--controllers") {
        controllers = true;
      } else if (arg == "--cni") {
        cni.push_back(value());
      } else if (arg == "--stall") {
        stalled.push_back(value());
      } else if (arg == "--node") {
        nodes.push_back(value());
      } else if (arg == "--capi") {
        capi_provider = value();
        if (capi_provider != "oci" && capi_provider != "oxide" && capi_provider != "any") {
          throw std::runtime_error("--capi " + capi_provider + ": oci, oxide or any");
        }
      } else if (arg == "--capi-port") {
        const std::string v = value();
        char* end = nullptr;
        const long port = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || port < 0 || port > 65535) {
          throw std::runtime_error("--capi-port " + v + ": not a port number");
        }
        capi_port = static_cast<int>(port);
      } else if (arg == "--capi-url") {
        capi_url = value();
      } else if (arg == "--version") {
        options.version = value();
      } else if (arg == "--crd-establish-delay") {
        const std::string v = value();
        char* end = nullptr;
        const long ms = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || ms < 0) {
          throw std::runtime_error("--crd-establish-delay " + v + ": not a number of milliseconds");
        }
        options.crd_establish_delay = std::chrono::milliseconds(ms);
      } else if (arg == "--plain-http") {
        options.plain_http = true;
      } else if (arg == "-v" || arg == "--verbose") {
        verbose = true;
      } else {
        return fail("unknown option " + arg + " (see --help)");
      }
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if ((options.ca_cert_file.empty()) != (options.ca_key_file.empty()) && options.tls_cert_file.empty()) {
    return fail("--ca-cert and --ca-key go together (or give --tls-cert and --tls-key)");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return fail("--tls-cert and --tls-key go together");
  }
  static std::mutex log_mutex;
  if (verbose) {
    options.log = [](const std::string& line) {
      const std::lock_guard lock(log_mutex);
      std::cerr << line << "\n";
    };
  }

  // SIGTERM and SIGINT are waited for, not handled asynchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ocne::test::kube::KubeTestServer server(options);
  std::unique_ptr<ocne::test::kube::KubeTestServer> workload;
  // The webhook pods of the clusters this process plays (capi_webhook.hpp).
  std::vector<std::unique_ptr<ocne::test::kube::CapiWebhookServer>> webhooks;
  try {
    server.start();
    if (!capi_provider.empty()) {
      ocne::test::kube::ServerOptions wo;
      wo.listen_address = options.listen_address;
      wo.port = capi_port;
      wo.extra_sans = options.extra_sans;
      wo.version = options.version;
      wo.log = options.log;
      workload = std::make_unique<ocne::test::kube::KubeTestServer>(wo);
      workload->start();
      ocne::test::kube::CapiPlayOptions play;
      play.provider = capi_provider;
      play.workload_kubeconfig = workload->kubeconfig(capi_url);
      ocne::test::kube::play_capi(server, *workload, play);
      webhooks.push_back(ocne::test::kube::play_capi_webhooks(*workload));
    }
    for (const auto& file : apply_files) {
      for (const auto& doc : ocne::test::kube::parse_documents(read_file(file))) {
        try {
          server.apply(doc, "ocne-kube-test-server", true);
        } catch (const ocne::test::kube::ApiError& e) {
          throw std::runtime_error(file + ": " + e.message());
        }
      }
    }
    if (controllers) {
      const ocne::test::kube::DeploymentControllerOptions workloads{ .delay = {}, .never_available = stalled };
      ocne::test::kube::play_deployment_controller(server, workloads);
      ocne::test::kube::play_daemonset_controller(server, workloads);
      ocne::test::kube::play_endpoints_controller(server);
      ocne::test::kube::play_cert_manager(server);
      webhooks.push_back(ocne::test::kube::play_capi_webhooks(server));
    }
    for (const auto& name : nodes) {
      const std::string version = options.version;
      server.create({ { "apiVersion", "v1" },
                      { "kind", "Node" },
                      { "metadata",
                        { { "name", name },
                          { "labels",
                            { { "kubernetes.io/hostname", name },
                              { "kubernetes.io/os", "linux" },
                              { "node-role.kubernetes.io/control-plane", "" } } } } } });
      Json status = {
        { "apiVersion", "v1" },
        { "kind", "Node" },
        { "metadata", { { "name", name } } },
        { "status",
          { { "nodeInfo",
              { { "kubeletVersion", version }, { "operatingSystem", "linux" }, { "architecture", "amd64" } } } } }
      };
      ocne::test::kube::set_condition(status, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
      server.apply_status(status, "ocne-kube-test-server", true);
    }
    if (controllers && !cni.empty()) {
      ocne::test::kube::play_node_readiness(server, cni);
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::cout << "ocne-kube-test-server: serving " << server.url() << std::endl;
  if (workload) {
    std::cout << "ocne-kube-test-server: workload cluster at " << (capi_url.empty() ? workload->url() : capi_url)
              << std::endl;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  if (workload) {
    workload->stop();
  }
  server.stop();
  return 0;
}
