#pragma once

// The image metadata OCI's image import needs besides the disk
// (image_metadata.json: UEFI firmware, paravirtualized launch, Oracle Linux 8,
// the shapes the image may run on), for an OCK image. pkg/oci owns the format
// and writes the export archive; this names it in pkg/image's terms, for
// the OCI boot image recipe (image_recipe.hpp).

#include "pkg/image/arch.hpp"

#include <string>

namespace ocne::providers::oci {

// image_metadata.json for an OCK image (pca: a Private Cloud Appliance).
std::string image_metadata(image::Arch arch, bool pca);

} // namespace ocne::providers::oci
