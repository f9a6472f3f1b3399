#include "pkg/core/log.hpp"
#include "pkg/image/image_source.hpp"
#include "pkg/image/platform_check.hpp"

namespace ocne::image {

namespace {

class RegistrySource final : public ImageSource
{
public:
  RegistrySource(Reference ref, const SourceOptions& options)
    : m_ref(std::move(ref)),
      m_client(m_ref, options.registry),
      m_store(options.blob_dir),
      m_keep_blobs(options.keep_blobs)
  {
  }

  std::string
  name() const override
  {
    return m_ref.str();
  }

  std::string
  tag() const override
  {
    return m_ref.tag;
  }

  bool
  remote() const override
  {
    return true;
  }

  Result<ResolvedImage>
  resolve(Arch arch) override
  {
    const auto what = m_ref.str();
    OCNE_TRY_ASSIGN(auto top, m_client.manifest(m_ref.manifest_ref()));
    OCNE_TRY_ASSIGN(auto parsed, parse_manifest(top.body, top.media_type, what));
    ResolvedImage out;
    std::optional<Platform> entry;
    if (const auto* index = std::get_if<Index>(&parsed)) {
      OCNE_TRY_ASSIGN(const auto chosen, select_platform(*index, arch, what));
      OCNE_TRY_ASSIGN(top, m_client.manifest(chosen.digest.str()));
      OCNE_TRY_ASSIGN(parsed, parse_manifest(top.body, top.media_type, what));
      if (!std::holds_alternative<Manifest>(parsed)) {
        return make_error(
          ErrorKind::invalid_input, "{}: the index entry for {} is not an image manifest", what, to_string(arch));
      }
      entry = chosen.platform;
    }
    // The config says which platform the image is for, whether it came
    // through an index entry (which must agree) or alone.
    const auto& manifest = std::get<Manifest>(parsed);
    OCNE_TRY_ASSIGN(const auto config, read_config(manifest, what));
    OCNE_TRY_ASSIGN(out.platform, check_platform(entry, config, arch, what));
    out.manifest_digest = top.digest;
    out.layers = manifest.layers;
    return out;
  }

  Status
  read_layer(const Descriptor& layer,
             ProgressSink& progress,
             const std::function<Status(ByteSource&)>& consume) override
  {
    std::string path;
    {
      ProgressTask task(progress, fmt::format("Pulling {} layer {}", m_ref.str(), layer.digest.brief()), layer.size);
      auto fetched = m_client.fetch_blob(layer, m_store, &task);
      if (!fetched) {
        task.fail(fetched.error().message());
        return tl::unexpected(fetched.error());
      }
      task.succeed();
      path = fetched->string();
    }
    OCNE_TRY_ASSIGN(auto file, FileSource::open(path));
    auto status = consume(file);
    // The extracted disk is what the cache keeps. An interrupted extraction
    // keeps the (complete, verified) blob so the next run needs no download.
    const bool keep = m_keep_blobs || (!status && status.error().kind() == ErrorKind::cancelled);
    if (!keep) {
      if (auto removed = m_store.remove(layer.digest); !removed) {
        log::warn("{}", removed.error().message());
      }
    }
    return status;
  }

private:
  Result<Platform>
  read_config(const Manifest& manifest, const std::string& what)
  {
    OCNE_TRY_ASSIGN(const auto config_path, m_client.fetch_blob(manifest.config, m_store));
    auto config = fs::read_file(config_path, 16ULL << 20);
    if (!m_keep_blobs) {
      (void)m_store.remove(manifest.config.digest);
    }
    OCNE_TRY(config);
    return config_platform(*config, what);
  }

  Reference m_ref;
  RegistryClient m_client;
  BlobStore m_store;
  bool m_keep_blobs;
};

} // namespace

std::unique_ptr<ImageSource>
registry_source(Reference ref, const SourceOptions& options)
{
  return std::make_unique<RegistrySource>(std::move(ref), options);
}

} // namespace ocne::image
