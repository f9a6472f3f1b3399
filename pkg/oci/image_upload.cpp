#include "pkg/oci/image_upload.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oci/identity.hpp"
#include "pkg/oci/image_file.hpp"
#include "pkg/oci/object_storage.hpp"

#include <random>

namespace ocne::oci {

namespace {

std::string
retry_token()
{
  std::random_device rd;
  return fmt::format("ocne-{:016x}{:016x}", (std::uint64_t{ rd() } << 32) | rd(), (std::uint64_t{ rd() } << 32) | rd());
}

Status
validate(const ImageUploadOptions& o)
{
  if (o.architecture != "amd64" && o.architecture != "arm64") {
    return make_error(
      ErrorKind::invalid_input, "architecture {} is not supported: use amd64 or arm64", str::quote(o.architecture));
  }
  if (str::trim(o.kubernetes_version).empty()) {
    return make_error(ErrorKind::invalid_input, "no Kubernetes version given for the image");
  }
  if (str::trim(o.image_name).empty()) {
    return make_error(ErrorKind::invalid_input, "no image name given");
  }
  OCNE_TRY(validate_bucket_name(o.bucket));
  return {};
}

} // namespace

Result<ImageUploadResult>
upload_image(const Client& client, const ImageUploadOptions& o, ProgressSink& progress)
{
  // Everything that can be checked locally is checked before any request.
  OCNE_TRY(validate(o));
  OCNE_TRY_ASSIGN(const auto file_info, inspect_image_file(o.file));

  ImageUploadResult result;
  OCNE_TRY_ASSIGN(result.compartment_id, resolve_compartment(client, o.tenancy_id, o.compartment));

  const Compute compute(client);
  const auto tags = std::map<std::string, std::string>{ { k_tag_kubernetes, o.kubernetes_version },
                                                        { k_tag_architecture, o.architecture } };
  OCNE_TRY_ASSIGN(const auto existing,
                  compute.find_image(result.compartment_id, o.image_name, o.kubernetes_version, o.architecture));
  if (existing) {
    auto ready = existing->lifecycle_state == "AVAILABLE" ? Result<Image>(*existing)
                                                          : compute.wait_image_available(existing->id, o.wait);
    if (ready) {
      log::info("Image {} ({} {} {}) already exists; reusing it",
                ready->id,
                o.image_name,
                o.kubernetes_version,
                o.architecture);
      OCNE_TRY(compute.ensure_image_details(result.compartment_id, ready->id, o.architecture));
      result.image_id = ready->id;
      result.image_reused = true;
      return result;
    }
    if (ready.error().kind() == ErrorKind::cancelled) {
      return make_error(ready.error());
    }
    log::warn("{}; importing the image again", ready.error().message());
  }

  // The file to upload: the input, or an export built from it.
  std::string upload_path = o.file;
  auto format = file_info.format;
  std::filesystem::path export_path;
  if (o.build_export && format == ImageFileFormat::qcow2) {
    const auto dir = o.state_dir.empty() ? std::filesystem::temp_directory_path() : o.state_dir / "tmp";
    OCNE_TRY(fs::ensure_dir(dir, fs::k_private_dir));
    export_path = dir / (std::filesystem::path(o.file).filename().string() + ".export.oci");
    OCNE_TRY(write_oci_export(o.file, image_metadata_json({ o.architecture, false }), export_path, progress));
    upload_path = export_path.string();
    format = ImageFileFormat::oci_export;
  }

  const ObjectStorage storage(client);
  OCNE_TRY_ASSIGN(result.namespace_name, storage.get_namespace());
  if (o.create_bucket) {
    OCNE_TRY_ASSIGN(result.bucket_created,
                    storage.ensure_bucket(result.namespace_name, result.compartment_id, o.bucket));
    if (result.bucket_created) {
      log::info("Created bucket {}", o.bucket);
    }
  } else {
    OCNE_TRY_ASSIGN(const bool exists, storage.bucket_exists(result.namespace_name, o.bucket));
    if (!exists) {
      return make_error(ErrorKind::not_found, "bucket {} does not exist", str::quote(o.bucket));
    }
  }

  UploadOptions up;
  up.namespace_name = result.namespace_name;
  up.bucket = o.bucket;
  up.object_name = o.object_name.empty() ? "ocne_" + std::filesystem::path(o.file).filename().string() : o.object_name;
  up.file = upload_path;
  up.part_size = o.part_size;
  up.parallelism = o.parallelism;
  up.state_dir = o.state_dir;
  up.metadata = { { "opc-meta-ocne-kubernetes", o.kubernetes_version },
                  { "opc-meta-ocne-architecture", o.architecture } };
  result.object_name = up.object_name;
  OCNE_TRY_ASSIGN(result.upload, upload_file(storage, up, progress));
  if (!export_path.empty()) {
    (void)fs::remove_file(export_path);
  }

  CreateImageRequest create;
  create.compartment_id = result.compartment_id;
  create.display_name = o.image_name;
  create.freeform_tags = tags;
  create.namespace_name = result.namespace_name;
  create.bucket = o.bucket;
  create.object = up.object_name;
  if (format == ImageFileFormat::oci_export) {
    create.source_image_type.clear();
    create.launch_mode.clear();
  }
  create.retry_token = retry_token();
  OCNE_TRY_ASSIGN(const auto created, compute.create_image(create));
  log::info(
    "Importing image {} from object {} (work request {})", created.image.id, up.object_name, created.work_request_id);
  {
    ProgressTask task(progress, "Importing compute image", 100);
    auto waited = compute.wait_work_request(created.work_request_id, o.wait, &task);
    if (!waited) {
      task.fail(waited.error().message());
      if (waited.error().kind() != ErrorKind::cancelled) {
        // A failed import leaves nothing behind.
        if (auto deleted = compute.delete_image(created.image.id); !deleted) {
          log::warn("{}", deleted.error().message());
        }
      }
      return make_error(waited.error().with_context(fmt::format("import of image {}", o.image_name)));
    }
    task.succeed();
  }
  OCNE_TRY(compute.ensure_image_details(result.compartment_id, created.image.id, o.architecture));
  result.image_id = created.image.id;
  return result;
}

} // namespace ocne::oci
