#pragma once

// Image files ocne uploads: a QCOW2 disk (what `ocne image create` writes,
// whatever its name, e.g. boot.qcow2-1.33-amd64.oci), or an OCI export
// (".oci" proper: a gzipped tar holding output.QCOW2 and image_metadata.json).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"

#include <cstdint>
#include <string>

namespace ocne::oci {

enum class ImageFileFormat {
  qcow2,
  oci_export,
};

struct ImageFileInfo
{
  ImageFileFormat format = ImageFileFormat::qcow2;
  std::uint64_t size = 0;
};

// Looks at the content (not the name). Anything else is a one-line error.
Result<ImageFileInfo> inspect_image_file(const std::string& path);

struct ExportMetadataOptions
{
  std::string architecture = "amd64"; // amd64 or arm64
  bool private_cloud_appliance = false;
};

// image_metadata.json of the export form: UEFI_64 firmware, paravirtualized
// launch, Oracle Linux 8, and the shapes the image runs on.
std::string image_metadata_json(const ExportMetadataOptions& options);

// Writes an OCI export of a QCOW2 file to out_path (atomically), streaming:
// image_metadata.json first, then output.QCOW2. Entry names come from their
// role, never from the input's file name. The bytes depend only on the input
// (fixed times, no gzip timestamp), so a rerun produces the same file.
Status write_oci_export(const std::string& qcow2_path,
                        const std::string& metadata_json,
                        const fs::Path& out_path,
                        ProgressSink& progress);

} // namespace ocne::oci
