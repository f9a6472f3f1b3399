#include "providers/api/boot_image_builder.hpp"

namespace ocne::providers {

ImageBuilder
boot_image_builder(const ProviderContext& context, image::ImageRecipe recipe)
{
  // The builds run in parallel and report failures as values.
  return [boot = context.boot_images, recipe = std::move(recipe)](const std::string& arch,
                                                                  ProgressSink& progress) -> Result<fs::Path> {
    const auto it = boot.find(arch);
    if (it == boot.end()) {
      return make_error(ErrorKind::invalid_input, "no boot image for architecture {}", arch);
    }
    if (!it->second) {
      return tl::unexpected(it->second.error());
    }
    image::ProviderImageOptions p;
    p.recipe = recipe;
    p.boot = *it->second;
    OCNE_TRY_ASSIGN(auto made, image::create_provider_image(p, progress));
    return made.path;
  };
}

} // namespace ocne::providers
