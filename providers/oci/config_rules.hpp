#pragma once

// OCI's checks of the configuration (config::ProviderRules, through the
// provider): boot volume sizes, the cluster namespace, and the compartment a
// start needs.

#include "pkg/config/provider_rules.hpp"

namespace ocne::providers::oci {

void check_config_values(const config::LoadedConfig& loaded, config::Checker& checker);
void check_config_late(const config::LoadedConfig& loaded, config::Checker& checker);
void check_config_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& checker);

} // namespace ocne::providers::oci
