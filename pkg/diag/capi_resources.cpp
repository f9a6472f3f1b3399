#include "pkg/diag/capi_resources.hpp"

#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ocne::diag {

using nlohmann::json;

Result<std::vector<json>>
list_capi(k8s::Client& client, const std::vector<std::string>& kinds)
{
  OCNE_TRY_ASSIGN(auto resources, client.api_resources());
  std::vector<json> out;
  for (const auto& kind : kinds) {
    const auto it = std::find_if(resources.begin(), resources.end(), [&](const k8s::ResourceMapping& m) {
      return m.gvk.kind == kind && (m.gvk.group == k_capi_group || m.gvk.group == k_capi_control_plane_group ||
                                    m.gvk.group == k_capi_bootstrap_group);
    });
    if (it == resources.end()) {
      continue;
    }
    OCNE_TRY_ASSIGN(auto list, client.list(it->gvk));
    std::sort(list.items.begin(), list.items.end(), [](const json& a, const json& b) {
      return std::pair(k8s::string_at(a, "/metadata/namespace"), k8s::string_at(a, "/metadata/name")) <
             std::pair(k8s::string_at(b, "/metadata/namespace"), k8s::string_at(b, "/metadata/name"));
    });
    out.insert(out.end(), list.items.begin(), list.items.end());
  }
  return out;
}

} // namespace ocne::diag
