#pragma once

// OCI as a cloud (providers/api/cloud_provider.hpp): clusters made by the
// Cluster API driver with CAPOCI; flavor.hpp is its part of that driver.

#include "providers/api/cloud_provider.hpp"

namespace ocne::providers::oci {

const CloudProvider& provider();

} // namespace ocne::providers::oci
