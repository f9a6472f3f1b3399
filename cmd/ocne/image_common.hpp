#pragma once

// What `image create` and `image info` share: where the boot disk comes
// from (--source, else the configured bootVolumeContainerImage with the
// Kubernetes version as its tag) and the registry settings from the
// environment.

#include "cmd/ocne/context.hpp"
#include "pkg/config/load.hpp"
#include "pkg/image/boot_image.hpp"

#include <string>

namespace ocne::cli {

image::BootImageOptions boot_image_options(const Context& ctx,
                                           const config::LoadedConfig& loaded,
                                           const std::string& source,
                                           const std::string& arch);

} // namespace ocne::cli
