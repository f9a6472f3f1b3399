#include "providers/oci/image_upload.hpp"

#include "pkg/config/oci_config.hpp"
#include "pkg/core/env_number.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/image/image_claims.hpp"
#include "pkg/oci/image_upload.hpp"
#include "pkg/oci/profile.hpp"

namespace ocne::providers::oci {

namespace {

Status
set_flag(config::Layer& layer, const UploadRequest& r, const char* flag, std::string_view key, const std::string& value)
{
  if (!r.was_given(flag)) {
    return {};
  }
  return config::set_from_text(layer, key, value, config::flag_origin(flag));
}

} // namespace

Result<UploadResult>
upload_image(const UploadRequest& r, UploadContext& context)
{
  const auto& env = context.env;
  const auto file = fs::expand_user(r.file, env.home());
  OCNE_TRY_ASSIGN(const auto claims,
                  image::claims_for_upload({ r.arch, r.was_given("--version") ? r.version : std::string() }, file));
  if (claims.arch.empty()) {
    return make_error(ErrorKind::invalid_input, "--arch is required for --type oci: use amd64 or arm64");
  }
  config::Layer flags;
  OCNE_TRY(set_flag(flags, r, "--bucket", "providers.oci.imageBucket", r.bucket));
  OCNE_TRY(set_flag(flags, r, "--compartment", "providers.oci.compartment", r.compartment));
  OCNE_TRY(set_flag(flags, r, "--profile", "providers.oci.profile", r.profile));
  OCNE_TRY_ASSIGN(const auto loaded, context.load(std::move(flags), "oci"));
  const auto& oci = loaded.config.providers.oci;
  if (oci.compartment->empty()) {
    return make_error(ErrorKind::invalid_input,
                      "no compartment given: use --compartment or set providers.oci.compartment");
  }

  // The built-in "DEFAULT" profile leaves room for OCI_CLI_PROFILE.
  config::OciConfigRequest request;
  if (loaded.origin("providers.oci.profile").source != config::Origin::Source::builtin) {
    request.profile = *oci.profile;
  }
  OCNE_TRY_ASSIGN(const auto profile, config::load_oci_profile(env, request));
  OCNE_TRY_ASSIGN(const auto client, ocne::oci::client_from_profile(profile, env));

  ocne::oci::ImageUploadOptions up;
  up.file = file.string();
  up.tenancy_id = profile.tenancy;
  up.compartment = *oci.compartment;
  up.bucket = oci.image_bucket.value_or("ocne-images");
  up.image_name = r.image_name.empty() ? "ock" : r.image_name;
  up.architecture = claims.arch;
  up.kubernetes_version = claims.version.empty() ? r.version : claims.version;
  up.state_dir = context.state.root();
  OCNE_TRY_ASSIGN(const auto part_mib, number_from_env(env, "OCNE_OCI_PART_SIZE_MIB", 128, 10, 50 * 1024));
  up.part_size = static_cast<std::uint64_t>(part_mib) * ocne::oci::k_mib;
  OCNE_TRY_ASSIGN(const auto parallel, number_from_env(env, "OCNE_OCI_PARALLEL_UPLOADS", 10, 1, 128));
  up.parallelism = static_cast<int>(parallel);
  OCNE_TRY(context.state.ensure());

  OCNE_TRY_ASSIGN(const auto result, ocne::oci::upload_image(client, up, context.progress));
  log::info("Image OCID is {}", result.image_id);
  return UploadResult{ result.image_id };
}

} // namespace ocne::providers::oci
