#include "providers/oci/session.hpp"

#include "pkg/addons/ccm.hpp"
#include "pkg/clusterctl/installer.hpp"
#include "pkg/clusterctl/workload_cluster.hpp"
#include "pkg/config/oci_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/log.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/oci/image_upload.hpp"
#include "pkg/oci/profile.hpp"
#include "providers/oci/cloud_template.hpp"
#include "providers/oci/credentials.hpp"
#include "providers/oci/image_id.hpp"
#include "providers/oci/lookups.hpp"

#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>

namespace ocne::providers::oci {

namespace {

class OciSession final : public capi::CloudSession
{
public:
  explicit OciSession(OciSessionOptions options) : m_o(std::move(options))
  {
  }

  std::string_view
  provider() const override
  {
    return "oci";
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
    OCNE_TRY_ASSIGN(const auto* p, profile());
    OCNE_TRY(config::read_private_key_file(p->key_file));
    return {};
  }

  Result<std::map<std::string, std::string, std::less<>>>
  component_values() override
  {
    OCNE_TRY_ASSIGN(const auto* p, profile());
    OCNE_TRY_ASSIGN(auto key, config::read_private_key_file(p->key_file));
    return oci::credential_values(
      p->tenancy, p->user, p->fingerprint, p->region, key.reveal(), p->pass_phrase.reveal());
  }

  std::vector<capi::ImageSlot>
  image_slots() const override
  {
    return { { "OCI_IMAGE_ID_ARM64", "arm64" }, { "OCI_IMAGE_ID_AMD64", "amd64" } };
  }

  std::string
  configured_image(const config::ClusterConfig& c, const std::string& arch) const override
  {
    return arch == "arm64" ? c.providers.oci.images.arm64.get() : c.providers.oci.images.amd64.get();
  }

  void
  set_image(config::ClusterConfig& c, const std::string& arch, const std::string& id) const override
  {
    (arch == "arm64" ? c.providers.oci.images.arm64 : c.providers.oci.images.amd64) = id;
  }

  std::string
  image_id_problem(std::string_view leaf, std::string_view value) const override
  {
    return oci::image_id_problem(leaf, value);
  }

  Result<std::vector<std::string>>
  prepare(k8s::Client&, const capi::ClusterResources&) override
  {
    // CAPOCI reads the credentials its components were installed with.
    return std::vector<std::string>{};
  }

  Result<addons::Addon>
  cloud_controller_manager(k8s::Client& management, const capi::ClusterResources& resources) override
  {
    const auto& oci = m_o.config.providers.oci;
    addons::OciCcmOptions ccm;
    ccm.vcn = oci.vcn.get();
    ccm.subnet1 = oci.load_balancer.subnet1.get();
    ccm.subnet2 = oci.load_balancer.subnet2.get();
    if (ccm.vcn.empty() || ccm.subnet1.empty()) {
      // The network CAPOCI made: its VCN and the service-lb subnets.
      OCNE_TRY_ASSIGN(auto infra,
                      clusterctl::infrastructure_cluster(management, resources.namespace_, resources.cluster_name));
      const auto where = fmt::format(
        "{} {}/{}", infra.value("kind", "OCICluster"), resources.namespace_, k8s::string_at(infra, "/metadata/name"));
      if (ccm.vcn.empty()) {
        ccm.vcn = k8s::string_at(infra, "/spec/networkSpec/vcn/id");
        if (ccm.vcn.empty()) {
          return make_error(
            ErrorKind::not_found, "{} has no spec.networkSpec.vcn.id yet; set providers.oci.vcn", where);
        }
      }
      if (ccm.subnet1.empty()) {
        std::vector<std::string> lb;
        const auto subnets = infra["spec"]["networkSpec"]["vcn"].value("subnets", nlohmann::json::array());
        for (const auto& s : subnets) {
          if (s.value("role", "") == "service-lb" && !s.value("id", "").empty()) {
            lb.push_back(s.value("id", ""));
          }
        }
        if (lb.empty()) {
          return make_error(ErrorKind::not_found,
                            "{} does not have a service-lb subnet; set providers.oci.loadBalancer.subnet1",
                            where);
        }
        ccm.subnet1 = lb.front();
        ccm.subnet2 = lb.size() > 1 ? lb.back() : std::string();
      }
    }
    OCNE_TRY_ASSIGN(const auto* p, profile());
    ccm.region = p->region;
    ccm.tenancy = p->tenancy;
    ccm.user = p->user;
    ccm.fingerprint = p->fingerprint;
    OCNE_TRY_ASSIGN(ccm.key, config::read_private_key_file(p->key_file));
    ccm.passphrase = p->pass_phrase;
    OCNE_TRY_ASSIGN(auto compartment, compartment_id());
    ccm.compartment = compartment;
    return addons::render_oci_ccm(ccm, m_o.env);
  }

  std::unique_ptr<cluster_templates::CloudTemplate>
  cloud_template() const override
  {
    return make_cloud_template(make_live_lookups(m_o.env, profile_name()));
  }

  Result<std::string>
  build_and_upload(const std::string& arch, ProgressSink& progress) override
  {
    if (!m_o.build_image) {
      return make_error(ErrorKind::unavailable, "no {} image to use and none can be built here", arch);
    }
    OCNE_TRY_ASSIGN(auto file, m_o.build_image(arch, progress));
    OCNE_TRY_ASSIGN(const auto* p, profile());
    OCNE_TRY_ASSIGN(const auto* c, client());
    OCNE_TRY_ASSIGN(auto version, config::find_kube_version(m_o.config.kubernetes_version.get()));
    ocne::oci::ImageUploadOptions up;
    up.file = file.string();
    up.tenancy_id = p->tenancy;
    up.compartment = m_o.config.providers.oci.compartment.get();
    up.bucket =
      m_o.config.providers.oci.image_bucket.get().empty() ? "ocne-images" : m_o.config.providers.oci.image_bucket.get();
    up.architecture = arch;
    up.kubernetes_version = version.minor;
    up.state_dir = m_o.state_dir;
    OCNE_TRY_ASSIGN(auto uploaded, ocne::oci::upload_image(*c, up, progress));
    log::info("{} image {} for Kubernetes {}: {}",
              arch,
              uploaded.image_reused ? "found" : "imported",
              version.minor,
              uploaded.image_id);
    return uploaded.image_id;
  }

private:
  // providers.oci.profile when the user set it (the built-in DEFAULT leaves
  // room for OCI_CLI_PROFILE).
  std::optional<std::string>
  profile_name() const
  {
    if (!m_o.profile_given) {
      return std::nullopt;
    }
    return m_o.config.providers.oci.profile.get();
  }

  Result<const config::OciProfile*>
  profile()
  {
    std::lock_guard lock(m_mutex);
    if (!m_profile) {
      config::OciConfigRequest request;
      if (m_o.profile_given) {
        request.profile = m_o.config.providers.oci.profile.get();
      }
      OCNE_TRY_ASSIGN(auto p, config::load_oci_profile(m_o.env, request));
      m_profile = std::move(p);
    }
    return &*m_profile;
  }

  Result<const ocne::oci::Client*>
  client()
  {
    OCNE_TRY_ASSIGN(const auto* p, profile());
    std::lock_guard lock(m_mutex);
    if (!m_client) {
      OCNE_TRY_ASSIGN(auto c, ocne::oci::client_from_profile(*p, m_o.env));
      m_client.emplace(std::move(c));
    }
    return &*m_client;
  }

  Result<std::string>
  compartment_id()
  {
    const auto& compartment = m_o.config.providers.oci.compartment.get();
    if (compartment.rfind("ocid1.", 0) == 0) {
      return compartment;
    }
    auto lookups = make_live_lookups(m_o.env, profile_name());
    OCNE_TRY_ASSIGN(auto lookup, lookups->resolve_compartment(compartment));
    if (!lookup.value) {
      return make_error(
        ErrorKind::unavailable, "the OCID of compartment '{}' is not known ({})", compartment, lookup.reason);
    }
    return *lookup.value;
  }

  OciSessionOptions m_o;
  std::mutex m_mutex;
  std::optional<config::OciProfile> m_profile;
  std::optional<ocne::oci::Client> m_client;
};

} // namespace

std::unique_ptr<capi::CloudSession>
make_session(OciSessionOptions options)
{
  return std::make_unique<OciSession>(std::move(options));
}

} // namespace ocne::providers::oci
