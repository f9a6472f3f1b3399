#include "pkg/image/oci_metadata.hpp"

#include "pkg/image/byte_source.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <nlohmann/json.hpp>

#include <memory>

namespace ocne::image {

namespace {

using nlohmann::json;

// The version of OCI's image capability format the metadata follows.
constexpr std::string_view k_caps_format_version = "34dd2cea-aff2-4f45-b8f6-1cb5290bfab2";

struct WriterDeleter
{
  void
  operator()(archive* a) const
  {
    archive_write_free(a);
  }
};

struct EntryDeleter
{
  void
  operator()(archive_entry* e) const
  {
    archive_entry_free(e);
  }
};

} // namespace

std::vector<std::string>
oci_shapes(Arch arch, bool pca)
{
  if (arch == Arch::arm64) {
    return {"VM.Standard.A1.Flex", "VM.Standard.A2.Flex", "BM.Standard.A1.160", "a1-2c.160.1024"};
  }
  if (pca) {
    return {"VM.PCAStandard.E5.Flex"};
  }
  return {"VM.Standard.E3.Flex",  "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard.E6.Flex",
          "VM.Standard3.Flex",    "VM.Optimized3.Flex",  "VM.Standard.B1.1",    "VM.Standard.B1.2",
          "VM.Standard.B1.4",     "VM.Standard.B1.8",    "VM.Standard.B1.16",   "VM.Standard2.1",
          "VM.Standard2.2",       "VM.Standard2.4",      "VM.Standard2.8",      "VM.Standard2.16",
          "VM.Standard2.24",      "VM.DenseIO2.8",       "VM.DenseIO2.16",      "VM.DenseIO2.24",
          "VM.DenseIO.E4.Flex",   "VM.DenseIO.E5.Flex",  "VM.GPU2.1",           "VM.GPU3.1",
          "VM.GPU3.2",            "VM.GPU3.4",           "VM.GPU.A10.1",        "VM.GPU.A10.2",
          "BM.Standard2.52",      "BM.Standard3.64",     "BM.Standard.E3.128",  "BM.Standard.E4.128",
          "BM.Standard.E5.192",   "BM.DenseIO2.52",      "BM.DenseIO.E4.128",   "BM.Optimized3.36"};
}

std::string
oci_image_metadata(Arch arch, bool pca)
{
  const json capabilities = {
    {"Compute.LaunchMode",
     {{"descriptorType", "enumstring"}, {"values", {"PARAVIRTUALIZED"}}, {"defaultValue", "PARAVIRTUALIZED"}}},
    {"Compute.Firmware", {{"descriptorType", "enumstring"}, {"values", {"UEFI_64"}}, {"defaultValue", "UEFI_64"}}},
  };
  json launch = pca ? json{{"firmware", "UEFI_64"},
                           {"networkType", "PARAVIRTUALIZED"},
                           {"bootVolumeType", "PARAVIRTUALIZED"},
                           {"remoteDataVolumeType", "PARAVIRTUALIZED"},
                           {"localDataVolumeType", "PARAVIRTUALIZED"},
                           {"launchOptionsSource", "CUSTOM"},
                           {"pvAttachmentVersion", 1}}
                    : json{{"firmware", "UEFI_64"},
                           {"networkType", "VFIO"},
                           {"bootVolumeType", "ISCSI"},
                           {"remoteDataVolumeType", "PARAVIRTUALIZED"},
                           {"localDataVolumeType", "VFIO"},
                           {"launchOptionsSource", "NATIVE"},
                           {"pvAttachmentVersion", 1}};
  json shapes = json::array();
  for (const auto& s : oci_shapes(arch, pca)) {
    shapes.push_back({{"internalShapeName", s}});
  }
  json j = {{"version", 2},
            {"externalLaunchOptions", launch},
            {"imageCapabilityData", capabilities.dump()},
            {"operatingSystem", "Oracle Linux"},
            {"operatingSystemVersion", "8"},
            {"additionalMetadata", {{"shapeCompatibilities", shapes}}}};
  if (!pca) {
    j["imageCapsFormatVersion"] = k_caps_format_version;
  }
  return j.dump(2) + "\n";
}

Status
write_oci_export(const fs::Path& qcow2, const std::string& metadata, const fs::Path& out, ProgressSink& progress)
{
  OCNE_TRY_ASSIGN(auto source, FileSource::open(qcow2));
  OCNE_TRY_ASSIGN(auto file, fs::AtomicFile::create(out, fs::k_public));
  ProgressTask task(progress, fmt::format("Packing {}", out.filename().string()), source.size());
  std::unique_ptr<archive, WriterDeleter> a(archive_write_new());
  const auto fail = [&](std::string_view doing) {
    const char* e = archive_error_string(a.get());
    return make_error(ErrorKind::io, "{}: {}: {}", out.string(), doing, e != nullptr ? e : "libarchive error");
  };
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_gzip(a.get());
  if (archive_write_open_fd(a.get(), file.fd()) != ARCHIVE_OK) {
    return fail("opening");
  }
  const auto header = [&](const char* name, std::uint64_t size) -> Status {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name);
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return fail(fmt::format("adding {}", name));
    }
    return {};
  };
  OCNE_TRY(header("output.QCOW2", source.size()));
  std::uint64_t done = 0;
  while (true) {
    OCNE_TRY_ASSIGN(const auto chunk, source.next());
    if (chunk.empty()) {
      break;
    }
    if (archive_write_data(a.get(), chunk.data(), chunk.size()) != static_cast<la_ssize_t>(chunk.size())) {
      return fail("writing output.QCOW2");
    }
    done += chunk.size();
    task.set_done(done);
  }
  OCNE_TRY(header("image_metadata.json", metadata.size()));
  if (archive_write_data(a.get(), metadata.data(), metadata.size()) != static_cast<la_ssize_t>(metadata.size())) {
    return fail("writing image_metadata.json");
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return fail("finishing");
  }
  OCNE_TRY(file.commit());
  task.succeed();
  return {};
}

} // namespace ocne::image
