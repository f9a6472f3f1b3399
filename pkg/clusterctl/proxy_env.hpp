#pragma once

// The proxy the Cluster API controllers use to reach their cloud's API
// (providers.<p>.proxy): HTTPS_PROXY, HTTP_PROXY and NO_PROXY in the
// environment of every container of a component's Deployments, which Go's
// http.ProxyFromEnvironment (and so every controller's cloud client) reads.
// Only the upper-case names are set: Go prefers them over the lower-case
// ones, and Oracle's charts are not known to set the lower-case forms.
// cert-manager does not get it (components.cpp): it would need a proxy only to
// reach an ACME server, and ocne issues nothing through ACME.

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ocne::clusterctl {

struct ControllerProxy
{
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
  bool operator==(const ControllerProxy&) const = default;
};

// The variables to set, in a fixed order, for the non-empty values.
std::vector<std::pair<std::string, std::string>> proxy_variables(const ControllerProxy& proxy);

// Sets them in every container and init container of a Deployment's pod
// template: an entry of the same name (whatever its source) is replaced in
// place, others are appended in proxy_variables' order, so the result is the
// same on every run. Objects of other kinds are left as they are.
void add_proxy_env(nlohmann::json& object, const ControllerProxy& proxy);

} // namespace ocne::clusterctl
