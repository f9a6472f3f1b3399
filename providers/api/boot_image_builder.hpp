#pragma once

// What a Cluster API cloud builds when none of its images fits: its boot
// image, from the boot disk cmd/ chose for each architecture
// (ProviderContext::boot_images).

#include "pkg/image/provider_image.hpp"
#include "providers/api/cloud_provider.hpp"

#include <functional>
#include <string>

namespace ocne::providers {

using ImageBuilder = std::function<Result<fs::Path>(const std::string& arch, ProgressSink& progress)>;

ImageBuilder boot_image_builder(const ProviderContext& context, image::ImageRecipe recipe);

} // namespace ocne::providers
