#include "pkg/diag/pod_hygiene.hpp"

#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

namespace ocne::diag {

bool
is_ocne_pod(const nlohmann::json& pod)
{
  return k8s::string_at(pod, "/metadata/labels/app.kubernetes.io~1managed-by") == k_managed_by_value &&
         k8s::has_label(pod, k_purpose_label);
}

} // namespace ocne::diag
