#pragma once

// Oxide's part of loading the configuration (config::ProviderRules, through
// the provider): the image name that follows the Kubernetes version, the
// checks of Oxide names, keys and disk sizes, the cluster namespace, and the
// project a start or a template needs.

#include "pkg/config/provider_rules.hpp"

#include <string_view>

namespace ocne::providers::oxide {

// An Oxide name: starts with a lowercase letter, then letters, digits and
// '-', no trailing '-', 1 to 63 characters, and not a UUID.
bool is_oxide_name(std::string_view text);

void computed_config_defaults(config::LoadedConfig& loaded);
void check_config_values(const config::LoadedConfig& loaded, config::Checker& checker);
void check_config_late(const config::LoadedConfig& loaded, config::Checker& checker);
void check_config_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& checker);

} // namespace ocne::providers::oxide
