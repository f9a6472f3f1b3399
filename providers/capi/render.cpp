#include "providers/capi/render.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <future>
#include <map>
#include <mutex>

namespace ocne::providers::capi {

namespace {

// The slot a placeholder line ("${OCI_IMAGE_ID_ARM64}: ...") is for, if any.
const ImageSlot*
slot_of(const std::vector<ImageSlot>& slots, const std::string& placeholder)
{
  for (const auto& slot : slots) {
    if (str::starts_with(placeholder, "${" + slot.variable + "}")) {
      return &slot;
    }
  }
  return nullptr;
}

Result<RenderedResources>
cluster_definition(const config::ClusterConfig& c, const CloudSession& cloud)
{
  RenderedResources out;
  if (!c.cluster_definition_inline.get().empty()) {
    out.yaml = c.cluster_definition_inline.get();
    out.source = "clusterDefinitionInline";
    return out;
  }
  const auto path = fs::resolve_path(c.cluster_definition.get(), cloud.cwd(), cloud.home());
  auto text = fs::read_file(path);
  if (!text) {
    return make_error(text.error().with_context("clusterDefinition"));
  }
  out.yaml = std::move(*text);
  out.source = path.string();
  return out;
}

} // namespace

Result<RenderedResources>
render_resources(CloudSession& cloud, const KnownImages& known, ProgressSink& progress)
{
  if (!cloud.config().cluster_definition.get().empty() || !cloud.config().cluster_definition_inline.get().empty()) {
    return cluster_definition(cloud.config(), cloud);
  }
  config::ClusterConfig config = cloud.config();
  const auto slots = cloud.image_slots();
  std::map<std::string, std::string, std::less<>> how;
  for (const auto& slot : slots) {
    if (!cloud.configured_image(config, slot.arch).empty()) {
      how[slot.arch] = "configured";
    } else if (const auto it = known.find(slot.arch); it != known.end()) {
      cloud.set_image(config, slot.arch, it->second);
      how[slot.arch] = "found";
    }
  }
  const auto cloud_part = cloud.cloud_template();
  // The images the lookups found, over both renders.
  std::map<std::string, std::string, std::less<>> found;
  const auto remember = [&found](const cluster_templates::ClusterTemplate& t) {
    for (const auto& [arch, id] : t.images_found) {
      found[arch] = id;
    }
  };
  OCNE_TRY_ASSIGN(auto rendered, cluster_templates::render_cluster_template(config, *cloud_part));
  remember(rendered);

  std::vector<const ImageSlot*> missing;
  std::vector<std::string> other;
  for (const auto& p : rendered.placeholders) {
    if (const auto* slot = slot_of(slots, p)) {
      missing.push_back(slot);
    } else {
      other.push_back(p);
    }
  }
  if (!other.empty()) {
    return make_error(
      ErrorKind::invalid_input, "the cluster's resources cannot be rendered: {}", str::join(other, "; "));
  }
  if (!missing.empty()) {
    // Every missing architecture at once: each build and upload reports its
    // own progress task.
    std::vector<std::future<Result<std::string>>> builds;
    for (const auto* slot : missing) {
      log::info("No {} boot image for Kubernetes {} in the cloud: building and uploading one",
                slot->arch,
                config.kubernetes_version.get());
      builds.push_back(std::async(std::launch::async,
                                  [&cloud, slot, &progress] { return cloud.build_and_upload(slot->arch, progress); }));
    }
    std::vector<Error> errors;
    for (std::size_t i = 0; i < builds.size(); ++i) {
      auto id = builds[i].get();
      if (!id) {
        errors.push_back(id.error().with_context(fmt::format("the {} boot image", missing[i]->arch)));
        continue;
      }
      cloud.set_image(config, missing[i]->arch, *id);
      how[missing[i]->arch] = "uploaded";
    }
    if (!errors.empty()) {
      return tl::unexpected(std::move(errors.front()));
    }
    OCNE_TRY_ASSIGN(rendered, cluster_templates::render_cluster_template(config, *cloud_part));
    remember(rendered);
    if (!rendered.placeholders.empty()) {
      return make_error(ErrorKind::internal,
                        "the cluster's resources still hold placeholders after the image upload: {}",
                        str::join(rendered.placeholders, "; "));
    }
  }
  for (const auto& w : rendered.warnings) {
    log::warn("{}", w);
  }
  RenderedResources out;
  out.yaml = std::move(rendered.yaml);
  out.source = std::move(rendered.source);
  for (const auto& slot : slots) {
    std::string id = cloud.configured_image(config, slot.arch);
    std::string h = how.count(slot.arch) != 0 ? how[slot.arch] : std::string();
    if (h.empty()) {
      const auto f = found.find(slot.arch);
      if (f == found.end()) {
        continue; // this architecture is not used by the cluster
      }
      id = f->second;
      h = "found";
    }
    out.images.push_back({ slot.arch, id, h });
  }
  return out;
}

} // namespace ocne::providers::capi
