#include "pkg/clusterctl/inventory.hpp"

#include "pkg/core/embedded.hpp"
#include "pkg/k8s/apply.hpp"

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;

const k8s::GroupVersionKind k_provider_gvk{ "clusterctl.cluster.x-k8s.io", "v1alpha3", "Provider" };

k8s::ObjectRef
inventory_crd()
{
  return { "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "providers.clusterctl.cluster.x-k8s.io" };
}

} // namespace

json
inventory_object(const Component& component, const std::string& ns)
{
  return {
    { "apiVersion", k_inventory_api_version },
    { "kind", "Provider" },
    { "metadata",
      { { "name", component.label },
        { "namespace", ns },
        { "labels", { { "clusterctl.cluster.x-k8s.io", "" }, { "cluster.x-k8s.io/provider", component.label } } } } },
    { "providerName", component.provider_name },
    { "type", std::string(to_string(component.type)) },
    { "version", component.version }
  };
}

Result<std::vector<json>>
read_inventory(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto crd, client.find(inventory_crd()));
  if (!crd) {
    return std::vector<json>{};
  }
  OCNE_TRY_ASSIGN(auto list, client.list(k_provider_gvk));
  return std::move(list.items);
}

// The CRD is compiled in from data/inventory-crd.yaml, beside this file.
Status
ensure_inventory_crd(k8s::Client& client, std::chrono::milliseconds crd_timeout)
{
  OCNE_TRY_ASSIGN(auto existing, client.find(inventory_crd()));
  if (existing) {
    return {};
  }
  const auto text = embedded::find("pkg/clusterctl/data/inventory-crd.yaml");
  if (!text) {
    return make_error(ErrorKind::internal, "the inventory CRD is not compiled in");
  }
  k8s::ManifestOptions manifest;
  manifest.crd_timeout = crd_timeout;
  OCNE_TRY(k8s::apply_manifest(client, *text, "inventory-crd.yaml", manifest, null_progress()));
  return {};
}

} // namespace ocne::clusterctl
