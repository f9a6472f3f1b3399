#include "providers/oci/config_rules.hpp"

#include "pkg/config/values.hpp"
#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ocne::providers::oci {

void
check_config_values(const config::LoadedConfig& loaded, config::Checker& ck)
{
  const auto& p = loaded.config.providers.oci;
  for (const auto& [key, value] :
       { std::pair{ "providers.oci.controlPlaneShape.bootVolumeSizeInGBs",
                    &p.control_plane_shape.boot_volume_size_in_gbs },
         std::pair{ "providers.oci.workerShape.bootVolumeSizeInGBs", &p.worker_shape.boot_volume_size_in_gbs } }) {
    long long gb = 0;
    const auto& t = value->get();
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), gb);
    if (value->is_set() && (ec != std::errc() || ptr != t.data() + t.size() || gb < 50 || gb > 32768)) {
      ck.fail(key, fmt::format("must be a whole number of GB from 50 to 32768, got {}", str::quote(t)));
    }
  }
}

void
check_config_late(const config::LoadedConfig& loaded, config::Checker& ck)
{
  const auto& value = loaded.config.providers.oci.namespace_;
  if (!config::is_dns_label(value.get())) {
    ck.fail("providers.oci.namespace",
            fmt::format("{} is not a valid Kubernetes namespace name", str::quote(value.get())));
  }
}

void
check_config_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& ck)
{
  if (purpose == config::Purpose::start && !loaded.config.providers.oci.compartment.is_set()) {
    ck.fail("providers.oci.compartment", "is required for the oci provider (a compartment OCID or path such as a/b/c)");
  }
}

} // namespace ocne::providers::oci
