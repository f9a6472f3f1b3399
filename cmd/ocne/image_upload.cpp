#include "cmd/ocne/image_upload.hpp"

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "pkg/core/log.hpp"
#include "pkg/image/cache_stamp.hpp"

namespace ocne::cli {

namespace {

void
run_upload(const ImageUploadOptions& o, Context& ctx)
{
  if (o.type == "oci") {
    upload_oci(o, ctx);
  } else if (o.type == "oxide") {
    upload_oxide(o, ctx);
  } else {
    not_available(fmt::format("image upload --type {}", o.type), "only oci and oxide uploads are supported");
  }
}

} // namespace

image::ImageClaims
upload_claims(const ImageUploadOptions& o, const fs::Path& file)
{
  const image::ImageClaims given{ o.arch, o.was_given("--version") ? o.version : std::string() };
  const auto stamp = image::read_stamp(file);
  if (!stamp) {
    return given;
  }
  const auto claims = value_or_throw(image::reconcile_claims(given, stamp->platform, stamp->version, file.string()));
  if (given.arch.empty() && !claims.arch.empty()) {
    log::info("{} is an image for {} (from {})", file.string(), claims.arch, image::stamp_path(file).string());
  }
  if (given.version.empty() && !claims.version.empty()) {
    log::info("{} holds Kubernetes {} (from {})", file.string(), claims.version, image::stamp_path(file).string());
  }
  return claims;
}

void
add_image_upload(CLI::App& image, Context& ctx)
{
  auto* cmd = image.add_subcommand("upload", "Upload a boot image to OCI (Object Storage + custom image) or Oxide");
  auto o = std::make_shared<ImageUploadOptions>();
  std::vector<CLI::Option*> options;
  options.push_back(cmd->add_option("--config", o->config_file, "Cluster configuration file" + default_note("")));
  options.push_back(cmd->add_option("-t,--type", o->type, "Target: oci or oxide" + default_note("oci"))
                      ->check(CLI::IsMember({ "oci", "oxide", "ostree", "olvm" })));
  options.push_back(cmd->add_option("-b,--bucket",
                                    o->bucket,
                                    "OCI Object Storage bucket; created when missing" +
                                      default_note("providers.oci.imageBucket, ocne-images")));
  options.push_back(cmd->add_option(
    "-c,--compartment", o->compartment, "OCI compartment OCID or path" + default_note("providers.oci.compartment")));
  options.push_back(
    cmd->add_option("-f,--file", o->file, "Image file (qcow2, raw, or an OCI .oci export)")->required());
  options.push_back(
    cmd->add_option("-i,--image-name",
                    o->image_name,
                    "Name of the image" + default_note("ock for oci, providers.oxide.imageName for oxide")));
  options.push_back(cmd
                      ->add_option("-a,--arch",
                                   o->arch,
                                   "Architecture of the image: amd64 or arm64" + default_note("none; required for oci"))
                      ->check(CLI::IsMember({ "amd64", "arm64" })));
  options.push_back(
    cmd->add_option("-v,--version", o->version, "Kubernetes version the image carries" + default_note("1.33")));
  options.push_back(cmd->add_option(
    "-d,--destination", o->destination, "ostree destination (ostree type only; not supported)" + default_note("")));
  options.push_back(cmd->add_option(
    "-p,--profile", o->profile, "OCI or Oxide credentials profile" + default_note("providers.oci.profile, DEFAULT")));
  options.push_back(
    cmd->add_option("--project", o->project, "Oxide project" + default_note("providers.oxide.project")));
  cmd->callback([o, options, &ctx] {
    for (const auto* opt : options) {
      if (opt->count() > 0) {
        o->given.insert(opt->get_name());
      }
    }
    run_upload(*o, ctx);
  });
}

} // namespace ocne::cli
