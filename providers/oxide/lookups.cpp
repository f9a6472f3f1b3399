#include "providers/oxide/lookups.hpp"

#include "pkg/config/oxide_credentials.hpp"
#include "pkg/config/values.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oxide/client.hpp"

#include <fmt/format.h>

#include <optional>

namespace ocne::providers::oxide {

namespace {

std::string
placeholder(std::string_view name)
{
  return fmt::format("${{{}}}", name);
}

using cluster_templates::Lookup;

class LiveLookups final : public Lookups
{
public:
  LiveLookups(const Environment& env, LiveLookupOptions options) : m_env(env), m_options(std::move(options))
  {
  }

  Result<Lookup>
  find_image(std::string_view project, std::string_view name) override
  {
    if (!client()) {
      return Lookup::unknown(*m_reason);
    }
    auto image = m_client->find_image(std::string(project), std::string(name));
    if (!image) {
      // A refused token or a project that does not exist stops rendering;
      // a rack that cannot be reached leaves a placeholder and says why.
      switch (image.error().kind()) {
        case ErrorKind::auth:
        case ErrorKind::not_found:
        case ErrorKind::invalid_input:
          return tl::unexpected(image.error());
        default:
          return Lookup::unknown(fmt::format("looking up Oxide image {} failed: {}", name, image.error().message()));
      }
    }
    if (!*image) {
      return Lookup::unknown(fmt::format("no image named {} in Oxide project {} at {} (upload one with "
                                         "'ocne image upload --type oxide')",
                                         name,
                                         project,
                                         m_client->host()));
    }
    log::debug("oxide: image {} in project {} is {}", name, project, (*image)->id);
    return Lookup::found((*image)->id);
  }

private:
  // The client, made on first use; nullptr (with m_reason set) when there
  // are no usable credentials.
  ocne::oxide::Client*
  client()
  {
    if (!m_client && !m_reason) {
      config::OxideCredentialRequest request;
      request.host = m_options.host;
      request.profile = m_options.profile;
      request.host_subject = m_options.host_subject;
      request.profile_subject = m_options.profile_subject;
      auto creds = config::resolve_oxide_credentials(m_env, request);
      if (!creds) {
        m_reason = fmt::format("no usable Oxide credentials: {}", creds.error().message());
        return nullptr;
      }
      for (const auto& w : creds->warnings) {
        log::warn("{}", w);
      }
      log::debug("oxide: credentials for {} from {}", creds->host, creds->source);
      m_client = std::make_unique<ocne::oxide::Client>(
        ocne::oxide::ClientOptions{ .host = creds->host, .token = std::move(creds->token) });
    }
    return m_client.get();
  }

  Environment m_env;
  LiveLookupOptions m_options;
  std::optional<std::string> m_reason;
  std::unique_ptr<ocne::oxide::Client> m_client;
};

} // namespace

std::unique_ptr<Lookups>
make_live_lookups(const Environment& env, LiveLookupOptions options)
{
  return std::make_unique<LiveLookups>(env, std::move(options));
}

Result<Resolved>
resolve_image(const config::ClusterConfig& c, Lookups& lookups)
{
  const auto& ox = c.providers.oxide;
  const auto& name = ox.images.amd64.get().empty() ? ox.image_name.get() : ox.images.amd64.get();
  const auto key = ox.images.amd64.get().empty() ? "providers.oxide.imageName" : "providers.oxide.images.amd64";
  if (config::is_uuid(name)) {
    return Resolved{ name, {} };
  }
  if (name.empty()) {
    return Resolved{
      placeholder("OXIDE_IMAGE_ID"),
      { "${OXIDE_IMAGE_ID}: neither providers.oxide.images.amd64 nor providers.oxide.imageName is set" }
    };
  }
  OCNE_TRY_ASSIGN(auto lookup, lookups.find_image(ox.project.get(), name));
  if (lookup.value) {
    return Resolved{ *lookup.value, {}, true };
  }
  return Resolved{
    placeholder("OXIDE_IMAGE_ID"),
    { fmt::format(
      "${{OXIDE_IMAGE_ID}}: the UUID of image {} ({}) is not known ({})", str::quote(name), key, lookup.reason) }
  };
}

} // namespace ocne::providers::oxide
