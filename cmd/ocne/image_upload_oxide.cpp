// `ocne image upload --type oxide`: a raw or qcow2 boot image into an Oxide
// project as an image (pkg/oxide/image_import.hpp has the flow).

#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/image_upload.hpp"
#include "cmd/ocne/output.hpp"
#include "pkg/config/oxide_credentials.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oxide/image_import.hpp"
#include "pkg/qcow2/disk_image.hpp"

#include <charconv>

namespace ocne::cli {

namespace {

// The flags of `image upload` that name configuration keys.
config::Layer
flag_layer(const ImageUploadOptions& o)
{
  config::Layer layer;
  std::vector<std::string> errors;
  auto set = [&](const char* flag, std::string_view key, const std::string& value) {
    if (!o.was_given(flag)) {
      return;
    }
    if (auto st = config::set_from_text(layer, key, value, config::flag_origin(flag)); !st) {
      errors.push_back(st.error().message());
    }
  };
  set("--project", "providers.oxide.project", o.project);
  set("--profile", "providers.oxide.profile", o.profile);
  set("--image-name", "providers.oxide.imageName", o.image_name);
  // The image name's default (ocne-<version>) follows --version.
  set("--version", "kubernetesVersion", o.version);
  if (!errors.empty()) {
    throw Fatal(Error(ErrorKind::invalid_input, str::join(errors, "\n")));
  }
  return layer;
}

int
upload_workers(const Environment& env)
{
  const auto text = env.get_nonempty("OCNE_OXIDE_UPLOAD_WORKERS");
  if (!text) {
    return 8;
  }
  int n = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < 1 || n > 64) {
    throw Fatal("OCNE_OXIDE_UPLOAD_WORKERS={}: give a number from 1 to 64", *text);
  }
  return n;
}

} // namespace

void
upload_oxide(const ImageUploadOptions& given, Context& ctx)
{
  // An image ocne built says which Kubernetes version it holds: that
  // version names and describes the Oxide image unless --version says
  // otherwise (which upload_claims refuses when it contradicts the record).
  const auto file = fs::resolve_path(given.file, ctx.env.cwd(), ctx.env.home());
  auto o = given;
  if (const auto claims = upload_claims(given, file); !claims.version.empty() && !given.was_given("--version")) {
    o.version = claims.version;
    o.given.insert("--version");
  }
  const auto loaded = load_config(ctx, o.config_file, flag_layer(o), "oxide");
  const auto& ox = loaded.config.providers.oxide;
  const std::string project = ox.project.get();
  if (project.empty()) {
    throw Fatal("no Oxide project to upload to: give --project or set providers.oxide.project");
  }

  // Check the file before anything else: a corrupt qcow2 fails here.
  auto image = value_or_throw(qcow2::open_image(file));

  auto creds = value_or_throw(config::resolve_oxide_credentials(
    ctx.env,
    config::OxideCredentialRequest{ .host = ox.host.get(),
                                    .profile = ox.profile.get(),
                                    .host_subject = loaded.subject("providers.oxide.host"),
                                    .profile_subject = o.was_given("--profile")
                                                         ? std::string("--profile")
                                                         : loaded.subject("providers.oxide.profile") }));
  for (const auto& w : creds.warnings) {
    log::warn("{}", w);
  }
  log::debug("oxide: credentials for {} from {}", creds.host, creds.source);

  oxide::Client client(oxide::ClientOptions{ .host = creds.host, .token = std::move(creds.token) });
  oxide::ImportOptions options;
  options.project = project;
  options.image_name = ox.image_name.get();
  options.description = fmt::format(
    "OCNE boot image for Kubernetes {} ({})", loaded.config.kubernetes_version.get(), file.filename().string());
  options.os = "Oracle Linux";
  options.version = loaded.config.kubernetes_version.get();
  options.workers = upload_workers(ctx.env);
  options.journal_dir = ctx.state.root() / "oxide" / "imports";

  log::info("Uploading {} ({} {}, {} virtual) to image {} in Oxide project {} at {}",
            file.string(),
            qcow2::to_string(image->format()),
            human_bytes(std::filesystem::file_size(file)),
            human_bytes(image->virtual_size()),
            options.image_name,
            project,
            creds.host);
  auto result = oxide::import_image(client, *image, options, ctx.progress_sink());
  if (!result) {
    auto error = std::move(result).error();
    if (error.kind() == ErrorKind::auth) {
      // Say which token was refused: where it came from.
      error = Error(error.kind(), fmt::format("{} (the token came from {})", error.message(), creds.source));
    }
    throw Fatal(std::move(error));
  }
  if (result->reused) {
    log::info("Image {} already holds this content ({}); nothing uploaded", options.image_name, result->digest);
  } else {
    log::info("Image {} is ready: {} chunks uploaded ({}), {} zero chunks skipped{}",
              options.image_name,
              result->chunks_uploaded,
              human_bytes(result->bytes_uploaded),
              result->chunks_zero,
              result->resumed
                ? fmt::format(", {} written by the interrupted earlier run", result->chunks_already_written)
                : std::string());
  }
  // The image id is what providers.oxide.images.amd64 (and CAPOx) take.
  println(result->image.id);
}

} // namespace ocne::cli
