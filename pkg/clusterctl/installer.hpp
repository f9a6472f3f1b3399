#pragma once

// Installs a provider's Cluster API stack into a cluster as clusterctl init
// does, with ocne's log lines:
//   - the inventory is read (nothing written): a component already there at
//     the same version is left alone (nothing is written), another version
//     is an error naming both, never an upgrade;
//   - every file fetched and processed before anything is written, so a
//     missing variable or file changes nothing in the cluster; then
//     clusterctl's inventory CRD is the first write;
//   - cert-manager applied, its Deployments and webhook waited for, and its
//     issuing checked with a throw-away Issuer and Certificate (removed);
//   - each provider applied with server-side apply (field manager "ocne")
//     and its inventory Provider written;
//   - a component's "installed" marker (its inventory Provider; for
//     cert-manager clusterctl's version annotation on the Certificate CRD)
//     is written after all of its objects, so an install killed half-way is
//     applied again by the next run (an unannotated CRD that ocne applied is
//     its own unfinished install, not someone else's cert-manager);
//   - then all at once: each controller Deployment Available and each
//     webhook Service with a ready endpoint, so the first Cluster object is
//     not refused by an unreachable webhook. A timeout says what the cluster
//     says (Deployment conditions, a Pod's waiting reason and image).
// Secrets among the variables (the OCI key) never reach a log or an error.

#include "pkg/clusterctl/proxy_env.hpp"
#include "pkg/clusterctl/repository.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/clusterctl/variables.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ocne::clusterctl {

struct InstallOptions
{
  // ocne's own values (OCI credentials and the like). The environment and
  // clusterctl.yaml come first, then these, then the stack's own values.
  std::map<std::string, std::string, std::less<>> values;
  // providers.<p>.proxy: HTTPS_PROXY/HTTP_PROXY/NO_PROXY in the providers'
  // controllers (not cert-manager's). A component already installed is left
  // as it is, so a changed proxy reaches only the components this run installs.
  ControllerProxy proxy;
  // Read variables from the process environment (tests turn it off).
  Environment env = Environment::process();
  // Each wait (cert-manager, controllers, endpoints) ends by then.
  std::chrono::milliseconds timeout{ std::chrono::minutes(10) };
  std::chrono::milliseconds interval{ std::chrono::seconds(1) };
};

struct ComponentResult
{
  std::string label;
  std::string display_name;
  std::string version;
  std::string namespace_;
  bool installed = false; // false: already there at this version
  int objects = 0;
};

struct InstallReport
{
  std::vector<ComponentResult> components;
};

Result<InstallReport> install_stack(k8s::Client& client,
                                    const Stack& stack,
                                    const ComponentSource& source,
                                    const InstallOptions& options,
                                    ProgressSink& progress);

// Where a component's ${VAR}s get their values, first hit wins: the
// environment, clusterctl.yaml, ocne's values (options.values), the stack's
// own (component.variables). The three arguments must outlive the lookup.
Lookup variable_lookup(const Component& component, const ClusterctlConfig& clusterctl, const InstallOptions& options);

} // namespace ocne::clusterctl
