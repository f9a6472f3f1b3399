#include "providers/oxide/credentials_secret.hpp"

#include "pkg/k8s/base64.hpp"

#include <nlohmann/json.hpp>

namespace ocne::providers::oxide {

std::string
credentials_secret_name(std::string_view cluster_name)
{
  return std::string(cluster_name) + "-oxide-credentials";
}

Result<bool>
ensure_oxide_credentials(k8s::Client& management, const OxideCredentials& c)
{
  const nlohmann::json data = { { "oxide-host", k8s::base64_encode(c.host) },
                                { "oxide-token", k8s::base64_encode(c.token.reveal()) } };
  OCNE_TRY_ASSIGN(auto live, management.find({ "v1", "Secret", c.namespace_, c.name }));
  if (live && live->contains("data") && (*live)["data"] == data) {
    return false;
  }
  const nlohmann::json secret = {
    { "apiVersion", "v1" },
    { "kind", "Secret" },
    { "type", "Opaque" },
    { "metadata",
      { { "name", c.name },
        { "namespace", c.namespace_ },
        { "labels",
          // clusterctl move takes Secrets with this label along, so a
          // self-managed cluster's CAPOx finds its credentials.
          { { "cluster.x-k8s.io/cluster-name", c.cluster }, { "clusterctl.cluster.x-k8s.io/move", "" } } } } },
    { "data", data },
  };
  auto applied = management.apply(secret);
  if (!applied) {
    // The API's message describes the object, never its data.
    return make_error(
      applied.error().kind(), "cannot write Secret {}/{}: {}", c.namespace_, c.name, applied.error().message());
  }
  return true;
}

} // namespace ocne::providers::oxide
