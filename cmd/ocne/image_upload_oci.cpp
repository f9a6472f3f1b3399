#include "cmd/ocne/image_upload.hpp"

namespace ocne::cli {

void
upload_oci(const ImageUploadOptions&, Context&)
{
  not_available("image upload --type oci", "the OCI client is not built yet");
}

} // namespace ocne::cli
