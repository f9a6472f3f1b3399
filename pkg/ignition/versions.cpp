#include "pkg/ignition/versions.hpp"

#include "pkg/core/strings.hpp"

#include <array>

namespace ocne::ignition {

namespace {

struct Row
{
  std::string_view minor, full, pause, etcd, coredns;
};

constexpr std::array<Row, 8> k_table = {{
  {"1.26", "1.26.6", "3.9", "3.5.6", "v1.9.3-4"},
  {"1.27", "1.27.12", "3.9", "3.5.10", "v1.10.1"},
  {"1.28", "1.28.8", "3.9", "3.5.10", "v1.10.1-1"},
  {"1.29", "1.29.3", "3.9", "3.5.10", "v1.11.1"},
  {"1.30", "1.30.3", "3.9", "3.5.12", "v1.11.1"},
  {"1.31", "1.31.0", "3.10", "3.5.15", "current"},
  {"1.32", "1.32.0", "3.10", "3.5.15", "current"},
  {"1.33", "1.33.5", "3.10", "3.5.23", "current"},
}};

} // namespace

Result<KubernetesVersion>
find_kubernetes_version(std::string_view version)
{
  auto v = str::trim(version);
  if (!v.empty() && v.front() == 'v') {
    v.remove_prefix(1);
  }
  for (const auto& row : k_table) {
    if (row.minor == v || row.full == v) {
      return KubernetesVersion{std::string(row.minor), std::string(row.full), std::string(row.pause),
                               std::string(row.etcd), std::string(row.coredns)};
    }
  }
  return make_error(ErrorKind::invalid_input, "no Kubernetes version available for {}", str::quote(version));
}

} // namespace ocne::ignition
