#include "pkg/clusterctl/cert_manager.hpp"

#include "pkg/core/log.hpp"
#include "pkg/k8s/wait.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <thread>
#include <vector>

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* k_cert_manager_test_ns = "cert-manager-test";

} // namespace

Status
check_cert_manager(k8s::Client& client, const InstallOptions& options, Clock::time_point deadline)
{
  const std::vector<json> objects = {
    { { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", k_cert_manager_test_ns } } } },
    { { "apiVersion", "cert-manager.io/v1" },
      { "kind", "Issuer" },
      { "metadata", { { "name", "test-selfsigned" }, { "namespace", k_cert_manager_test_ns } } },
      { "spec", { { "selfSigned", json::object() } } } },
    { { "apiVersion", "cert-manager.io/v1" },
      { "kind", "Certificate" },
      { "metadata", { { "name", "selfsigned-cert" }, { "namespace", k_cert_manager_test_ns } } },
      { "spec",
        { { "dnsNames", { "example.com" } },
          { "secretName", "selfsigned-cert-tls" },
          { "issuerRef", { { "name", "test-selfsigned" } } } } } },
  };
  for (const auto& object : objects) {
    while (true) {
      auto applied = client.apply(object);
      if (applied) {
        break;
      }
      if (Clock::now() >= deadline) {
        return make_error(ErrorKind::timeout,
                          "cert-manager does not accept its test {}: {}",
                          object["kind"].get<std::string>(),
                          applied.error().message());
      }
      log::debug("cert-manager test object refused ({}), trying again", applied.error().message());
      std::this_thread::sleep_for(options.interval);
    }
  }
  const k8s::ObjectRef cert{ "cert-manager.io/v1", "Certificate", k_cert_manager_test_ns, "selfsigned-cert" };
  auto ready =
    k8s::wait_condition(client, cert, "Ready", "True", k8s::wait_until(deadline, options.interval), null_progress());
  if (!ready) {
    return make_error(ready.error().kind(), "cert-manager issues no certificates: {}", ready.error().message());
  }
  for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
    OCNE_TRY(client.remove(k8s::ObjectRef::of(*it), { .ignore_not_found = true }));
  }
  return {};
}

} // namespace ocne::clusterctl
