#include "pkg/oci/image_file.hpp"

#include "pkg/core/strings.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <memory>

namespace ocne::oci {

namespace {

using json = nlohmann::json;

struct ArchiveReadDeleter
{
  void
  operator()(archive* a) const
  {
    archive_read_free(a);
  }
};
struct ArchiveWriteDeleter
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

bool
qcow2_header(const unsigned char* p, std::size_t n)
{
  if (n < 8 || p[0] != 'Q' || p[1] != 'F' || p[2] != 'I' || p[3] != 0xfb) {
    return false;
  }
  const std::uint32_t version =
    (std::uint32_t{ p[4] } << 24) | (std::uint32_t{ p[5] } << 16) | (std::uint32_t{ p[6] } << 8) | p[7];
  return version == 2 || version == 3;
}

std::string
not_an_image(const std::string& path, std::string_view why)
{
  return fmt::format("{} is not a QCOW2 image or an OCI export (.oci: a gzipped tar of output.QCOW2 and "
                     "image_metadata.json): {}",
                     path,
                     why);
}

Status
check_export(const std::string& path)
{
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, archive_error_string(a.get())));
  }
  bool have_qcow2 = false;
  bool have_meta = false;
  archive_entry* e = nullptr;
  int r = ARCHIVE_OK;
  while (!(have_qcow2 && have_meta) && (r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(e);
    if (name == "output.QCOW2") {
      std::array<unsigned char, 8> head{};
      const auto n = archive_read_data(a.get(), head.data(), head.size());
      if (n < 8 || !qcow2_header(head.data(), static_cast<std::size_t>(n))) {
        return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, "its output.QCOW2 is not a QCOW2 image"));
      }
      have_qcow2 = true;
    } else if (name == "image_metadata.json") {
      const auto size = archive_entry_size(e);
      if (size <= 0 || size > (1 << 20)) {
        return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, "its image_metadata.json has a bad size"));
      }
      std::string text(static_cast<std::size_t>(size), '\0');
      if (archive_read_data(a.get(), text.data(), text.size()) != size) {
        return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, "its image_metadata.json cannot be read"));
      }
      try {
        const auto j = json::parse(text);
        if (!j.is_object() || j.value("version", 0) != 2) {
          return make_error(
            ErrorKind::invalid_input, "{}", not_an_image(path, "image_metadata.json must have version 2"));
        }
      } catch (const json::exception&) {
        return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, "its image_metadata.json is not JSON"));
      }
      have_meta = true;
    }
  }
  if (r != ARCHIVE_OK && r != ARCHIVE_EOF) {
    return make_error(ErrorKind::invalid_input, "{}", not_an_image(path, archive_error_string(a.get())));
  }
  if (!have_qcow2 || !have_meta) {
    return make_error(ErrorKind::invalid_input,
                      "{}",
                      not_an_image(path, have_qcow2 ? "it has no image_metadata.json" : "it has no output.QCOW2"));
  }
  return {};
}

// The shapes an OCK image is marked compatible with (research/ocne.md §6.7).
std::vector<std::string>
shapes_for(const ExportMetadataOptions& o)
{
  if (o.architecture == "arm64") {
    return { "VM.Standard.A1.Flex", "VM.Standard.A2.Flex", "BM.Standard.A1.160", "a1-2c.160.1024" };
  }
  if (o.private_cloud_appliance) {
    return { "VM.PCAStandard.E5.Flex" };
  }
  return { "VM.Standard.E3.Flex", "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard.E6.Flex",
           "VM.Standard3.Flex",   "VM.Optimized3.Flex",  "VM.Standard.B1.1",    "VM.Standard.B1.2",
           "VM.Standard.B1.4",    "VM.Standard.B1.8",    "VM.Standard.B1.16",   "VM.Standard2.1",
           "VM.Standard2.2",      "VM.Standard2.4",      "VM.Standard2.8",      "VM.Standard2.16",
           "VM.Standard2.24",     "VM.DenseIO2.8",       "VM.DenseIO2.16",      "VM.DenseIO2.24",
           "VM.DenseIO.E4.Flex",  "VM.DenseIO.E5.Flex",  "VM.GPU2.1",           "VM.GPU3.1",
           "VM.GPU3.2",           "VM.GPU3.4",           "VM.GPU.A10.1",        "VM.GPU.A10.2",
           "BM.Standard2.52",     "BM.Standard3.64",     "BM.Standard.E3.128",  "BM.Standard.E4.128",
           "BM.Standard.E5.192",  "BM.DenseIO2.52",      "BM.DenseIO.E4.128",   "BM.Optimized3.36" };
}

} // namespace

Result<ImageFileInfo>
inspect_image_file(const std::string& path)
{
  const fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return make_error(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", path, fs::errno_message(errno));
  }
  struct stat st
  {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: not a regular file", path);
  }
  std::array<unsigned char, 8> head{};
  const auto n = ::pread(fd.get(), head.data(), head.size(), 0);
  ImageFileInfo info;
  info.size = static_cast<std::uint64_t>(st.st_size);
  if (n == 8 && qcow2_header(head.data(), 8)) {
    info.format = ImageFileFormat::qcow2;
    return info;
  }
  if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
    OCNE_TRY(check_export(path));
    info.format = ImageFileFormat::oci_export;
    return info;
  }
  return make_error(
    ErrorKind::invalid_input, "{}", not_an_image(path, st.st_size == 0 ? "the file is empty" : "unknown content"));
}

std::string
image_metadata_json(const ExportMetadataOptions& o)
{
  const auto descriptor = [](const char* v) {
    return json{
      { "descriptorType", "enumstring" }, { "source", "IMAGE" }, { "values", json::array({ v }) }, { "defaultValue", v }
    };
  };
  const json caps = { { "Compute.LaunchMode", descriptor("PARAVIRTUALIZED") },
                      { "Compute.Firmware", descriptor("UEFI_64") } };
  json launch = { { "firmware", "UEFI_64" },
                  { "networkType", o.private_cloud_appliance ? "PARAVIRTUALIZED" : "VFIO" },
                  { "bootVolumeType", o.private_cloud_appliance ? "PARAVIRTUALIZED" : "ISCSI" },
                  { "remoteDataVolumeType", "PARAVIRTUALIZED" },
                  { "localDataVolumeType", o.private_cloud_appliance ? "PARAVIRTUALIZED" : "VFIO" },
                  { "launchOptionsSource", o.private_cloud_appliance ? "CUSTOM" : "NATIVE" },
                  { "pvAttachmentVersion", 1 } };
  json shapes = json::array();
  for (const auto& s : shapes_for(o)) {
    shapes.push_back({ { "internalShapeName", s } });
  }
  json meta = { { "version", 2 },
                { "externalLaunchOptions", launch },
                { "operatingSystem", "Oracle Linux" },
                { "operatingSystemVersion", "8" },
                { "imageCapabilityData", caps.dump() },
                { "additionalMetadata", { { "shapeCompatibilities", shapes } } } };
  if (!o.private_cloud_appliance) {
    meta["imageCapsFormatVersion"] = "34dd2cea-aff2-4f45-b8f6-1cb5290bfab2";
  }
  return meta.dump(2);
}

Status
write_oci_export(const std::string& qcow2_path,
                 const std::string& metadata_json,
                 const fs::Path& out_path,
                 ProgressSink& sink)
{
  const fs::Fd in(::open(qcow2_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) {
    return make_error(
      errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", qcow2_path, fs::errno_message(errno));
  }
  struct stat st
  {};
  if (::fstat(in.get(), &st) != 0) {
    return make_error(ErrorKind::io, "{}: {}", qcow2_path, fs::errno_message(errno));
  }
  OCNE_TRY_ASSIGN(auto out, fs::AtomicFile::create(out_path, fs::k_public));
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  const auto fail = [&](std::string_view what) {
    return make_error(ErrorKind::io,
                      "writing {}: {}: {}",
                      out_path.string(),
                      what,
                      archive_error_string(a.get()) ? archive_error_string(a.get()) : "");
  };
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), "gzip", "compression-level", "1") != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), out.fd()) != ARCHIVE_OK) {
    return fail("cannot start the archive");
  }
  const auto add_entry = [&](const char* name, std::uint64_t size) -> Status {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return fail(name);
    }
    return {};
  };
  OCNE_TRY(add_entry("image_metadata.json", metadata_json.size()));
  if (archive_write_data(a.get(), metadata_json.data(), metadata_json.size()) !=
      static_cast<la_ssize_t>(metadata_json.size())) {
    return fail("image_metadata.json");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  OCNE_TRY(add_entry("output.QCOW2", size));
  ProgressTask task(sink, fmt::format("Writing OCI export {}", out_path.filename().string()), size);
  std::vector<char> buffer(1 << 20);
  std::uint64_t done = 0;
  while (done < size) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - done));
    const auto n = ::pread(in.get(), buffer.data(), want, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return make_error(
        ErrorKind::io, "{}: {}", qcow2_path, n == 0 ? "file shrank while it was read" : fs::errno_message(errno));
    }
    if (archive_write_data(a.get(), buffer.data(), static_cast<std::size_t>(n)) != n) {
      return fail("output.QCOW2");
    }
    done += static_cast<std::uint64_t>(n);
    task.set_done(done);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return fail("cannot finish the archive");
  }
  OCNE_TRY(out.commit());
  task.succeed();
  return {};
}

} // namespace ocne::oci
