#include "cmd/ocne/template_resolver.hpp"

#include "pkg/config/oci_config.hpp"
#include "pkg/config/oxide_credentials.hpp"

#include <fmt/format.h>

#include <optional>

namespace ocne::cli {
namespace {

// Says why nothing was looked up. Credentials are only read when a lookup is
// actually needed, so rendering with OCIDs and UUIDs in the file never
// touches ~/.oci or the Oxide credentials.
class OfflineResolver : public capi::ResourceResolver
{
public:
  OfflineResolver(const Context& ctx, const config::ClusterConfig& config) : m_ctx(ctx), m_config(config)
  {
  }

  Result<capi::Lookup>
  resolve_compartment(std::string_view) override
  {
    return capi::Lookup::unknown(oci_reason());
  }
  Result<capi::Lookup>
  find_oci_image(std::string_view, std::string_view, std::string_view) override
  {
    return capi::Lookup::unknown(oci_reason());
  }
  Result<capi::Lookup>
  find_oxide_image(std::string_view, std::string_view) override
  {
    return capi::Lookup::unknown(oxide_reason());
  }

private:
  const std::string&
  oci_reason()
  {
    if (!m_oci) {
      config::OciConfigRequest request;
      if (m_config.providers.oci.profile.is_set()) {
        request.profile = m_config.providers.oci.profile.get();
      }
      const auto profile = config::load_oci_profile(m_ctx.env, request);
      m_oci = profile ? fmt::format("OCI profile {} was found, but this build cannot query OCI yet", profile->profile)
                      : fmt::format("no usable OCI credentials: {}", profile.error().message());
    }
    return *m_oci;
  }

  const std::string&
  oxide_reason()
  {
    if (!m_oxide) {
      config::OxideCredentialRequest request;
      request.host = m_config.providers.oxide.host.get();
      request.profile = m_config.providers.oxide.profile.get();
      const auto creds = config::resolve_oxide_credentials(m_ctx.env, request);
      m_oxide = creds ? fmt::format("Oxide credentials for {} were found, but this build cannot query Oxide yet",
                                    creds->host)
                      : fmt::format("no usable Oxide credentials: {}", creds.error().message());
    }
    return *m_oxide;
  }

  const Context& m_ctx;
  const config::ClusterConfig& m_config;
  std::optional<std::string> m_oci;
  std::optional<std::string> m_oxide;
};

} // namespace

std::unique_ptr<capi::ResourceResolver>
make_template_resolver(const Context& ctx, const config::ClusterConfig& config)
{
  return std::make_unique<OfflineResolver>(ctx, config);
}

} // namespace ocne::cli
