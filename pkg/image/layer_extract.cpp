#include "pkg/image/layer_extract.hpp"

#include "pkg/image/archive_reader.hpp"

namespace ocne::image {

Result<std::optional<std::uint64_t>>
extract_entry(ByteSource& layer,
              std::string_view what,
              std::string_view entry,
              fs::AtomicFile& out,
              ProgressTask* progress)
{
  OCNE_TRY_ASSIGN(auto reader, ArchiveReader::open(layer, std::string(what)));
  while (true) {
    OCNE_TRY_ASSIGN(const bool more, reader->next_entry());
    if (!more) {
      return std::optional<std::uint64_t>();
    }
    if (reader->path() != entry || !reader->is_regular_file()) {
      continue;
    }
    const auto size = reader->size();
    if (progress != nullptr) {
      progress->set_total(size);
    }
    OCNE_TRY(reader->read_blocks([&](std::uint64_t offset, std::string_view data) -> Status {
      if (offset + data.size() > size) {
        return make_error(ErrorKind::invalid_input, "{}: {} holds more data than its header says", what, entry);
      }
      if (auto written = out.pwrite(data, offset); !written) {
        return make_error(written.error().with_context(fmt::format("extracting {} from {}", entry, what)));
      }
      if (progress != nullptr) {
        progress->set_done(offset + data.size());
      }
      return {};
    }));
    // Trailing holes of a sparse entry, and an empty entry, need the size set.
    OCNE_TRY(out.truncate(size));
    return std::optional<std::uint64_t>(size);
  }
}

} // namespace ocne::image
