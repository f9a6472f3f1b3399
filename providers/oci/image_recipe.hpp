#pragma once

// OCI's boot image: qcow2, ignition.platform.id=oci, new file system UUIDs,
// no machine id, OCI's DHCP hooks (dhcp_hooks.hpp); plus <file>.json, the
// image_metadata.json OCI's import needs (image_metadata.hpp).

#include "pkg/image/provider_image.hpp"

namespace ocne::providers::oci {

image::ImageRecipe image_recipe();

} // namespace ocne::providers::oci
