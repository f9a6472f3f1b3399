#include "providers/oci/image_metadata.hpp"

#include "pkg/oci/image_file.hpp"

namespace ocne::providers::oci {

std::string
image_metadata(image::Arch arch, bool pca)
{
  return ocne::oci::image_metadata_json({ std::string(image::to_string(arch)), pca }) + "\n";
}

} // namespace ocne::providers::oci
