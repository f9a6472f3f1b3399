#pragma once

// What OCI's image import needs besides the disk: the image metadata of
// OCI's "exported image" format (image_metadata.json: UEFI firmware,
// paravirtualized launch, Oracle Linux 8, the shapes the image may run on),
// and that format itself, a tar.gz of output.QCOW2 plus image_metadata.json.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/arch.hpp"

#include <string>
#include <vector>

namespace ocne::image {

// The shapes an OCK image of this architecture is marked compatible with
// (pca: a Private Cloud Appliance).
std::vector<std::string> oci_shapes(Arch arch, bool pca);

// image_metadata.json for an OCK image.
std::string oci_image_metadata(Arch arch, bool pca);

// Writes the exported-image tar.gz: qcow2 as output.QCOW2 and metadata as
// image_metadata.json, streamed (never held in memory), atomically.
Status write_oci_export(const fs::Path& qcow2, const std::string& metadata, const fs::Path& out, ProgressSink& progress);

} // namespace ocne::image
