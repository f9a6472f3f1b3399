#include "providers/oxide/config_rules.hpp"

#include "pkg/config/values.hpp"
#include "pkg/core/strings.hpp"

#include <fmt/format.h>

namespace ocne::providers::oxide {

bool
is_oxide_name(std::string_view text)
{
  if (text.empty() || text.size() > 63 || config::is_uuid(text)) {
    return false;
  }
  if (!(text.front() >= 'a' && text.front() <= 'z') || text.back() == '-') {
    return false;
  }
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void
computed_config_defaults(config::LoadedConfig& loaded)
{
  auto& c = loaded.config;
  if (!c.providers.oxide.image_name.is_set()) {
    // Oxide names cannot hold dots, so 1.33 becomes 1-33.
    c.providers.oxide.image_name = "ocne-" + str::replace_all(c.kubernetes_version.get(), ".", "-");
    config::mark_computed(loaded, "providers.oxide.imageName");
  }
}

void
check_config_values(const config::LoadedConfig& loaded, config::Checker& ck)
{
  const auto& ox = loaded.config.providers.oxide;
  for (const auto& [key, value] : { std::pair{ "providers.oxide.project", &ox.project },
                                    std::pair{ "providers.oxide.vpc", &ox.vpc },
                                    std::pair{ "providers.oxide.subnet", &ox.subnet },
                                    std::pair{ "providers.oxide.imageName", &ox.image_name } }) {
    if (value->is_set() && !is_oxide_name(value->get())) {
      ck.fail(key,
              fmt::format("{} is not a valid Oxide name (a lowercase letter, then letters, digits and '-', at most 63)",
                          str::quote(value->get())));
    }
  }
  for (const auto& key_name : ox.ssh_keys.get()) {
    if (!is_oxide_name(key_name) && !config::is_uuid(key_name)) {
      ck.fail("providers.oxide.sshKeys", fmt::format("entry {} is not an Oxide name or UUID", str::quote(key_name)));
    }
  }
  for (const auto& m :
       { std::pair{ "providers.oxide.controlPlaneMachine.diskSize", &ox.control_plane_machine.disk_size },
         std::pair{ "providers.oxide.workerMachine.diskSize", &ox.worker_machine.disk_size } }) {
    if (auto q = config::parse_quantity(m.second->get()); q && *q > 1023 * config::k_gib) {
      ck.fail(m.first, fmt::format("must be at most 1023Gi (Oxide's limit), got {}", str::quote(m.second->get())));
    }
  }
}

void
check_config_late(const config::LoadedConfig& loaded, config::Checker& ck)
{
  const auto& value = loaded.config.providers.oxide.namespace_;
  if (!config::is_dns_label(value.get())) {
    ck.fail("providers.oxide.namespace",
            fmt::format("{} is not a valid Kubernetes namespace name", str::quote(value.get())));
  }
}

void
check_config_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& ck)
{
  if ((purpose == config::Purpose::start || purpose == config::Purpose::template_) &&
      !loaded.config.providers.oxide.project.is_set()) {
    ck.fail("providers.oxide.project",
            "is required for the oxide provider (the Oxide project to create the cluster in)");
  }
}

} // namespace ocne::providers::oxide
