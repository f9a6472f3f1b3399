#include "pkg/clusterctl/cert_manager.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
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
  // Its webhook refuses them until it runs. Ends on Ctrl-C too (it ran to its
  // timeout before poll()).
  for (const auto& object : objects) {
    const auto kind = object["kind"].get<std::string>();
    PollMessages messages;
    messages.timed_out = [&](std::string_view refused) {
      return Error(ErrorKind::timeout, fmt::format("cert-manager does not accept its test {}: {}", kind, refused));
    };
    messages.interrupted = [&] {
      return Error(ErrorKind::cancelled,
                   fmt::format("interrupted while waiting for cert-manager to accept its test {}", kind));
    };
    messages.waiting = [](std::string_view refused) {
      log::debug("cert-manager test object refused ({}), trying again", refused);
    };
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    OCNE_TRY(poll({ .timeout = std::max(left, std::chrono::milliseconds(0)), .interval = options.interval },
                  messages,
                  [&]() -> Status {
                    auto applied = client.apply(object);
                    if (!applied) {
                      return not_ready_yet(applied.error().message());
                    }
                    return {};
                  }));
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
