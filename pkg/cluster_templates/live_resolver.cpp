#include "pkg/cluster_templates/live_resolver.hpp"

#include "pkg/config/oci_config.hpp"
#include "pkg/config/oxide_credentials.hpp"
#include "pkg/core/log.hpp"
#include "pkg/oci/compute.hpp"
#include "pkg/oci/identity.hpp"
#include "pkg/oci/profile.hpp"
#include "pkg/oxide/client.hpp"

#include <fmt/format.h>

#include <optional>

namespace ocne::cluster_templates {
namespace {

class LiveResolver : public ResourceResolver
{
public:
  LiveResolver(const Environment& env, const config::ClusterConfig& config, LiveResolverOptions options)
    : m_env(env), m_config(config), m_options(std::move(options))
  {
  }

  Result<Lookup>
  resolve_compartment(std::string_view path) override
  {
    if (!oci_client()) {
      return Lookup::unknown(*m_oci_reason);
    }
    // A path that does not exist is an error naming the level; so is a
    // refused key. Only an unreachable service leaves a placeholder.
    auto id = oci::resolve_compartment(*m_oci, m_oci_tenancy, path);
    if (!id) {
      return soft_failure(id.error(), fmt::format("looking up OCI compartment '{}' failed", path));
    }
    log::debug("oci: compartment {} is {}", path, *id);
    return Lookup::found(*id);
  }

  Result<Lookup>
  find_oci_image(std::string_view compartment_id, std::string_view kubernetes_version, std::string_view arch) override
  {
    if (!oci_client()) {
      return Lookup::unknown(*m_oci_reason);
    }
    // The name and tags `ocne image upload --type oci` gives its images.
    const oci::Compute compute(*m_oci);
    auto image = compute.find_image(
      std::string(compartment_id), k_oci_image_name, std::string(kubernetes_version), std::string(arch));
    if (!image) {
      return soft_failure(image.error(),
                          fmt::format("looking up the OCI image for {} {} failed", kubernetes_version, arch));
    }
    if (!*image) {
      return Lookup::unknown(fmt::format("no image named {} tagged ocne/kubernetes={} and ocne/architecture={} in "
                                         "compartment {} (upload one with 'ocne image upload --type oci')",
                                         k_oci_image_name,
                                         kubernetes_version,
                                         arch,
                                         compartment_id));
    }
    log::debug("oci: image for {} {} is {}", kubernetes_version, arch, (*image)->id);
    return Lookup::found((*image)->id);
  }

  Result<Lookup>
  find_oxide_image(std::string_view project, std::string_view name) override
  {
    if (!oxide_client()) {
      return Lookup::unknown(*m_oxide_reason);
    }
    auto image = m_oxide->find_image(std::string(project), std::string(name));
    if (!image) {
      // A refused token or a project that does not exist stops rendering;
      // a rack that cannot be reached leaves a placeholder and says why.
      return soft_failure(image.error(), fmt::format("looking up Oxide image {} failed", name));
    }
    if (!*image) {
      return Lookup::unknown(fmt::format("no image named {} in Oxide project {} at {} (upload one with "
                                         "'ocne image upload --type oxide')",
                                         name,
                                         project,
                                         m_oxide->host()));
    }
    log::debug("oxide: image {} in project {} is {}", name, project, (*image)->id);
    return Lookup::found((*image)->id);
  }

private:
  static constexpr const char* k_oci_image_name = "ock";

  // Errors the user must fix (refused credentials, names that do not exist,
  // bad input) stop rendering; anything else (an unreachable service)
  // becomes a placeholder whose reason says what failed.
  static Result<Lookup>
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

  // The signed client, made on first use; nullptr (with m_oci_reason set)
  // when there is no usable profile.
  oci::Client*
  oci_client()
  {
    if (!m_oci && !m_oci_reason) {
      config::OciConfigRequest request;
      if (m_options.oci_profile_given) {
        request.profile = m_config.providers.oci.profile.get();
      }
      auto profile = config::load_oci_profile(m_env, request);
      if (!profile) {
        m_oci_reason = fmt::format("no usable OCI credentials: {}", profile.error().message());
        return nullptr;
      }
      auto client = oci::client_from_profile(*profile, m_env);
      if (!client) {
        m_oci_reason = fmt::format("OCI profile {} cannot be used: {}", profile->profile, client.error().message());
        return nullptr;
      }
      m_oci_tenancy = profile->tenancy;
      m_oci = std::make_unique<oci::Client>(std::move(*client));
    }
    return m_oci.get();
  }

  // The client, made on first use; nullptr (with m_oxide_reason set) when
  // there are no usable credentials.
  oxide::Client*
  oxide_client()
  {
    if (!m_oxide && !m_oxide_reason) {
      config::OxideCredentialRequest request;
      request.host = m_config.providers.oxide.host.get();
      request.profile = m_config.providers.oxide.profile.get();
      request.host_subject = m_options.oxide_host_subject;
      request.profile_subject = m_options.oxide_profile_subject;
      auto creds = config::resolve_oxide_credentials(m_env, request);
      if (!creds) {
        m_oxide_reason = fmt::format("no usable Oxide credentials: {}", creds.error().message());
        return nullptr;
      }
      for (const auto& w : creds->warnings) {
        log::warn("{}", w);
      }
      log::debug("oxide: credentials for {} from {}", creds->host, creds->source);
      m_oxide =
        std::make_unique<oxide::Client>(oxide::ClientOptions{ .host = creds->host, .token = std::move(creds->token) });
    }
    return m_oxide.get();
  }

  const Environment& m_env;
  const config::ClusterConfig& m_config;
  LiveResolverOptions m_options;
  std::optional<std::string> m_oci_reason;
  std::unique_ptr<oci::Client> m_oci;
  std::string m_oci_tenancy;
  std::optional<std::string> m_oxide_reason;
  std::unique_ptr<oxide::Client> m_oxide;
};

} // namespace

std::unique_ptr<ResourceResolver>
make_live_resolver(const Environment& env, const config::ClusterConfig& config, LiveResolverOptions options)
{
  return std::make_unique<LiveResolver>(env, config, std::move(options));
}

} // namespace ocne::cluster_templates
