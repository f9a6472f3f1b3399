#include "providers/oxide/cloud_template.hpp"

#include "pkg/cluster_templates/cluster_template.hpp"
#include "providers/oxide/credentials_secret.hpp"
#include "providers/oxide/lookups.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::oxide {

namespace {

using Json = nlohmann::ordered_json;
using tmpl::Value;
using Ctx = cluster_templates::TemplateContext;

Value
str(std::string_view s)
{
  return Value::string(std::string(s));
}

// A string, or no value (the key is left out) when empty.
Value
optional(std::string_view s)
{
  return s.empty() ? Value::omit() : str(s);
}

const config::OxideProvider&
ox(const Ctx& c)
{
  return c.config.providers.oxide;
}

// clang-format off
const std::vector<cluster_templates::VariableSpec> k_rows = {
  {"API_SERVER_PORT", [](const Ctx& c) { return Value::integer(c.config.kube_api_server_bind_port.get()); }, "`kubeApiServerBindPort`"},
  {"OXIDE_CREDENTIALS_SECRET", [](const Ctx& c) { return str(credentials_secret_name(c.config.name.get())); }, "Secret with the Oxide credentials, created by `cluster start`"},
  {"OXIDE_PROJECT", [](const Ctx& c) { return str(ox(c).project.get()); }, "`providers.oxide.project`"},
  {"OXIDE_VPC", [](const Ctx& c) { return str(ox(c).vpc.get()); }, "`providers.oxide.vpc`"},
  {"OXIDE_SUBNET", [](const Ctx& c) { return str(ox(c).subnet.get()); }, "`providers.oxide.subnet`"},
  {"OXIDE_CONTROL_PLANE_HOST", [](const Ctx& c) { return optional(ox(c).control_plane_endpoint.get()); }, "`providers.oxide.controlPlaneEndpoint`; left out to let CAPOx allocate a floating IP"},
  {"OXIDE_IP_POOL", [](const Ctx& c) { return optional(ox(c).ip_pool.get()); }, "`providers.oxide.ipPool`; left out when unset"},
  {"OXIDE_IMAGE_ID", [](const Ctx& c) { return str(c.lookup("OXIDE_IMAGE_ID")); }, "UUID of `providers.oxide.images.amd64`, else of the image named `providers.oxide.imageName`"},
  {"OXIDE_CONTROL_PLANE_NCPUS", [](const Ctx& c) { return Value::integer(ox(c).control_plane_machine.cpus.get()); }, "`providers.oxide.controlPlaneMachine.cpus`"},
  {"OXIDE_CONTROL_PLANE_MEMORY", [](const Ctx& c) { return str(ox(c).control_plane_machine.memory.get()); }, "`providers.oxide.controlPlaneMachine.memory`"},
  {"OXIDE_CONTROL_PLANE_DISK_SIZE", [](const Ctx& c) { return str(ox(c).control_plane_machine.disk_size.get()); }, "`providers.oxide.controlPlaneMachine.diskSize`"},
  {"OXIDE_WORKER_NCPUS", [](const Ctx& c) { return Value::integer(ox(c).worker_machine.cpus.get()); }, "`providers.oxide.workerMachine.cpus`"},
  {"OXIDE_WORKER_MEMORY", [](const Ctx& c) { return str(ox(c).worker_machine.memory.get()); }, "`providers.oxide.workerMachine.memory`"},
  {"OXIDE_WORKER_DISK_SIZE", [](const Ctx& c) { return str(ox(c).worker_machine.disk_size.get()); }, "`providers.oxide.workerMachine.diskSize`"},
  {"OXIDE_SSH_PUBLIC_KEYS", [](const Ctx& c) { const auto& k = ox(c).ssh_keys.get(); return k.empty() ? Value::omit() : Value::node(Json(k)); }, "`providers.oxide.sshKeys`; left out when empty"},
};
// clang-format on

class OxideTemplate final : public cluster_templates::CloudTemplate
{
public:
  explicit OxideTemplate(std::shared_ptr<Lookups> lookups) : m_lookups(std::move(lookups))
  {
  }

  std::string_view
  name() const override
  {
    return "oxide";
  }

  std::string
  template_override(const config::ClusterConfig& c) const override
  {
    return c.providers.oxide.template_.get();
  }

  std::string
  namespace_of(const config::ClusterConfig& c) const override
  {
    return c.providers.oxide.namespace_.get();
  }

  const std::vector<cluster_templates::VariableSpec>&
  variables() const override
  {
    return k_rows;
  }

  Result<cluster_templates::CloudValues>
  look_up(const config::ClusterConfig& c,
          const config::KubeVersion& /*kube*/,
          std::size_t ignition_bytes) const override
  {
    cluster_templates::CloudValues out;
    OCNE_TRY_ASSIGN(auto image, resolve_image(c, *m_lookups));
    out.values["OXIDE_IMAGE_ID"] = image.value;
    out.placeholders = image.notes;
    if (image.found) {
      out.images_found["amd64"] = image.value;
    }
    const auto estimate = ignition_bytes + cluster_templates::k_capi_ignition_overhead;
    if (estimate > k_user_data_limit) {
      out.warnings.push_back(fmt::format(
        "a control plane node's bootstrap data will be about {} bytes ({} of Ignition from ocne plus about {} that "
        "Cluster API adds), over Oxide's limit of {} bytes of user data; make extraIgnition smaller",
        estimate,
        ignition_bytes,
        cluster_templates::k_capi_ignition_overhead,
        k_user_data_limit));
    }
    return out;
  }

private:
  std::shared_ptr<Lookups> m_lookups;
};

} // namespace

std::unique_ptr<cluster_templates::CloudTemplate>
make_cloud_template(std::shared_ptr<Lookups> lookups)
{
  return std::make_unique<OxideTemplate>(std::move(lookups));
}

} // namespace ocne::providers::oxide
