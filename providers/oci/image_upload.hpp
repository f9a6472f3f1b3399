#pragma once

// `ocne image upload --type oci`: upload a boot image to Object Storage
// (multipart, resumable) and import it as a custom image, or reuse the image
// that already carries the same name, Kubernetes version and architecture.

#include "providers/api/cloud_provider.hpp"

namespace ocne::providers::oci {

Result<UploadResult> upload_image(const UploadRequest& request, UploadContext& context);

} // namespace ocne::providers::oci
