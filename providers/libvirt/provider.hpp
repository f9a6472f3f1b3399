#pragma once

// libvirt as a cloud (providers/api/cloud_provider.hpp): clusters of VMs on
// a libvirt host, made by this folder's own driver.

#include "providers/api/cloud_provider.hpp"

namespace ocne::providers::libvirt {

const CloudProvider& provider();

} // namespace ocne::providers::libvirt
