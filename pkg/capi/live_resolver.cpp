#include "pkg/capi/live_resolver.hpp"

#include "pkg/config/oci_config.hpp"
#include "pkg/config/oxide_credentials.hpp"
#include "pkg/core/log.hpp"
#include "pkg/oxide/client.hpp"

#include <fmt/format.h>

#include <optional>

namespace ocne::capi {
namespace {

class LiveResolver : public ResourceResolver
{
public:
  LiveResolver(const Environment& env, const config::ClusterConfig& config, LiveResolverOptions options)
    : m_env(env), m_config(config), m_options(std::move(options))
  {
  }

  Result<Lookup>
  resolve_compartment(std::string_view) override
  {
    return Lookup::unknown(oci_reason());
  }

  Result<Lookup>
  find_oci_image(std::string_view, std::string_view, std::string_view) override
  {
    return Lookup::unknown(oci_reason());
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
      if (image.error().kind() == ErrorKind::auth || image.error().kind() == ErrorKind::not_found ||
          image.error().kind() == ErrorKind::invalid_input) {
        return tl::unexpected(image.error());
      }
      return Lookup::unknown(fmt::format("looking up Oxide image {} failed: {}", name, image.error().message()));
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
  const std::string&
  oci_reason()
  {
    if (!m_oci_reason) {
      config::OciConfigRequest request;
      if (m_config.providers.oci.profile.is_set()) {
        request.profile = m_config.providers.oci.profile.get();
      }
      const auto profile = config::load_oci_profile(m_env, request);
      m_oci_reason = profile
                       ? fmt::format("OCI profile {} was found, but this build cannot query OCI yet", profile->profile)
                       : fmt::format("no usable OCI credentials: {}", profile.error().message());
    }
    return *m_oci_reason;
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
      m_oxide = std::make_unique<oxide::Client>(
        oxide::ClientOptions{.host = creds->host, .token = std::move(creds->token)});
    }
    return m_oxide.get();
  }

  const Environment& m_env;
  const config::ClusterConfig& m_config;
  LiveResolverOptions m_options;
  std::optional<std::string> m_oci_reason;
  std::optional<std::string> m_oxide_reason;
  std::unique_ptr<oxide::Client> m_oxide;
};

} // namespace

std::unique_ptr<ResourceResolver>
make_live_resolver(const Environment& env, const config::ClusterConfig& config, LiveResolverOptions options)
{
  return std::make_unique<LiveResolver>(env, config, std::move(options));
}

} // namespace ocne::capi
