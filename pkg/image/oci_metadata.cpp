#include "pkg/image/oci_metadata.hpp"

#include "pkg/oci/image_file.hpp"

namespace ocne::image {

std::string
oci_image_metadata(Arch arch, bool pca)
{
  return oci::image_metadata_json({ std::string(to_string(arch)), pca }) + "\n";
}

} // namespace ocne::image
