#pragma once

// What ocne reads from clusterctl's own configuration file, so a host set up
// for clusterctl needs nothing new: $XDG_CONFIG_HOME/cluster-api/clusterctl.yaml
// (~/.config when XDG_CONFIG_HOME is unset), else ~/.cluster-api/clusterctl.yaml.
//   providers: [{name, url, type}]        where a provider's files are
//   cert-manager: {url, version}          the same for cert-manager
//   images: {all|<label>|cert-manager: {repository, tag}}
//   overridesFolder: <path>
//   <UPPER_SNAKE>: value                  variables for components YAML

#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocne::clusterctl {

struct ClusterctlProvider
{
  std::string name;
  std::string url;
  std::string type; // "CoreProvider", ...
};

struct ClusterctlConfig
{
  std::filesystem::path file; // empty when there is none
  std::filesystem::path config_dir;
  std::vector<ClusterctlProvider> providers;
  std::string cert_manager_url;
  std::string cert_manager_version;
  // "all", a provider label or "cert-manager" -> override.
  std::map<std::string, ImageOverride, std::less<>> images;
  std::string overrides_folder;
  std::map<std::string, std::string, std::less<>> variables;

  // The images rules that apply to a component ("all" first, then its own).
  std::vector<ImageOverride> images_for(const Component& component) const;
  std::optional<ClusterctlProvider> provider_for(const Component& component) const;
};

// clusterctl's config folder for this environment (existing or not).
std::filesystem::path clusterctl_config_dir(const Environment& env);

// Reads clusterctl.yaml when it exists; an absent file is an empty config.
// Errors name the file (and line where the YAML is broken).
Result<ClusterctlConfig> load_clusterctl_config(const Environment& env);
Result<ClusterctlConfig> parse_clusterctl_config(std::string_view text, const std::filesystem::path& file);

} // namespace ocne::clusterctl
