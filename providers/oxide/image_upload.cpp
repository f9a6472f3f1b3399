#include "providers/oxide/image_upload.hpp"

#include "pkg/config/oxide_credentials.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/human_bytes.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/image_claims.hpp"
#include "pkg/oxide/image_import.hpp"
#include "pkg/qcow2/disk_image.hpp"

#include <charconv>

namespace ocne::providers::oxide {

namespace {

// The flags of `image upload` that name configuration keys.
Result<config::Layer>
flag_layer(const UploadRequest& r)
{
  config::Layer layer;
  std::vector<std::string> errors;
  auto set = [&](const char* flag, std::string_view key, const std::string& value) {
    if (!r.was_given(flag)) {
      return;
    }
    if (auto st = config::set_from_text(layer, key, value, config::flag_origin(flag)); !st) {
      errors.push_back(st.error().message());
    }
  };
  set("--project", "providers.oxide.project", r.project);
  set("--profile", "providers.oxide.profile", r.profile);
  set("--image-name", "providers.oxide.imageName", r.image_name);
  // The image name's default (ocne-<version>) follows --version.
  set("--version", "kubernetesVersion", r.version);
  if (!errors.empty()) {
    return tl::unexpected(Error(ErrorKind::invalid_input, str::join(errors, "\n")));
  }
  return layer;
}

Result<int>
upload_workers(const Environment& env)
{
  const auto text = env.get_nonempty("OCNE_OXIDE_UPLOAD_WORKERS");
  if (!text) {
    return 8;
  }
  int n = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < 1 || n > 64) {
    return make_error(ErrorKind::invalid_input, "OCNE_OXIDE_UPLOAD_WORKERS={}: give a number from 1 to 64", *text);
  }
  return n;
}

} // namespace

Result<UploadResult>
upload_image(const UploadRequest& given, UploadContext& context)
{
  const auto& env = context.env;
  // An image ocne built says which Kubernetes version it holds: that
  // version names and describes the Oxide image unless --version says
  // otherwise (which claims_for_upload refuses when it contradicts the
  // record).
  const auto file = fs::resolve_path(given.file, env.cwd(), env.home());
  auto r = given;
  OCNE_TRY_ASSIGN(
    const auto claims,
    image::claims_for_upload({ given.arch, given.was_given("--version") ? given.version : std::string() }, file));
  if (!claims.version.empty() && !given.was_given("--version")) {
    r.version = claims.version;
    r.given.insert("--version");
  }
  OCNE_TRY_ASSIGN(auto flags, flag_layer(r));
  OCNE_TRY_ASSIGN(const auto loaded, context.load(std::move(flags), "oxide"));
  const auto& ox = loaded.config.providers.oxide;
  const std::string project = ox.project.get();
  if (project.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "no Oxide project to upload to: give --project or set providers.oxide.project");
  }

  // Check the file before anything else: a corrupt qcow2 fails here.
  OCNE_TRY_ASSIGN(auto image, qcow2::open_image(file));

  OCNE_TRY_ASSIGN(auto creds,
                  config::resolve_oxide_credentials(
                    env,
                    config::OxideCredentialRequest{
                      .host = ox.host.get(),
                      .profile = ox.profile.get(),
                      .host_subject = loaded.subject("providers.oxide.host"),
                      .profile_subject = r.was_given("--profile") ? std::string("--profile")
                                                                  : loaded.subject("providers.oxide.profile") }));
  for (const auto& w : creds.warnings) {
    log::warn("{}", w);
  }
  log::debug("oxide: credentials for {} from {}", creds.host, creds.source);

  ocne::oxide::Client client(ocne::oxide::ClientOptions{ .host = creds.host, .token = std::move(creds.token) });
  ocne::oxide::ImportOptions options;
  options.project = project;
  options.image_name = ox.image_name.get();
  options.description = fmt::format(
    "OCNE boot image for Kubernetes {} ({})", loaded.config.kubernetes_version.get(), file.filename().string());
  options.os = "Oracle Linux";
  options.version = loaded.config.kubernetes_version.get();
  OCNE_TRY_ASSIGN(options.workers, upload_workers(env));
  options.journal_dir = context.state.root() / "oxide" / "imports";

  log::info("Uploading {} ({} {}, {} virtual) to image {} in Oxide project {} at {}",
            file.string(),
            qcow2::to_string(image->format()),
            str::human_bytes(std::filesystem::file_size(file)),
            str::human_bytes(image->virtual_size()),
            options.image_name,
            project,
            creds.host);
  auto result = ocne::oxide::import_image(client, *image, options, context.progress);
  if (!result) {
    auto error = std::move(result).error();
    if (error.kind() == ErrorKind::auth) {
      // Say which token was refused: where it came from.
      error = Error(error.kind(), fmt::format("{} (the token came from {})", error.message(), creds.source));
    }
    return tl::unexpected(std::move(error));
  }
  if (result->reused) {
    log::info("Image {} already holds this content ({}); nothing uploaded", options.image_name, result->digest);
  } else {
    log::info("Image {} is ready: {} chunks uploaded ({}), {} zero chunks skipped{}",
              options.image_name,
              result->chunks_uploaded,
              str::human_bytes(result->bytes_uploaded),
              result->chunks_zero,
              result->resumed
                ? fmt::format(", {} written by the interrupted earlier run", result->chunks_already_written)
                : std::string());
  }
  // The image id is what providers.oxide.images.amd64 (and CAPOx) take.
  return UploadResult{ result->image.id };
}

} // namespace ocne::providers::oxide
