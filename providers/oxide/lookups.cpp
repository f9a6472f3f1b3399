#include "providers/oxide/lookups.hpp"

#include "pkg/config/values.hpp"
#include "pkg/core/strings.hpp"

#include <fmt/format.h>

namespace ocne::providers::oxide {

namespace {

std::string
placeholder(std::string_view name)
{
  return fmt::format("${{{}}}", name);
}

} // namespace

Result<Resolved>
resolve_image(const config::ClusterConfig& c, cluster_templates::ResourceResolver& resolver)
{
  const auto& ox = c.providers.oxide;
  const auto& name = ox.images.amd64.get().empty() ? ox.image_name.get() : ox.images.amd64.get();
  const auto key = ox.images.amd64.get().empty() ? "providers.oxide.imageName" : "providers.oxide.images.amd64";
  if (config::is_uuid(name)) {
    return Resolved{ name, {} };
  }
  if (name.empty()) {
    return Resolved{
      placeholder("OXIDE_IMAGE_ID"),
      { "${OXIDE_IMAGE_ID}: neither providers.oxide.images.amd64 nor providers.oxide.imageName is set" }
    };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.find_oxide_image(ox.project.get(), name));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{
    placeholder("OXIDE_IMAGE_ID"),
    { fmt::format(
      "${{OXIDE_IMAGE_ID}}: the UUID of image {} ({}) is not known ({})", str::quote(name), key, lookup.reason) }
  };
}

} // namespace ocne::providers::oxide
