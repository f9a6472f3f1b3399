// OCI image layouts (https://github.com/opencontainers/image-spec layout.md):
// an "oci-layout" file, "index.json", and blobs under blobs/<alg>/<hex>;
// either a directory or the same tree in a tar file (oci-archive).

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/image_source.hpp"
#include "pkg/image/platform_check.hpp"
#include "pkg/image/tar_storage.hpp"

#include <map>

namespace ocne::image {

namespace {

constexpr std::string_view k_ref_name = "org.opencontainers.image.ref.name";

std::string
blob_path(const Digest& d)
{
  return "blobs/" + d.algorithm + "/" + d.hex;
}

class OciLayoutSource final : public ImageSource
{
public:
  OciLayoutSource(std::unique_ptr<LayoutStorage> storage, std::string name, std::string tag)
    : m_storage(std::move(storage)), m_name(std::move(name)), m_tag(std::move(tag))
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
    return m_tag;
  }

  bool
  remote() const override
  {
    return false;
  }

  Result<ResolvedImage>
  resolve(Arch arch) override
  {
    auto layout = m_storage->read_small("oci-layout");
    if (!layout) {
      return make_error(ErrorKind::invalid_input, "{}: not an OCI image layout (no oci-layout file)", m_name);
    }
    OCNE_TRY_ASSIGN(const auto index_json, m_storage->read_small("index.json").map_error([&](const Error&) {
      return Error(ErrorKind::invalid_input, fmt::format("{}: not an OCI image layout (no index.json)", m_name));
    }));
    OCNE_TRY_ASSIGN(auto top, parse_manifest(index_json, media_type::oci_index, m_name + ": index.json"));
    if (!std::holds_alternative<Index>(top)) {
      return make_error(ErrorKind::invalid_input, "{}: index.json is not an image index", m_name);
    }
    OCNE_TRY_ASSIGN(auto chosen, choose_tag(std::get<Index>(top)));
    // Follow indexes (at most two levels) down to the platform manifest.
    for (int depth = 0; depth < 3; ++depth) {
      OCNE_TRY_ASSIGN(const auto body, small_blob(chosen));
      OCNE_TRY_ASSIGN(auto parsed, parse_manifest(body, chosen.media_type, m_name));
      if (auto* index = std::get_if<Index>(&parsed)) {
        OCNE_TRY_ASSIGN(chosen, select_platform(*index, arch, m_name));
        continue;
      }
      const auto& manifest = std::get<Manifest>(parsed);
      // The entry's platform and the config's must both be the one asked for.
      OCNE_TRY_ASSIGN(const auto config_body, small_blob(manifest.config));
      OCNE_TRY_ASSIGN(const auto config, config_platform(config_body, m_name));
      ResolvedImage out;
      OCNE_TRY_ASSIGN(out.platform, check_platform(chosen.platform, config, arch, m_name));
      out.manifest_digest = chosen.digest;
      out.layers = manifest.layers;
      return out;
    }
    return make_error(ErrorKind::invalid_input, "{}: indexes nested too deeply", m_name);
  }

  Status
  read_layer(const Descriptor& layer,
             ProgressSink& progress,
             const std::function<Status(ByteSource&)>& consume) override
  {
    ProgressTask task(progress, fmt::format("Reading {} layer {}", m_name, layer.digest.brief()), layer.size);
    const auto status = m_storage->read_file(blob_path(layer.digest), [&](ByteSource& raw) -> Status {
      HashingSource hashed(raw, [&](std::uint64_t n) { task.set_done(n); });
      OCNE_TRY(consume(hashed));
      OCNE_TRY(hashed.drain());
      const auto got = hashed.finish();
      if (got != layer.digest || hashed.count() != layer.size) {
        return make_error(ErrorKind::invalid_input,
                          "{}: layer {} is corrupt: its content has digest {} and {} bytes, the manifest says {} and "
                          "{} bytes",
                          m_name,
                          layer.digest.brief(),
                          got.brief(),
                          hashed.count(),
                          layer.digest.brief(),
                          layer.size);
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
  Result<Descriptor>
  choose_tag(const Index& index)
  {
    std::vector<std::string> tags;
    for (const auto& d : index.manifests) {
      if (const auto it = d.annotations.find(std::string(k_ref_name)); it != d.annotations.end()) {
        tags.push_back(it->second);
        if (!m_tag.empty() && it->second == m_tag) {
          return d;
        }
      }
    }
    const auto tag_list = tags.empty() ? std::string("none") : str::join(tags, ", ");
    if (!m_tag.empty()) {
      return make_error(
        ErrorKind::not_found, "{}: no image is tagged {} (tags: {})", m_name, str::quote(m_tag), tag_list);
    }
    if (index.manifests.size() == 1) {
      return index.manifests.front();
    }
    return make_error(ErrorKind::invalid_input,
                      "{} holds {} images: name one with a tag, as oci:DIR:TAG (tags: {})",
                      m_name,
                      index.manifests.size(),
                      tag_list);
  }

  Result<std::string>
  small_blob(const Descriptor& d)
  {
    OCNE_TRY_ASSIGN(auto body, m_storage->read_small(blob_path(d.digest)).map_error([&](const Error&) {
      return Error(ErrorKind::invalid_input, fmt::format("{}: blob {} is missing", m_name, d.digest.brief()));
    }));
    if (sha256_of(body) != d.digest) {
      return make_error(
        ErrorKind::invalid_input, "{}: blob {} is corrupt (its digest does not match)", m_name, d.digest.brief());
    }
    return body;
  }

  std::unique_ptr<LayoutStorage> m_storage;
  std::string m_name;
  std::string m_tag;
};

std::string
display_name(std::string_view transport, const fs::Path& path, const std::string& tag)
{
  return fmt::format("{}:{}{}", transport, path.string(), tag.empty() ? "" : ":" + tag);
}

} // namespace

std::unique_ptr<ImageSource>
make_oci_layout_source(std::unique_ptr<LayoutStorage> storage, std::string name, std::string tag)
{
  return std::make_unique<OciLayoutSource>(std::move(storage), std::move(name), std::move(tag));
}

Result<std::unique_ptr<ImageSource>>
oci_layout_source(const fs::Path& dir, std::string tag)
{
  auto name = display_name("oci", dir, tag);
  return make_oci_layout_source(dir_storage(dir), std::move(name), std::move(tag));
}

Result<std::unique_ptr<ImageSource>>
oci_archive_source(const fs::Path& file, std::string tag)
{
  OCNE_TRY_ASSIGN(auto storage, tar_storage(file));
  auto name = display_name("oci-archive", file, tag);
  return make_oci_layout_source(std::move(storage), std::move(name), std::move(tag));
}

} // namespace ocne::image
