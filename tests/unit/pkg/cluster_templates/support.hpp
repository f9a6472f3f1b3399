#pragma once

// Shared by the capi tests: loading a cluster file the way the CLI does, and
// a resolver with fixed answers.

#include "pkg/cluster_templates/cluster_template.hpp"
#include "pkg/config/load.hpp"
#include "providers/oci/lookups.hpp"
#include "providers/oxide/lookups.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::test {

// Loads and validates a cluster file for `cluster template` with HOME set to
// home (so no real ~/.ssh key or defaults.yaml leaks in).
Result<config::LoadedConfig> load_for_template(const std::filesystem::path& cluster_file,
                                               const std::filesystem::path& home);

// Lookups for both clouds at once.
class TestLookups
  : public providers::oci::Lookups
  , public providers::oxide::Lookups
{};

// Knows compartment "projects/k8s", an image per architecture for every
// Kubernetes version, and Oxide image "ock-1-33-custom" in project "k8s".
class FakeResolver : public TestLookups
{
public:
  Result<cluster_templates::Lookup> resolve_compartment(std::string_view path) override;
  Result<cluster_templates::Lookup> find_image(std::string_view compartment_id,
                                               std::string_view kubernetes_version,
                                               std::string_view architecture) override;
  Result<cluster_templates::Lookup> find_image(std::string_view project, std::string_view name) override;

  std::vector<std::string> calls;
};

// What the lookups answer without credentials.
class OfflineResolver : public TestLookups
{
public:
  Result<cluster_templates::Lookup> resolve_compartment(std::string_view path) override;
  Result<cluster_templates::Lookup> find_image(std::string_view compartment_id,
                                               std::string_view kubernetes_version,
                                               std::string_view architecture) override;
  Result<cluster_templates::Lookup> find_image(std::string_view project, std::string_view name) override;
};

// The cloud's part of the template for a provider name ("oci", "oxide"),
// asking these lookups (which outlive it).
std::unique_ptr<cluster_templates::CloudTemplate> cloud_template_for(std::string_view provider, TestLookups& lookups);

// Renders one cluster file (the "-resolved" cases with FakeResolver).
Result<cluster_templates::ClusterTemplate> render_file(const std::filesystem::path& cluster_file,
                                                       const std::filesystem::path& home);

// The notes of a result as text, one per line: "placeholder: ...", "warning: ...".
std::string notes_text(const cluster_templates::ClusterTemplate& t);

} // namespace ocne::test
