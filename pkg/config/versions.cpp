#include "pkg/config/versions.hpp"

#include "pkg/core/strings.hpp"

namespace ocne::config {

const std::vector<KubeVersion>&
kube_versions()
{
  static const std::vector<KubeVersion> k_versions = {
    { "1.26", "1.26.6", "3.9", "3.5.6", "v1.9.3-4" },
    { "1.27", "1.27.12", "3.9", "3.5.10", "v1.10.1" },
    { "1.28", "1.28.8", "3.9", "3.5.10", "v1.10.1-1" },
    { "1.29", "1.29.3", "3.9", "3.5.10", "v1.11.1" },
    { "1.30", "1.30.3", "3.9", "3.5.12", "v1.11.1" },
    { "1.31", "1.31.0", "3.10", "3.5.15", "current" },
    { "1.32", "1.32.0", "3.10", "3.5.15", "current" },
    { "1.33", "1.33.5", "3.10", "3.5.23", "current" },
    // Kubernetes 1.34 (kubeadm's constants for it: etcd 3.6.4, pause 3.10.1).
    { "1.34", "1.34.1", "3.10.1", "3.6.4", "current" },
  };
  return k_versions;
}

Result<KubeVersion>
find_kube_version(std::string_view version)
{
  auto v = str::trim(version);
  if (str::starts_with(v, "v")) {
    v.remove_prefix(1);
  }
  for (const auto& kv : kube_versions()) {
    if (kv.minor == v || kv.full == v) {
      return kv;
    }
  }
  std::vector<std::string> known;
  for (const auto& kv : kube_versions()) {
    known.push_back(kv.minor);
  }
  return make_error(ErrorKind::invalid_input,
                    "Kubernetes version {} is not supported (supported: {})",
                    str::quote(version),
                    str::join(known, ", "));
}

bool
is_supported_kube_version(std::string_view version)
{
  return find_kube_version(version).has_value();
}

} // namespace ocne::config
