#include "providers/oci/lookups.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

namespace ocne::providers::oci {

namespace {

std::string
placeholder(std::string_view name)
{
  return fmt::format("${{{}}}", name);
}

} // namespace

Result<Resolved>
resolve_compartment(const config::ClusterConfig& c, cluster_templates::ResourceResolver& resolver)
{
  const auto& compartment = c.providers.oci.compartment.get();
  if (compartment.empty()) {
    return Resolved{ placeholder("OCI_COMPARTMENT_ID"),
                     { "${OCI_COMPARTMENT_ID}: providers.oci.compartment is not set" } };
  }
  if (str::starts_with(compartment, "ocid1.")) {
    return Resolved{ compartment, {} };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.resolve_compartment(compartment));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{ placeholder("OCI_COMPARTMENT_ID"),
                   { fmt::format("${{OCI_COMPARTMENT_ID}}: the OCID of compartment {} is not known ({})",
                                 str::quote(compartment),
                                 lookup.reason) } };
}

Result<Resolved>
resolve_image(const config::ClusterConfig& c,
                  const config::KubeVersion& kube,
                  const std::string& compartment_id,
                  std::string_view arch,
                  cluster_templates::ResourceResolver& resolver)
{
  const auto& configured = arch == "arm64" ? c.providers.oci.images.arm64.get() : c.providers.oci.images.amd64.get();
  if (!configured.empty()) {
    return Resolved{ configured, {} };
  }
  const auto name = fmt::format("OCI_IMAGE_ID_{}", str::to_lower(arch) == "arm64" ? "ARM64" : "AMD64");
  if (str::starts_with(compartment_id, "${")) {
    return Resolved{ placeholder(name),
                     { fmt::format("${{{}}}: providers.oci.images.{} is not set, and without the compartment's OCID "
                                   "the image cannot be looked up",
                                   name,
                                   arch) } };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.find_oci_image(compartment_id, kube.minor, arch));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{ placeholder(name),
                   { fmt::format("${{{}}}: providers.oci.images.{} is not set and no {} image for Kubernetes {} was "
                                 "found ({})",
                                 name,
                                 arch,
                                 arch,
                                 kube.minor,
                                 lookup.reason) } };
}

} // namespace ocne::providers::oci
