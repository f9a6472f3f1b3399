#pragma once

// The form of an Oxide image id (a UUID) in the rendered resources
// (OxideMachineTemplate ...imageID).

#include <string>
#include <string_view>

namespace ocne::providers::oxide {

// What is wrong with a string field of the resources (its last name and
// value) as one of this cloud's image ids, or "" (capi::ImageIdRule).
std::string image_id_problem(std::string_view leaf, std::string_view value);

} // namespace ocne::providers::oxide
