#pragma once

// The whole configuration of one command, merged in ocne's documented order:
//
//   1. built-in defaults (the key table)
//   2. the defaults file: $OCNE_DEFAULTS, else ~/.ocne/defaults.yaml
//   3. the cluster file given with -c
//   4. command-line flags (always win; Oracle's ocne lets the cluster file
//      beat some flags, against its own documentation)
//
// then computed defaults (name, node counts, image references, osTag, ...)
// and validation of every value, reporting all problems at once, each naming
// the file and line or the flag it came from.

#include "pkg/config/layer.hpp"
#include "pkg/core/env.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocne::config {

class ProviderRules; // provider_rules.hpp

struct LoadOptions
{
  // The -c file, as the user typed it (made absolute against the working directory).
  std::optional<std::string> cluster_file;
  // A configuration from the cluster cache, used in place of the cluster
  // file (delete of a known cluster uses what start recorded).
  std::optional<std::string> cached_config;
  // Values given on the command line, with Origin::Source::flag origins
  // naming the flag (see flag_origin()).
  Layer flags;
  // Provider when nothing sets one (cmd/ asks providers::default_for).
  std::string default_provider;
  // Every cloud's rules, in registry order: their names are the providers
  // the configuration may name (provider_rules.hpp).
  std::vector<const ProviderRules*> provider_rules;
};

// Where a flag value came from, for messages ("--worker-nodes").
Origin flag_origin(std::string flag);

struct LoadedConfig
{
  ClusterConfig config;
  Origins origins;
  std::vector<std::string> warnings;
  std::filesystem::path defaults_file; // may not exist
  std::optional<std::filesystem::path> cluster_file;
  // The rules the load applied (LoadOptions::provider_rules), for
  // validate() and validate_for().
  std::vector<const ProviderRules*> provider_rules;

  // The origin of a key's value (built-in when unknown).
  Origin origin(std::string_view key) const;
  // "capi.yaml:4: controlPlaneNodes" / "--control-plane-nodes" /
  // "controlPlaneNodes": how a message names a key.
  std::string subject(std::string_view key) const;
};

// Runs the whole merge, the computed defaults and the validation.
Result<LoadedConfig> load(const Environment& env, const LoadOptions& options);

// The path of the defaults file for this environment.
std::filesystem::path defaults_file_path(const Environment& env);

// Checks every value that does not depend on the command (ranges, CIDRs,
// quantities, versions, provider, node counts). All problems, one per line.
Status validate(const LoadedConfig& loaded);

// What a command is about to do, for checks that depend on it.
enum class Purpose { start, template_, delete_, image };
// Checks that depend on the command, as the configured provider says
// (ProviderRules::check_for): required keys and the node counts it accepts.
Status validate_for(const LoadedConfig& loaded, Purpose purpose);

// ocne's boot image rules: add "docker://" when no transport is given; for
// docker references, replace a Kubernetes-version tag (":1.31") or a missing
// tag with ":<kubernetesVersion>"; keep other tags and digests.
std::string normalize_boot_image(std::string_view image, std::string_view kubernetes_version);

// ocne's osRegistry rule: prefix "ostree-unverified-registry:" when the value
// is not already an ostree reference.
std::string normalize_os_registry(std::string_view registry);

} // namespace ocne::config
