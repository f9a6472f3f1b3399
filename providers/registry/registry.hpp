#pragma once

// The clouds ocne knows, by name. Adding a cloud is its folder under
// providers/ and one line in registry.cpp.

#include "providers/api/cloud_provider.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers {

// Every cloud, in registry order (libvirt, oci, oxide).
const std::vector<const CloudProvider*>& all();
// The cloud of that name, or nullptr.
const CloudProvider* find(std::string_view name);
// The cloud of that name, or an error naming the supported ones.
Result<const CloudProvider*> get(std::string_view name);
// Every cloud's configuration rules, in registry order
// (config::LoadOptions::provider_rules).
std::vector<const config::ProviderRules*> config_rules();
// Their names, in registry order.
std::vector<std::string> names();
// Their names in help order (CloudProvider::help_rank), as the image
// commands list them.
std::vector<std::string> names_by_help_rank();

// The commands that fall back to a provider when neither a flag nor a file
// names one.
enum class Command {
  start,     // cluster start, cluster delete
  template_, // cluster template
  image,     // image create, image info
};
// Oracle's ocne's defaults: libvirt, and oci for templates.
std::string default_for(Command command);

// The ephemeral management cluster a Cluster API start or delete uses when
// none is configured, from the cloud that runs it on this host (libvirt).
Result<EphemeralManagement> local_management_cluster(const config::ClusterConfig& target,
                                                     const Environment& env,
                                                     const StateDir& state,
                                                     ProgressSink& progress);

} // namespace ocne::providers
