#include "pkg/image/archive_reader.hpp"

#include "pkg/core/strings.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

namespace ocne::image {

// libarchive pulls its input through these; errors from our source are kept
// so the caller sees them instead of a generic "read error".
struct ArchiveReader::Callbacks
{
  static la_ssize_t
  read(archive* a, void* client, const void** buffer)
  {
    auto* self = static_cast<ArchiveReader*>(client);
    auto chunk = self->m_source.next();
    if (!chunk) {
      self->m_source_error = chunk.error();
      archive_set_error(a, EIO, "%s", chunk.error().message().c_str());
      return -1;
    }
    *buffer = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }

  static la_int64_t
  skip(archive* a, void* client, la_int64_t request)
  {
    auto* self = static_cast<ArchiveReader*>(client);
    if (request <= 0) {
      return 0;
    }
    auto n = self->m_source.skip(static_cast<std::uint64_t>(request));
    if (!n) {
      self->m_source_error = n.error();
      archive_set_error(a, EIO, "%s", n.error().message().c_str());
      return ARCHIVE_FATAL;
    }
    return static_cast<la_int64_t>(*n);
  }
};

ArchiveReader::ArchiveReader(ByteSource& source, std::string what) : m_source(source), m_what(std::move(what))
{
}

ArchiveReader::~ArchiveReader()
{
  if (m_archive != nullptr) {
    archive_read_free(m_archive);
  }
}

Error
ArchiveReader::archive_error(std::string_view doing) const
{
  if (m_source_error) {
    return *m_source_error;
  }
  const char* msg = m_archive != nullptr ? archive_error_string(m_archive) : nullptr;
  return Error(ErrorKind::invalid_input,
               fmt::format("{}: {}: {}", m_what, doing, msg != nullptr ? msg : "unknown libarchive error"));
}

Result<std::unique_ptr<ArchiveReader>>
ArchiveReader::open(ByteSource& source, std::string what)
{
  std::unique_ptr<ArchiveReader> r(new ArchiveReader(source, std::move(what)));
  r->m_archive = archive_read_new();
  if (r->m_archive == nullptr) {
    return make_error(ErrorKind::internal, "{}: cannot allocate a libarchive reader", r->m_what);
  }
  archive_read_support_filter_all(r->m_archive);
  archive_read_support_format_tar(r->m_archive);
  archive_read_set_callback_data(r->m_archive, r.get());
  archive_read_set_read_callback(r->m_archive, &Callbacks::read);
  archive_read_set_skip_callback(r->m_archive, &Callbacks::skip);
  if (archive_read_open1(r->m_archive) != ARCHIVE_OK) {
    return tl::unexpected(r->archive_error("not a tar archive"));
  }
  return r;
}

Result<bool>
ArchiveReader::next_entry()
{
  archive_entry* entry = nullptr;
  const int rc = archive_read_next_header(m_archive, &entry);
  if (rc == ARCHIVE_EOF) {
    return false;
  }
  if (rc < ARCHIVE_WARN) {
    return tl::unexpected(archive_error("reading the next entry"));
  }
  const char* p = archive_entry_pathname(entry);
  std::string_view path = p != nullptr ? p : "";
  while (str::starts_with(path, "./")) {
    path.remove_prefix(2);
  }
  while (str::starts_with(path, "/")) {
    path.remove_prefix(1);
  }
  m_path = std::string(path);
  m_regular = archive_entry_filetype(entry) == AE_IFREG;
  m_size = archive_entry_size_is_set(entry) != 0 ? static_cast<std::uint64_t>(archive_entry_size(entry)) : 0;
  return true;
}

Result<std::string>
ArchiveReader::read_all(std::uint64_t max)
{
  if (m_size > max) {
    return make_error(
      ErrorKind::invalid_input, "{}: {} is {} bytes, more than the {} expected", m_what, m_path, m_size, max);
  }
  std::string out(m_size, '\0');
  OCNE_TRY(read_blocks([&](std::uint64_t offset, std::string_view data) -> Status {
    if (offset + data.size() > out.size()) {
      return make_error(ErrorKind::invalid_input, "{}: {} is larger than its header says", m_what, m_path);
    }
    out.replace(offset, data.size(), data);
    return {};
  }));
  return out;
}

Status
ArchiveReader::read_blocks(const std::function<Status(std::uint64_t, std::string_view)>& on_block)
{
  while (true) {
    const void* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int rc = archive_read_data_block(m_archive, &buffer, &size, &offset);
    if (rc == ARCHIVE_EOF) {
      return {};
    }
    if (rc < ARCHIVE_WARN) {
      return tl::unexpected(archive_error(fmt::format("reading {}", m_path)));
    }
    if (size > 0) {
      OCNE_TRY(on_block(static_cast<std::uint64_t>(offset), std::string_view(static_cast<const char*>(buffer), size)));
    }
  }
}

Result<std::size_t>
ArchiveReader::read(char* buffer, std::size_t max)
{
  const auto n = archive_read_data(m_archive, buffer, max);
  if (n < 0) {
    return tl::unexpected(archive_error(fmt::format("reading {}", m_path)));
  }
  return static_cast<std::size_t>(n);
}

Result<std::string_view>
EntrySource::next()
{
  OCNE_TRY_ASSIGN(const auto n, m_reader.read(m_buffer.data(), m_buffer.size()));
  return std::string_view(m_buffer.data(), n);
}

} // namespace ocne::image
