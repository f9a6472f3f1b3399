#include "providers/oci/cloud_template.hpp"

#include "pkg/core/strings.hpp"
#include "providers/oci/lookups.hpp"
#include "providers/oci/network.hpp"
#include "providers/oci/shapes.hpp"

#include <nlohmann/json.hpp>

namespace ocne::providers::oci {

namespace {

using Json = nlohmann::ordered_json;
using tmpl::Value;
using Ctx = cluster_templates::TemplateContext;

// Cluster API's kubeadm config on OCI carries the literal `{{ ds["id"] }}`
// where the kubelet's provider ID needs the instance OCID (cloud-init would
// fill it; Ignition does not). This fills it from the instance metadata
// service before kubeadm runs; once done it does nothing, so later boots do
// not depend on the metadata service.
constexpr std::string_view k_instance_id_script = R"(#!/bin/sh
# Fills in this instance's OCID for the kubelet's provider ID, before kubeadm.
set -e
grep -q 'ds\["id"\]' /etc/kubeadm.yml 2>/dev/null || exit 0
id=$(curl -sSfL -H 'Authorization: Bearer Oracle' http://169.254.169.254/opc/v2/instance/id)
sed -i "s|{{ ds\[\"id\"\] }}|${id}|g" /etc/kubeadm.yml
)";
constexpr std::string_view k_instance_id_dropin = "[Service]\nExecStartPre=/etc/ocne/oci-instance-id.sh\n";

Value
str(std::string_view s)
{
  return Value::string(std::string(s));
}

const config::OciShape&
cp_shape(const Ctx& c)
{
  return c.config.providers.oci.control_plane_shape;
}

const config::OciShape&
worker_shape(const Ctx& c)
{
  return c.config.providers.oci.worker_shape;
}

// clang-format off
const std::vector<cluster_templates::VariableSpec> k_rows = {
  {"OCI_COMPARTMENT_ID", [](const Ctx& c) { return str(c.lookup("OCI_COMPARTMENT_ID")); }, "`providers.oci.compartment`, a path resolved to its OCID"},
  {"OCI_VCN_CIDR", [](const Ctx&) { return str(k_vcn_cidr); }, "the cluster's VCN"},
  {"OCI_SUBNETS", [](const Ctx&) { return Value::node(subnets()); }, "the VCN's four subnets"},
  {"OCI_NETWORK_SECURITY_GROUPS", [](const Ctx&) { return Value::node(network_security_groups()); }, "one network security group per subnet role"},
  {"OCI_CONTROL_PLANE_IMAGE_ID", [](const Ctx& c) { return str(c.lookup("OCI_CONTROL_PLANE_IMAGE_ID")); }, "`providers.oci.images.<arch>` for the control plane shape's architecture, else found by tags"},
  {"OCI_CONTROL_PLANE_MACHINE_TYPE", [](const Ctx& c) { return str(cp_shape(c).shape.get()); }, "`providers.oci.controlPlaneShape.shape`"},
  {"OCI_CONTROL_PLANE_MACHINE_TYPE_OCPUS", [](const Ctx& c) { return str(std::to_string(cp_shape(c).ocpus.get())); }, "`providers.oci.controlPlaneShape.ocpus`"},
  {"OCI_CONTROL_PLANE_BOOT_VOLUME_SIZE", [](const Ctx& c) { return str(cp_shape(c).boot_volume_size_in_gbs.get()); }, "`providers.oci.controlPlaneShape.bootVolumeSizeInGBs`"},
  {"OCI_NODE_IMAGE_ID", [](const Ctx& c) { return str(c.lookup("OCI_NODE_IMAGE_ID")); }, "as OCI_CONTROL_PLANE_IMAGE_ID for the worker shape"},
  {"OCI_NODE_MACHINE_TYPE", [](const Ctx& c) { return str(worker_shape(c).shape.get()); }, "`providers.oci.workerShape.shape`"},
  {"OCI_NODE_MACHINE_TYPE_OCPUS", [](const Ctx& c) { return str(std::to_string(worker_shape(c).ocpus.get())); }, "`providers.oci.workerShape.ocpus`"},
  {"OCI_NODE_BOOT_VOLUME_SIZE", [](const Ctx& c) { return str(worker_shape(c).boot_volume_size_in_gbs.get()); }, "`providers.oci.workerShape.bootVolumeSizeInGBs`"},
  {"OCI_INSTANCE_METADATA", [](const Ctx& c) { return c.ssh_keys.empty() ? Value::omit() : Value::node(Json{{"ssh_authorized_keys", str::join(c.ssh_keys, "\n")}}); }, "instance metadata: the SSH key; left out without one"},
};
// clang-format on

class OciTemplate final : public cluster_templates::CloudTemplate
{
public:
  explicit OciTemplate(std::shared_ptr<Lookups> lookups) : m_lookups(std::move(lookups))
  {
  }

  std::string_view
  name() const override
  {
    return "oci";
  }

  std::string
  template_override(const config::ClusterConfig& c) const override
  {
    return c.providers.oci.template_.get();
  }

  std::string
  namespace_of(const config::ClusterConfig& c) const override
  {
    return c.providers.oci.namespace_.get();
  }

  cluster_templates::NodeExtras
  node_extras() const override
  {
    cluster_templates::NodeExtras x;
    x.files.push_back({ "/etc/ocne/oci-instance-id.sh", 0555, std::string(k_instance_id_script) });
    x.dropins.push_back({ "crio.service", "oci-instance-id.conf", std::string(k_instance_id_dropin) });
    x.no_proxy.emplace_back("169.254.169.254"); // the instance metadata service
    // Filled in on the node before kubeadm runs (the instance-id hook above).
    x.kubelet_args.emplace_back("provider-id", "oci://{{ ds[\"id\"] }}");
    return x;
  }

  const std::vector<cluster_templates::VariableSpec>&
  variables() const override
  {
    return k_rows;
  }

  Result<cluster_templates::CloudValues>
  look_up(const config::ClusterConfig& c,
          const config::KubeVersion& kube,
          std::size_t /*ignition_bytes*/) const override
  {
    cluster_templates::CloudValues out;
    const auto note = [&out](const Resolved& r) {
      out.placeholders.insert(out.placeholders.end(), r.notes.begin(), r.notes.end());
    };
    OCNE_TRY_ASSIGN(auto compartment, resolve_compartment(c, *m_lookups));
    note(compartment);
    const auto cp_arch = shape_architecture(c.providers.oci.control_plane_shape.shape.get());
    const auto worker_arch = shape_architecture(c.providers.oci.worker_shape.shape.get());
    OCNE_TRY_ASSIGN(auto cp_image, resolve_image(c, kube, compartment.value, cp_arch, *m_lookups));
    note(cp_image);
    if (cp_image.found) {
      out.images_found[std::string(cp_arch)] = cp_image.value;
    }
    std::string worker_image = cp_image.value;
    if (worker_arch != cp_arch) {
      OCNE_TRY_ASSIGN(auto image, resolve_image(c, kube, compartment.value, worker_arch, *m_lookups));
      note(image);
      if (image.found) {
        out.images_found[std::string(worker_arch)] = image.value;
      }
      worker_image = image.value;
    }
    out.values["OCI_COMPARTMENT_ID"] = compartment.value;
    out.values["OCI_CONTROL_PLANE_IMAGE_ID"] = cp_image.value;
    out.values["OCI_NODE_IMAGE_ID"] = worker_image;
    return out;
  }

private:
  std::shared_ptr<Lookups> m_lookups;
};

} // namespace

std::unique_ptr<cluster_templates::CloudTemplate>
make_cloud_template(std::shared_ptr<Lookups> lookups)
{
  return std::make_unique<OciTemplate>(std::move(lookups));
}

} // namespace ocne::providers::oci
