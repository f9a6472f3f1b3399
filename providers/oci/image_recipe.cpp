#include "providers/oci/image_recipe.hpp"

#include "providers/oci/dhcp_hooks.hpp"
#include "providers/oci/image_metadata.hpp"

namespace ocne::providers::oci {

image::ImageRecipe
image_recipe()
{
  image::ImageRecipe r;
  r.name = "oci";
  r.format = image::DiskFormat::qcow2;
  r.platform_id = "oci";
  r.files = dhcp_hooks();
  r.sidecar = [](image::Arch arch, bool pca) { return image_metadata(arch, pca); };
  return r;
}

} // namespace ocne::providers::oci
