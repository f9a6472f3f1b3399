#pragma once

// clusterctl's check that cert-manager issues certificates, made once it is
// installed and before the providers that need its Certificates.

#include "pkg/clusterctl/installer.hpp"
#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>

namespace ocne::clusterctl {

// A self-signed Issuer and a Certificate in a throw-away namespace, retried
// while the webhook refuses them, then removed. Ends by deadline.
Status check_cert_manager(k8s::Client& client,
                          const InstallOptions& options,
                          std::chrono::steady_clock::time_point deadline);

} // namespace ocne::clusterctl
