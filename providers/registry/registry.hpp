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
// Their names, in registry order.
std::vector<std::string> names();
// Their names in help order (CloudProvider::help_rank), as the image
// commands list them.
std::vector<std::string> names_by_help_rank();

} // namespace ocne::providers
