#pragma once

// `ocne image upload --type oxide`: a raw or qcow2 boot image into an Oxide
// project as an image (pkg/oxide/image_import.hpp has the flow).

#include "providers/api/cloud_provider.hpp"

namespace ocne::providers::oxide {

Result<UploadResult> upload_image(const UploadRequest& request, UploadContext& context);

} // namespace ocne::providers::oxide
