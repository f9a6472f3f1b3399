// "docker save" tarballs (also written by skopeo's docker-archive:
// transport): manifest.json lists each image's config file and layer files;
// layers are tars, usually uncompressed, whose sha256 is the config's diff_id.

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/image_source.hpp"
#include "pkg/image/platform_check.hpp"
#include "pkg/image/tar_storage.hpp"

#include <nlohmann/json.hpp>

namespace ocne::image {

namespace {

using nlohmann::json;

struct ArchiveImage
{
  std::string config;
  std::vector<std::string> tags;
  std::vector<std::string> layers;
};

// Whether two "name:tag" strings name the same image ("ock:1.33" and
// "docker.io/library/ock:1.33").
bool
same_image(const std::string& a, const std::string& b)
{
  if (a == b) {
    return true;
  }
  auto ra = parse_reference(a);
  auto rb = parse_reference(b);
  return ra && rb && *ra == *rb;
}

bool
compressed(std::string_view head)
{
  return str::starts_with(head, "\x1f\x8b") || str::starts_with(head, "\x28\xb5\x2f\xfd");
}

// Counts the first bytes of a stream so the caller can tell a compressed layer.
class PeekSource final : public ByteSource
{
public:
  explicit PeekSource(ByteSource& inner) : m_inner(inner)
  {
  }
  Result<std::string_view>
  next() override
  {
    OCNE_TRY_ASSIGN(const auto chunk, m_inner.next());
    if (m_head.size() < 4) {
      m_head += chunk.substr(0, 4 - m_head.size());
    }
    return chunk;
  }
  const std::string&
  head() const
  {
    return m_head;
  }

private:
  ByteSource& m_inner;
  std::string m_head;
};

class DockerArchiveSource final : public ImageSource
{
public:
  DockerArchiveSource(std::unique_ptr<LayoutStorage> storage, std::string name, std::string ref)
    : m_storage(std::move(storage)), m_name(std::move(name)), m_ref(std::move(ref))
  {
  }

  std::string
  name() const override
  {
    return m_name;
  }

  std::string
  tag() const override
  {
    // "name:tag": the tag follows the last ':' after the last '/'.
    const auto colon = m_ref.rfind(':');
    const auto slash = m_ref.rfind('/');
    return colon == std::string::npos || (slash != std::string::npos && slash > colon) ? std::string()
                                                                                       : m_ref.substr(colon + 1);
  }

  bool
  remote() const override
  {
    return false;
  }

  Result<ResolvedImage>
  resolve(Arch arch) override
  {
    OCNE_TRY_ASSIGN(const auto images, read_manifest());
    OCNE_TRY_ASSIGN(const auto image, choose(images));
    OCNE_TRY_ASSIGN(const auto config, m_storage->read_small(image.config).map_error([&](const Error&) {
      return Error(ErrorKind::invalid_input, fmt::format("{}: the image config {} is missing", m_name, image.config));
    }));
    // manifest.json has no platforms: the config alone says what the image is.
    OCNE_TRY_ASSIGN(const auto platform, config_platform(config, m_name));
    OCNE_TRY_ASSIGN(const auto checked, check_platform(std::nullopt, platform, arch, m_name));
    std::vector<std::string> diff_ids;
    try {
      const auto j = json::parse(config);
      for (const auto& d : j.at("rootfs").at("diff_ids")) {
        diff_ids.push_back(d.get<std::string>());
      }
    } catch (const json::exception&) {
      // Without diff_ids the layers cannot be verified; resolve still works.
    }
    ResolvedImage out;
    out.manifest_digest = sha256_of(config);
    out.platform = checked;
    for (std::size_t i = 0; i < image.layers.size(); ++i) {
      Descriptor d;
      d.media_type = std::string(media_type::docker_layer);
      d.annotations["path"] = image.layers[i];
      if (i < diff_ids.size()) {
        if (auto digest = parse_digest(diff_ids[i])) {
          d.digest = *digest;
        }
      }
      OCNE_TRY_ASSIGN(d.size, m_storage->size(image.layers[i]).map_error([&](const Error&) {
        return Error(ErrorKind::invalid_input, fmt::format("{}: layer file {} is missing", m_name, image.layers[i]));
      }));
      out.layers.push_back(std::move(d));
    }
    return out;
  }

  Status
  read_layer(const Descriptor& layer,
             ProgressSink& progress,
             const std::function<Status(ByteSource&)>& consume) override
  {
    const auto& path = layer.annotations.at("path");
    ProgressTask task(progress, fmt::format("Reading {} layer {}", m_name, path), layer.size);
    const auto status = m_storage->read_file(path, [&](ByteSource& raw) -> Status {
      PeekSource peek(raw);
      HashingSource hashed(peek, [&](std::uint64_t n) { task.set_done(n); });
      OCNE_TRY(consume(hashed));
      OCNE_TRY(hashed.drain());
      const auto got = hashed.finish();
      if (layer.digest.hex.empty() || compressed(peek.head())) {
        // diff_ids name the uncompressed tar: a compressed layer file cannot be
        // checked against them without decompressing it twice.
        log::debug("{}: layer {} not verified (no diff_id for a compressed layer)", m_name, path);
      } else if (got != layer.digest) {
        return make_error(ErrorKind::invalid_input,
                          "{}: layer {} is corrupt: its content has digest {}, the image config says {}",
                          m_name,
                          path,
                          got.brief(),
                          layer.digest.brief());
      }
      return {};
    });
    if (!status) {
      task.fail(status.error().message());
      return status;
    }
    task.succeed();
    return {};
  }

private:
  Result<std::vector<ArchiveImage>>
  read_manifest()
  {
    OCNE_TRY_ASSIGN(const auto text, m_storage->read_small("manifest.json").map_error([&](const Error&) {
      return Error(ErrorKind::invalid_input, fmt::format("{}: not a docker-archive (no manifest.json)", m_name));
    }));
    std::vector<ArchiveImage> images;
    try {
      for (const auto& e : json::parse(text)) {
        ArchiveImage image;
        image.config = e.at("Config").get<std::string>();
        if (const auto t = e.find("RepoTags"); t != e.end() && t->is_array()) {
          image.tags = t->get<std::vector<std::string>>();
        }
        image.layers = e.at("Layers").get<std::vector<std::string>>();
        images.push_back(std::move(image));
      }
    } catch (const json::exception& e) {
      return make_error(ErrorKind::invalid_input, "{}: invalid manifest.json: {}", m_name, e.what());
    }
    return images;
  }

  Result<ArchiveImage>
  choose(const std::vector<ArchiveImage>& images)
  {
    std::vector<std::string> all_tags;
    for (const auto& image : images) {
      for (const auto& tag : image.tags) {
        all_tags.push_back(tag);
        if (!m_ref.empty() && same_image(tag, m_ref)) {
          return image;
        }
      }
    }
    const auto tags = all_tags.empty() ? std::string("none") : str::join(all_tags, ", ");
    if (!m_ref.empty()) {
      return make_error(ErrorKind::not_found, "{}: no image is tagged {} (tags: {})", m_name, str::quote(m_ref), tags);
    }
    if (images.size() == 1) {
      return images.front();
    }
    return make_error(ErrorKind::invalid_input,
                      "{} holds {} images: name one, as docker-archive:FILE:NAME:TAG (tags: {})",
                      m_name,
                      images.size(),
                      tags);
  }

  std::unique_ptr<LayoutStorage> m_storage;
  std::string m_name;
  std::string m_ref;
};

} // namespace

std::unique_ptr<ImageSource>
make_docker_archive_source(std::unique_ptr<LayoutStorage> storage, std::string name, std::string ref)
{
  return std::make_unique<DockerArchiveSource>(std::move(storage), std::move(name), std::move(ref));
}

Result<std::unique_ptr<ImageSource>>
docker_archive_source(const fs::Path& file, std::string ref)
{
  OCNE_TRY_ASSIGN(auto storage, tar_storage(file));
  auto name = fmt::format("docker-archive:{}{}", file.string(), ref.empty() ? "" : ":" + ref);
  return make_docker_archive_source(std::move(storage), std::move(name), std::move(ref));
}

} // namespace ocne::image
