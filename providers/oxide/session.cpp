#include "providers/oxide/session.hpp"

#include "pkg/addons/ccm.hpp"
#include "pkg/cluster_templates/variables.hpp"
#include "pkg/config/oxide_credentials.hpp"
#include "pkg/config/values.hpp"
#include "pkg/core/log.hpp"
#include "pkg/oxide/client.hpp"
#include "pkg/oxide/image_import.hpp"
#include "pkg/qcow2/disk_image.hpp"
#include "providers/oxide/cloud_template.hpp"
#include "providers/oxide/credentials_secret.hpp"
#include "providers/oxide/image_id.hpp"
#include "providers/oxide/lookups.hpp"

#include <mutex>
#include <optional>

namespace ocne::providers::oxide {

namespace {

class OxideSession final : public capi::CloudSession
{
public:
  explicit OxideSession(OxideSessionOptions options) : m_o(std::move(options))
  {
  }

  std::string_view
  provider() const override
  {
    return "oxide";
  }

  const config::ClusterConfig&
  config() const override
  {
    return m_o.config;
  }

  fs::Path
  cwd() const override
  {
    return m_o.cwd;
  }

  fs::Path
  home() const override
  {
    return m_o.home;
  }

  Status
  check_credentials() override
  {
    OCNE_TRY(credentials());
    return {};
  }

  Result<std::map<std::string, std::string, std::less<>>>
  component_values() override
  {
    // CAPOx reads each cluster's credentials from its Secret (prepare()).
    return std::map<std::string, std::string, std::less<>>{};
  }

  std::vector<capi::ImageSlot>
  image_slots() const override
  {
    return { { "OXIDE_IMAGE_ID", "amd64" } };
  }

  std::string
  configured_image(const config::ClusterConfig& c, const std::string& /*arch*/) const override
  {
    const auto& image = c.providers.oxide.images.amd64.get();
    return config::is_uuid(image) ? image : std::string();
  }

  void
  set_image(config::ClusterConfig& c, const std::string& /*arch*/, const std::string& id) const override
  {
    c.providers.oxide.images.amd64 = id;
  }

  std::string
  image_id_problem(std::string_view leaf, std::string_view value) const override
  {
    return oxide::image_id_problem(leaf, value);
  }

  Result<std::vector<std::string>>
  prepare(k8s::Client& management, const capi::ClusterResources& resources) override
  {
    OCNE_TRY_ASSIGN(const auto* creds, credentials());
    OxideCredentials secret;
    secret.namespace_ = resources.namespace_;
    secret.name = credentials_secret_name(m_o.config.name.get());
    secret.cluster = resources.cluster_name;
    secret.host = creds->host;
    secret.token = creds->token;
    OCNE_TRY_ASSIGN(auto written, ensure_oxide_credentials(management, secret));
    log::debug("oxide: credentials Secret {}/{} {}", secret.namespace_, secret.name, written ? "written" : "in place");
    return std::vector<std::string>{ secret.namespace_ + "/" + secret.name };
  }

  std::vector<std::string>
  secret_names(const std::string& cluster) const override
  {
    return { credentials_secret_name(cluster) };
  }

  Result<addons::Addon>
  cloud_controller_manager(k8s::Client&, const capi::ClusterResources&) override
  {
    OCNE_TRY_ASSIGN(const auto* creds, credentials());
    addons::OxideCcmOptions ccm;
    ccm.host = creds->host;
    ccm.token = creds->token;
    ccm.project = m_o.config.providers.oxide.project.get();
    return addons::render_oxide_ccm(ccm, m_o.env);
  }

  std::unique_ptr<cluster_templates::CloudTemplate>
  cloud_template() const override
  {
    const auto& ox = m_o.config.providers.oxide;
    return make_cloud_template(make_live_lookups(m_o.env,
                                                 LiveLookupOptions{ .host = ox.host.get(),
                                                                    .profile = ox.profile.get(),
                                                                    .host_subject = m_o.host_subject,
                                                                    .profile_subject = m_o.profile_subject }));
  }

  Result<std::string>
  build_and_upload(const std::string& arch, ProgressSink& progress) override
  {
    if (!m_o.build_image) {
      return make_error(ErrorKind::unavailable, "no {} image to use and none can be built here", arch);
    }
    OCNE_TRY_ASSIGN(auto file, m_o.build_image(arch, progress));
    OCNE_TRY_ASSIGN(auto image, qcow2::open_image(file));
    OCNE_TRY_ASSIGN(const auto* creds, credentials());
    ocne::oxide::Client client(ocne::oxide::ClientOptions{ .host = creds->host, .token = creds->token });
    const auto& ox = m_o.config.providers.oxide;
    ocne::oxide::ImportOptions options;
    options.project = ox.project.get();
    options.image_name = ox.images.amd64.get().empty() ? ox.image_name.get() : ox.images.amd64.get();
    options.description = fmt::format("OCNE boot image for Kubernetes {}", m_o.config.kubernetes_version.get());
    options.os = "Oracle Linux";
    options.version = m_o.config.kubernetes_version.get();
    options.journal_dir = m_o.state_dir / "oxide" / "imports";
    OCNE_TRY_ASSIGN(auto imported, ocne::oxide::import_image(client, *image, options, progress));
    log::info("Oxide image {} {}: {}",
              options.image_name,
              imported.reused ? "already holds this content" : "uploaded",
              imported.image.id);
    return imported.image.id;
  }

private:
  Result<const config::OxideCredentials*>
  credentials()
  {
    std::lock_guard lock(m_mutex);
    if (!m_creds) {
      const auto& ox = m_o.config.providers.oxide;
      OCNE_TRY_ASSIGN(
        auto creds,
        config::resolve_oxide_credentials(m_o.env,
                                          config::OxideCredentialRequest{ .host = ox.host.get(),
                                                                          .profile = ox.profile.get(),
                                                                          .host_subject = m_o.host_subject,
                                                                          .profile_subject = m_o.profile_subject }));
      for (const auto& w : creds.warnings) {
        log::warn("{}", w);
      }
      m_creds = std::move(creds);
    }
    return &*m_creds;
  }

  OxideSessionOptions m_o;
  std::mutex m_mutex;
  std::optional<config::OxideCredentials> m_creds;
};

} // namespace

std::unique_ptr<capi::CloudSession>
make_session(OxideSessionOptions options)
{
  return std::make_unique<OxideSession>(std::move(options));
}

} // namespace ocne::providers::oxide
