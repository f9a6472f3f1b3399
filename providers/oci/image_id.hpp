#pragma once

// The form of an OCI image id (an image OCID) in the rendered resources
// (OCIMachineTemplate spec.template.spec.imageId).

#include <string>
#include <string_view>

namespace ocne::providers::oci {

// What is wrong with a string field of the resources (its last name and
// value) as one of this cloud's image ids, or "" (capi::ImageIdRule).
std::string image_id_problem(std::string_view leaf, std::string_view value);

} // namespace ocne::providers::oci
