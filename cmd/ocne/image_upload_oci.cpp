// `ocne image upload --type oci`: upload a boot image to Object Storage
// (multipart, resumable) and import it as a custom image, or reuse the image
// that already carries the same name, Kubernetes version and architecture.

#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/env_number.hpp"
#include "cmd/ocne/image_upload.hpp"
#include "pkg/config/oci_config.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/oci/image_upload.hpp"
#include "pkg/oci/profile.hpp"

namespace ocne::cli {

namespace {

void
set_flag(config::Layer& layer,
         const ImageUploadOptions& o,
         const char* flag,
         std::string_view key,
         const std::string& value)
{
  if (!o.was_given(flag)) {
    return;
  }
  throw_on_error(config::set_from_text(layer, key, value, config::flag_origin(flag)));
}

} // namespace

void
upload_oci(const ImageUploadOptions& o, Context& ctx)
{
  const auto file = fs::expand_user(o.file, ctx.env.home());
  const auto claims = upload_claims(o, file);
  if (claims.arch.empty()) {
    throw Fatal("--arch is required for --type oci: use amd64 or arm64");
  }
  config::Layer flags;
  set_flag(flags, o, "--bucket", "providers.oci.imageBucket", o.bucket);
  set_flag(flags, o, "--compartment", "providers.oci.compartment", o.compartment);
  set_flag(flags, o, "--profile", "providers.oci.profile", o.profile);
  const auto loaded = load_config(ctx, o.config_file, std::move(flags), "oci");
  const auto& oci = loaded.config.providers.oci;
  if (oci.compartment->empty()) {
    throw Fatal("no compartment given: use --compartment or set providers.oci.compartment");
  }

  // The built-in "DEFAULT" profile leaves room for OCI_CLI_PROFILE.
  config::OciConfigRequest request;
  if (loaded.origin("providers.oci.profile").source != config::Origin::Source::builtin) {
    request.profile = *oci.profile;
  }
  const auto profile = value_or_throw(config::load_oci_profile(ctx.env, request));
  const auto client = value_or_throw(oci::client_from_profile(profile, ctx.env));

  oci::ImageUploadOptions up;
  up.file = file.string();
  up.tenancy_id = profile.tenancy;
  up.compartment = *oci.compartment;
  up.bucket = oci.image_bucket.value_or("ocne-images");
  up.image_name = o.image_name.empty() ? "ock" : o.image_name;
  up.architecture = claims.arch;
  up.kubernetes_version = claims.version.empty() ? o.version : claims.version;
  up.state_dir = ctx.state.root();
  up.part_size =
    static_cast<std::uint64_t>(env_number(ctx.env, "OCNE_OCI_PART_SIZE_MIB", 128, 10, 50 * 1024)) * oci::k_mib;
  up.parallelism = static_cast<int>(env_number(ctx.env, "OCNE_OCI_PARALLEL_UPLOADS", 10, 1, 128));
  throw_on_error(ctx.state.ensure());

  const auto result = oci::upload_image(client, up, ctx.progress_sink());
  if (!result) {
    throw Fatal(result.error());
  }
  log::info("Image OCID is {}", result->image_id);
  println(result->image_id);
}

} // namespace ocne::cli
