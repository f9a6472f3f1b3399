#include "pkg/diag/dump_sink.hpp"

#include "pkg/core/strings.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <filesystem>
#include <set>

namespace ocne::diag {

namespace {

struct ArchiveDeleter
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

class FolderSink : public DumpSink
{
public:
  explicit FolderSink(fs::Path root) : m_root(std::move(root))
  {
  }

  Status
  put(const std::string& relative, std::string_view content) override
  {
    OCNE_TRY(check_relative(relative));
    const auto path = m_root / relative;
    OCNE_TRY(fs::ensure_dir(path.parent_path(), fs::k_private_dir));
    return fs::write_file_atomic(path, content, fs::k_private);
  }

  Status
  finish() override
  {
    return {};
  }
  std::string
  where() const override
  {
    return m_root.string();
  }

private:
  fs::Path m_root;
};

class ArchiveSink : public DumpSink
{
public:
  ArchiveSink(fs::Path target, fs::AtomicFile file, std::unique_ptr<archive, ArchiveDeleter> a)
    : m_target(std::move(target)), m_file(std::move(file)), m_archive(std::move(a)), m_time(std::time(nullptr))
  {
  }

  Status
  put(const std::string& relative, std::string_view content) override
  {
    OCNE_TRY(check_relative(relative));
    // Folders first, once each, so tools that extract get 0700 folders.
    const auto parts = str::split(relative, '/');
    std::string folder;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      folder += parts[i] + "/";
      if (m_folders.insert(folder).second) {
        OCNE_TRY(header(folder, AE_IFDIR, 0700, 0));
      }
    }
    OCNE_TRY(header(relative, AE_IFREG, 0600, content.size()));
    if (!content.empty() && archive_write_data(m_archive.get(), content.data(), content.size()) !=
                              static_cast<la_ssize_t>(content.size())) {
      return make_error(fail(relative));
    }
    return {};
  }

  Status
  finish() override
  {
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK) {
      return make_error(fail("cannot finish the archive"));
    }
    return m_file.commit();
  }

  std::string
  where() const override
  {
    return m_target.string();
  }

private:
  Status
  header(const std::string& name, unsigned type, unsigned mode, std::size_t size)
  {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), mode);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), m_time, 0);
    if (archive_write_header(m_archive.get(), e.get()) != ARCHIVE_OK) {
      return make_error(fail(name));
    }
    return {};
  }

  Error
  fail(std::string_view what) const
  {
    const char* why = archive_error_string(m_archive.get());
    return Error(ErrorKind::io, fmt::format("writing {}: {}: {}", m_target.string(), what, why != nullptr ? why : ""));
  }

  fs::Path m_target;
  fs::AtomicFile m_file;
  std::unique_ptr<archive, ArchiveDeleter> m_archive;
  std::time_t m_time;
  std::set<std::string> m_folders;
};

} // namespace

Status
check_relative(const std::string& relative)
{
  if (relative.empty() || relative.front() == '/') {
    return make_error(ErrorKind::internal, "dump path {} is not relative", str::quote(relative));
  }
  for (const auto& part : str::split(relative, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return make_error(ErrorKind::internal, "dump path {} is not clean", str::quote(relative));
    }
  }
  return {};
}

Result<std::unique_ptr<DumpSink>>
folder_sink(const fs::Path& folder)
{
  std::error_code ec;
  if (std::filesystem::exists(folder, ec)) {
    if (!std::filesystem::is_directory(folder, ec)) {
      return make_error(ErrorKind::invalid_input, "{} exists and is not a folder", folder.string());
    }
    if (!std::filesystem::is_empty(folder, ec)) {
      return make_error(ErrorKind::invalid_input, "{} is not empty; dump into a new or empty folder", folder.string());
    }
  } else {
    OCNE_TRY(fs::ensure_dir(folder, fs::k_private_dir));
  }
  return std::unique_ptr<DumpSink>(std::make_unique<FolderSink>(folder));
}

Result<std::unique_ptr<DumpSink>>
archive_sink(const fs::Path& file)
{
  const auto name = file.filename().string();
  if (!str::ends_with(name, ".tgz") && !str::ends_with(name, ".tar.gz")) {
    return make_error(ErrorKind::invalid_input, "{}: the archive's name must end in .tgz or .tar.gz", file.string());
  }
  OCNE_TRY_ASSIGN(auto out, fs::AtomicFile::create(file, fs::k_private));
  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), out.fd()) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    return make_error(
      ErrorKind::io, "writing {}: {}", file.string(), why != nullptr ? why : "cannot start the archive");
  }
  return std::unique_ptr<DumpSink>(std::make_unique<ArchiveSink>(file, std::move(out), std::move(a)));
}

} // namespace ocne::diag
