#pragma once

#include <string_view>

namespace ocne::providers::oci {

// "arm64" for Ampere shapes (VM.Standard.A1.Flex, VM.Standard.A2.Flex,
// BM.Standard.A1.160, ...: a dot-separated part "A<digits>"), else "amd64".
std::string_view shape_architecture(std::string_view shape);

} // namespace ocne::providers::oci
