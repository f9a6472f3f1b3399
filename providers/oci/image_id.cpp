#include "providers/oci/image_id.hpp"

namespace ocne::providers::oci {

std::string
image_id_problem(std::string_view leaf, std::string_view value)
{
  if (leaf == "imageId" && value.rfind("ocid1.image.", 0) != 0) {
    return "not an OCI image OCID";
  }
  return {};
}

} // namespace ocne::providers::oci
