// `ocne image upload`: flags as in Oracle's ocne; the cloud named by --type
// does the upload (providers/<cloud>/image_upload.cpp).

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

struct ImageUploadOptions
{
  std::string config_file;
  std::string type; // the first cloud that takes uploads (help order)
  std::string destination;
  providers::UploadRequest request;
};

// The clouds that take uploads, in help order, then what Oracle's ocne
// also accepts and this build does not do.
std::vector<std::string>
upload_types()
{
  std::vector<std::string> types;
  for (const auto& name : providers::names_by_help_rank()) {
    if (providers::find(name)->takes_uploads()) {
      types.push_back(name);
    }
  }
  types.insert(types.end(), { "ostree", "olvm" });
  return types;
}

void
run_upload(const ImageUploadOptions& o, Context& ctx)
{
  const auto* cloud = providers::find(o.type);
  if (cloud == nullptr || !cloud->takes_uploads()) {
    not_available(fmt::format("image upload --type {}", o.type), "only oci and oxide uploads are supported");
  }
  providers::UploadContext context{
    ctx.env,
    ctx.state,
    ctx.progress_sink(),
    [&](config::Layer flags, std::string_view default_provider) -> Result<config::LoadedConfig> {
      try {
        return load_config(ctx, o.config_file, std::move(flags), std::string(default_provider));
      } catch (const Fatal& e) {
        return tl::unexpected(e.error());
      }
    }
  };
  println(value_or_throw(cloud->upload_image(o.request, context)).id);
}

} // namespace

void
add_image_upload(CLI::App& image, Context& ctx)
{
  auto* cmd = image.add_subcommand("upload", "Upload a boot image to OCI (Object Storage + custom image) or Oxide");
  auto o = std::make_shared<ImageUploadOptions>();
  const auto types = upload_types();
  o->type = types.front();
  auto& r = o->request;
  r.version = "1.33";
  std::vector<CLI::Option*> options;
  options.push_back(cmd->add_option("--config", o->config_file, "Cluster configuration file" + default_note("")));
  options.push_back(
    cmd->add_option("-t,--type", o->type, "Target: oci or oxide" + default_note("oci"))->check(CLI::IsMember(types)));
  options.push_back(cmd->add_option("-b,--bucket",
                                    r.bucket,
                                    "OCI Object Storage bucket; created when missing" +
                                      default_note("providers.oci.imageBucket, ocne-images")));
  options.push_back(cmd->add_option(
    "-c,--compartment", r.compartment, "OCI compartment OCID or path" + default_note("providers.oci.compartment")));
  options.push_back(cmd->add_option("-f,--file", r.file, "Image file (qcow2, raw, or an OCI .oci export)")->required());
  options.push_back(
    cmd->add_option("-i,--image-name",
                    r.image_name,
                    "Name of the image" + default_note("ock for oci, providers.oxide.imageName for oxide")));
  options.push_back(cmd
                      ->add_option("-a,--arch",
                                   r.arch,
                                   "Architecture of the image: amd64 or arm64" + default_note("none; required for oci"))
                      ->check(CLI::IsMember({ "amd64", "arm64" })));
  options.push_back(
    cmd->add_option("-v,--version", r.version, "Kubernetes version the image carries" + default_note("1.33")));
  options.push_back(cmd->add_option(
    "-d,--destination", o->destination, "ostree destination (ostree type only; not supported)" + default_note("")));
  options.push_back(cmd->add_option(
    "-p,--profile", r.profile, "OCI or Oxide credentials profile" + default_note("providers.oci.profile, DEFAULT")));
  options.push_back(cmd->add_option("--project", r.project, "Oxide project" + default_note("providers.oxide.project")));
  cmd->callback([o, options, &ctx] {
    for (const auto* opt : options) {
      if (opt->count() > 0) {
        o->request.given.insert(opt->get_name());
      }
    }
    run_upload(*o, ctx);
  });
}

} // namespace ocne::cli
