#pragma once

// `ocne image upload --type oci` as a library call: find a matching image and
// reuse it, or upload the file (multipart, resumable) and import it as a
// custom image, then give it the UEFI capability schema and, for arm64, the
// Arm shapes.
//
// By default a QCOW2 file is uploaded as it is and imported with
// sourceImageType QCOW2; the firmware and shapes are then set through the
// API. That avoids a gzip pass over multi-GiB files (slow, single-threaded,
// and a temporary copy), keeps the object byte-identical to the local file so
// uploads can resume and objects be reused, and ends with the same image as
// the export form. A file that already is an OCI export is imported as one;
// build_export turns a QCOW2 into one first.

#include "pkg/core/progress.hpp"
#include "pkg/oci/client.hpp"
#include "pkg/oci/compute.hpp"
#include "pkg/oci/upload.hpp"

#include <filesystem>
#include <string>

namespace ocne::oci {

struct ImageUploadOptions
{
  std::string file;
  std::string tenancy_id;
  std::string compartment; // "parent/child" or an OCID
  std::string bucket = "ocne-images";
  std::string image_name = "ock";
  std::string architecture;       // amd64 or arm64
  std::string kubernetes_version; // e.g. "1.33"
  // Default: "ocne_" + the file's base name (as ocne names it).
  std::string object_name;
  bool create_bucket = true;
  bool build_export = false;
  // Part size, parallelism, state dir (OCNE_HOME) for resume notes and locks.
  std::uint64_t part_size = 128 * k_mib;
  int parallelism = 10;
  std::filesystem::path state_dir;
  WaitOptions wait;
};

struct ImageUploadResult
{
  std::string image_id;
  std::string compartment_id;
  std::string namespace_name;
  std::string object_name;
  bool image_reused = false; // an existing image matched; nothing uploaded
  bool bucket_created = false;
  UploadResult upload;
};

Result<ImageUploadResult> upload_image(const Client& client, const ImageUploadOptions& options, ProgressSink& progress);

} // namespace ocne::oci
