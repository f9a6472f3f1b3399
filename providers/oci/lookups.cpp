#include "providers/oci/lookups.hpp"

#include "pkg/config/oci_config.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oci/compute.hpp"
#include "pkg/oci/identity.hpp"
#include "pkg/oci/profile.hpp"

#include <fmt/format.h>

#include <optional>

namespace ocne::providers::oci {

namespace {

std::string
placeholder(std::string_view name)
{
  return fmt::format("${{{}}}", name);
}

using cluster_templates::Lookup;

// Errors the user must fix (refused credentials, names that do not exist,
// bad input) stop rendering; anything else (an unreachable service)
// becomes a placeholder whose reason says what failed.
Result<Lookup>
soft_failure(const Error& e, const std::string& what)
{
  switch (e.kind()) {
    case ErrorKind::auth:
    case ErrorKind::not_found:
    case ErrorKind::invalid_input:
      return tl::unexpected(e);
    default:
      return Lookup::unknown(fmt::format("{}: {}", what, e.message()));
  }
}

class LiveLookups final : public Lookups
{
public:
  LiveLookups(const Environment& env, std::optional<std::string> profile) : m_env(env), m_profile(std::move(profile))
  {
  }

  Result<Lookup>
  resolve_compartment(std::string_view path) override
  {
    if (!client()) {
      return Lookup::unknown(*m_reason);
    }
    // A path that does not exist is an error naming the level; so is a
    // refused key. Only an unreachable service leaves a placeholder.
    auto id = ocne::oci::resolve_compartment(*m_client, m_tenancy, path);
    if (!id) {
      return soft_failure(id.error(), fmt::format("looking up OCI compartment '{}' failed", path));
    }
    log::debug("oci: compartment {} is {}", path, *id);
    return Lookup::found(*id);
  }

  Result<Lookup>
  find_image(std::string_view compartment_id, std::string_view kubernetes_version, std::string_view arch) override
  {
    if (!client()) {
      return Lookup::unknown(*m_reason);
    }
    // The name and tags `ocne image upload --type oci` gives its images.
    const ocne::oci::Compute compute(*m_client);
    auto image =
      compute.find_image(std::string(compartment_id), k_image_name, std::string(kubernetes_version), std::string(arch));
    if (!image) {
      return soft_failure(image.error(),
                          fmt::format("looking up the OCI image for {} {} failed", kubernetes_version, arch));
    }
    if (!*image) {
      return Lookup::unknown(fmt::format("no image named {} tagged ocne/kubernetes={} and ocne/architecture={} in "
                                         "compartment {} (upload one with 'ocne image upload --type oci')",
                                         k_image_name,
                                         kubernetes_version,
                                         arch,
                                         compartment_id));
    }
    log::debug("oci: image for {} {} is {}", kubernetes_version, arch, (*image)->id);
    return Lookup::found((*image)->id);
  }

private:
  static constexpr const char* k_image_name = "ock";

  // The signed client, made on first use; nullptr (with m_reason set) when
  // there is no usable profile.
  ocne::oci::Client*
  client()
  {
    if (!m_client && !m_reason) {
      config::OciConfigRequest request;
      request.profile = m_profile;
      auto profile = config::load_oci_profile(m_env, request);
      if (!profile) {
        m_reason = fmt::format("no usable OCI credentials: {}", profile.error().message());
        return nullptr;
      }
      auto client = ocne::oci::client_from_profile(*profile, m_env);
      if (!client) {
        m_reason = fmt::format("OCI profile {} cannot be used: {}", profile->profile, client.error().message());
        return nullptr;
      }
      m_tenancy = profile->tenancy;
      m_client = std::make_unique<ocne::oci::Client>(std::move(*client));
    }
    return m_client.get();
  }

  Environment m_env;
  std::optional<std::string> m_profile;
  std::optional<std::string> m_reason;
  std::unique_ptr<ocne::oci::Client> m_client;
  std::string m_tenancy;
};

} // namespace

std::unique_ptr<Lookups>
make_live_lookups(const Environment& env, std::optional<std::string> profile)
{
  return std::make_unique<LiveLookups>(env, std::move(profile));
}

Result<Resolved>
resolve_compartment(const config::ClusterConfig& c, Lookups& lookups)
{
  const auto& compartment = c.providers.oci.compartment.get();
  if (compartment.empty()) {
    return Resolved{ placeholder("OCI_COMPARTMENT_ID"),
                     { "${OCI_COMPARTMENT_ID}: providers.oci.compartment is not set" } };
  }
  if (str::starts_with(compartment, "ocid1.")) {
    return Resolved{ compartment, {} };
  }
  OCNE_TRY_ASSIGN(auto lookup, lookups.resolve_compartment(compartment));
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
              Lookups& lookups)
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
  OCNE_TRY_ASSIGN(auto lookup, lookups.find_image(compartment_id, kube.minor, arch));
  if (lookup.value) {
    return Resolved{ *lookup.value, {}, true };
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
