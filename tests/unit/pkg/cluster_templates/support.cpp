#include "tests/unit/pkg/cluster_templates/support.hpp"

#include "pkg/core/env.hpp"
#include "pkg/core/strings.hpp"
#include "providers/oci/cloud_template.hpp"
#include "providers/oxide/cloud_template.hpp"
#include "providers/registry/registry.hpp"

#include <fmt/format.h>

namespace ocne::test {

Result<config::LoadedConfig>
load_for_template(const std::filesystem::path& cluster_file, const std::filesystem::path& home)
{
  const auto env = Environment::from_map({ { "HOME", home.string() }, { "PATH", "/usr/bin:/bin" } });
  config::LoadOptions options;
  options.cluster_file = cluster_file.string();
  options.default_provider = "oci";
  options.provider_rules = providers::config_rules();
  OCNE_TRY_ASSIGN(auto loaded, config::load(env, options));
  OCNE_TRY(config::validate(loaded));
  OCNE_TRY(config::validate_for(loaded, config::Purpose::template_));
  return loaded;
}

Result<cluster_templates::Lookup>
FakeResolver::resolve_compartment(std::string_view path)
{
  calls.push_back(fmt::format("resolve_compartment({})", path));
  if (path == "projects/k8s") {
    return cluster_templates::Lookup::found("ocid1.compartment.oc1..resolvedk8s");
  }
  return make_error(ErrorKind::not_found, "could not find compartment named {}", path);
}

Result<cluster_templates::Lookup>
FakeResolver::find_image(std::string_view compartment_id,
                         std::string_view kubernetes_version,
                         std::string_view architecture)
{
  calls.push_back(fmt::format("find_oci_image({}, {}, {})", compartment_id, kubernetes_version, architecture));
  return cluster_templates::Lookup::found(
    fmt::format("ocid1.image.oc1.iad.ock-{}-{}", str::replace_all(kubernetes_version, ".", "-"), architecture));
}

Result<cluster_templates::Lookup>
FakeResolver::find_image(std::string_view project, std::string_view name)
{
  calls.push_back(fmt::format("find_oxide_image({}, {})", project, name));
  if (project == "k8s" && name == "ock-1-33-custom") {
    return cluster_templates::Lookup::found("0d3c1a7e-5b5e-4c43-9a55-7f6a2bd5e001");
  }
  return cluster_templates::Lookup::unknown(fmt::format("no image {} in project {}", name, project));
}

Result<cluster_templates::Lookup>
OfflineResolver::resolve_compartment(std::string_view)
{
  return cluster_templates::Lookup::unknown("no OCI credentials were found");
}

Result<cluster_templates::Lookup>
OfflineResolver::find_image(std::string_view, std::string_view, std::string_view)
{
  return cluster_templates::Lookup::unknown("no OCI credentials were found");
}

Result<cluster_templates::Lookup>
OfflineResolver::find_image(std::string_view, std::string_view)
{
  return cluster_templates::Lookup::unknown("no Oxide credentials were found");
}

std::unique_ptr<cluster_templates::CloudTemplate>
cloud_template_for(std::string_view provider, TestLookups& lookups)
{
  // Not owned: the test keeps them (and reads what they were asked).
  if (provider == "oxide") {
    return providers::oxide::make_cloud_template(
      std::shared_ptr<providers::oxide::Lookups>(std::shared_ptr<void>(), &lookups));
  }
  return providers::oci::make_cloud_template(
    std::shared_ptr<providers::oci::Lookups>(std::shared_ptr<void>(), &lookups));
}

Result<cluster_templates::ClusterTemplate>
render_file(const std::filesystem::path& cluster_file, const std::filesystem::path& home)
{
  OCNE_TRY_ASSIGN(auto loaded, load_for_template(cluster_file, home));
  const auto stem = cluster_file.filename().string();
  if (stem.find("-resolved") != std::string::npos) {
    FakeResolver resolver;
    return cluster_templates::render_cluster_template(loaded.config,
                                                      *cloud_template_for(loaded.config.provider.get(), resolver));
  }
  OfflineResolver resolver;
  return cluster_templates::render_cluster_template(loaded.config,
                                                    *cloud_template_for(loaded.config.provider.get(), resolver));
}

std::string
notes_text(const cluster_templates::ClusterTemplate& t)
{
  std::string out;
  for (const auto& p : t.placeholders) {
    out += "placeholder: " + p + "\n";
  }
  for (const auto& w : t.warnings) {
    out += "warning: " + w + "\n";
  }
  return out;
}

} // namespace ocne::test
