#include "pkg/image/tar_storage.hpp"

#include "pkg/image/archive_reader.hpp"

#include <sys/stat.h>

namespace ocne::image {

namespace {

class DirStorage final : public LayoutStorage
{
public:
  explicit DirStorage(fs::Path dir) : m_dir(std::move(dir))
  {
  }
  Result<std::string>
  read_small(const std::string& path) override
  {
    OCNE_TRY(size(path));
    return fs::read_file(m_dir / path, k_max_small_file);
  }
  Result<std::uint64_t>
  size(const std::string& path) override
  {
    struct stat st
    {};
    if (::stat((m_dir / path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return make_error(ErrorKind::not_found, "{}: no such file", (m_dir / path).string());
    }
    return static_cast<std::uint64_t>(st.st_size);
  }
  Status
  read_file(const std::string& path, const std::function<Status(ByteSource&)>& consume) override
  {
    OCNE_TRY_ASSIGN(auto file, FileSource::open(m_dir / path));
    return consume(file);
  }

private:
  fs::Path m_dir;
};

class TarStorage final : public LayoutStorage
{
public:
  explicit TarStorage(fs::Path file) : m_file(std::move(file))
  {
  }

  Status
  index()
  {
    OCNE_TRY_ASSIGN(auto source, FileSource::open(m_file));
    OCNE_TRY_ASSIGN(auto reader, ArchiveReader::open(source, m_file.string()));
    while (true) {
      OCNE_TRY_ASSIGN(const bool more, reader->next_entry());
      if (!more) {
        return {};
      }
      if (!reader->is_regular_file()) {
        continue;
      }
      m_sizes[reader->path()] = reader->size();
      if (reader->size() <= k_max_small_file) {
        OCNE_TRY_ASSIGN(m_small[reader->path()], reader->read_all(k_max_small_file));
      }
    }
  }

  Result<std::string>
  read_small(const std::string& path) override
  {
    const auto it = m_small.find(path);
    if (it == m_small.end()) {
      return make_error(ErrorKind::not_found, "{}: has no {}", m_file.string(), path);
    }
    return it->second;
  }

  Result<std::uint64_t>
  size(const std::string& path) override
  {
    const auto it = m_sizes.find(path);
    if (it == m_sizes.end()) {
      return make_error(ErrorKind::not_found, "{}: has no {}", m_file.string(), path);
    }
    return it->second;
  }

  Status
  read_file(const std::string& path, const std::function<Status(ByteSource&)>& consume) override
  {
    OCNE_TRY_ASSIGN(auto source, FileSource::open(m_file));
    OCNE_TRY_ASSIGN(auto reader, ArchiveReader::open(source, m_file.string()));
    while (true) {
      OCNE_TRY_ASSIGN(const bool more, reader->next_entry());
      if (!more) {
        return make_error(ErrorKind::invalid_input, "{}: has no {}", m_file.string(), path);
      }
      if (reader->path() == path && reader->is_regular_file()) {
        EntrySource entry(*reader);
        return consume(entry);
      }
    }
  }

private:
  fs::Path m_file;
  std::map<std::string, std::string> m_small;
  std::map<std::string, std::uint64_t> m_sizes;
};

} // namespace

std::unique_ptr<LayoutStorage>
dir_storage(fs::Path dir)
{
  return std::make_unique<DirStorage>(std::move(dir));
}

Result<std::unique_ptr<LayoutStorage>>
tar_storage(const fs::Path& file)
{
  auto storage = std::make_unique<TarStorage>(file);
  OCNE_TRY(storage->index());
  return std::unique_ptr<LayoutStorage>(std::move(storage));
}

} // namespace ocne::image
