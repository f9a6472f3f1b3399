#include "cmd/ocne/image_upload.hpp"

namespace ocne::cli {

void
upload_oxide(const ImageUploadOptions&, Context&)
{
  not_available("image upload --type oxide", "the Oxide client is not built yet");
}

} // namespace ocne::cli
