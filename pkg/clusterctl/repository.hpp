#pragma once

// Where a component's release files come from, in this order:
//   1. clusterctl's overrides folder: <overridesFolder>/<label>/<version>/<file>
//      (overridesFolder from clusterctl.yaml, else
//      $XDG_CONFIG_HOME/cluster-api/overrides, else ~/.cluster-api/overrides);
//   2. ocne's `providerComponents` setting (a folder laid out like the
//      overrides folder, or a base URL serving <label>/<version>/<file>), then
//      clusterctl.yaml's `providers:` (and `cert-manager:`) URLs;
//   3. ocne's cache, ~/.ocne/providers/<label>/<version>/<file>, each file
//      with its SHA-256 beside it (<file>.sha256); a file that no longer
//      matches is refused;
//   4. the component's release URL, downloaded once (retries, redirects),
//      with GITHUB_TOKEN sent to GitHub (never logged), then cached.
// Downloads from a configured URL are cached too. A clusterctl.yaml provider
// URL that names a release tag (or a local folder named after a version)
// selects that version, as with clusterctl.

#include "pkg/clusterctl/clusterctl_config.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace ocne::clusterctl {

struct SourceSettings
{
  Environment env = Environment::process();
  // The `providerComponents` setting: a folder or an http(s) base URL.
  std::string configured;
  // ~/.ocne/providers.
  std::filesystem::path cache_dir;
  ClusterctlConfig clusterctl;
  // Release URLs start with https://github.com; OCNE_GITHUB_URL (a mirror)
  // replaces that prefix. OCNE_COMPONENTS_CA_BUNDLE names a PEM file of CAs
  // to trust for downloads (a private mirror).
  // Attempts per download (retries on 5xx, resets and short bodies).
  int max_attempts = 5;
};

struct FetchedFile
{
  std::string text;
  // Where it came from, for logs: "overrides folder /x/...", "cache /y/...",
  // "https://...".
  std::string origin;
};

class ComponentSource
{
public:
  explicit ComponentSource(SourceSettings settings, ProgressSink& progress);
  ~ComponentSource();
  ComponentSource(const ComponentSource&) = delete;
  ComponentSource& operator=(const ComponentSource&) = delete;

  // The component as the sources say: the stack's row, with the version a
  // clusterctl.yaml provider URL pins (when it pins one).
  Component resolve(const Component& component) const;
  // One of the component's files (components or metadata).
  Result<FetchedFile> fetch(const Component& component, std::string_view file) const;

  const ClusterctlConfig& clusterctl() const;

  // The folders and settings consulted, for docs and error messages.
  std::filesystem::path overrides_folder() const;
  std::string release_url(const Component& component) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The settings for a cluster: `providerComponents` from its configuration,
// clusterctl.yaml, and the cache in ocne's state folder (~/.ocne/providers).
Result<SourceSettings> source_settings(std::string_view provider_components, const Environment& env);

} // namespace ocne::clusterctl
