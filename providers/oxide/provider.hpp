#pragma once

// Oxide as a cloud (providers/api/cloud_provider.hpp): clusters made by the
// Cluster API driver with CAPOx; flavor.hpp is its part of that driver.

#include "providers/api/cloud_provider.hpp"

namespace ocne::providers::oxide {

const CloudProvider& provider();

} // namespace ocne::providers::oxide
