#include "pkg/oxide/import_journal.hpp"

#include "pkg/oxide/content_digest.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ocne::oxide {

namespace {

using json = nlohmann::json;

std::string
journal_key(const std::string& host, const std::string& project, const std::string& image)
{
  const std::string text = host + "\n" + project + "\n" + image;
  const auto h = sha256(text);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 10; ++i) {
    out += digits[h[i] >> 4];
    out += digits[h[i] & 15];
  }
  return out;
}

} // namespace

ImportJournal::ImportJournal(const std::filesystem::path& dir,
                             const std::string& host,
                             const std::string& project,
                             const std::string& image_name)
  : m_dir(dir)
{
  const auto key = journal_key(host, project, image_name);
  m_record = dir / (key + ".json");
  m_chunks = dir / (key + ".chunks");
}

ImportJournal::ImportJournal(ImportJournal&&) noexcept = default;
ImportJournal::~ImportJournal() = default;

std::filesystem::path
ImportJournal::lock_path() const
{
  auto p = m_record;
  p.replace_extension(".lock");
  return p;
}

Result<std::optional<JournalRecord>>
ImportJournal::load() const
{
  std::error_code ec;
  if (!std::filesystem::exists(m_record, ec)) {
    return std::optional<JournalRecord>();
  }
  OCNE_TRY_ASSIGN(const auto text, fs::read_file(m_record));
  try {
    const auto j = json::parse(text);
    JournalRecord r;
    r.host = j.at("host").get<std::string>();
    r.project = j.at("project").get<std::string>();
    r.image_name = j.at("image_name").get<std::string>();
    r.digest = j.at("digest").get<std::string>();
    r.source = j.value("source", "");
    r.disk_name = j.at("disk_name").get<std::string>();
    r.disk_id = j.value("disk_id", "");
    r.snapshot_name = j.at("snapshot_name").get<std::string>();
    r.disk_size = j.at("disk_size").get<std::uint64_t>();
    r.block_size = j.at("block_size").get<std::uint32_t>();
    return std::optional<JournalRecord>(std::move(r));
  } catch (const json::exception& e) {
    return make_error(ErrorKind::invalid_input,
                      "{}: damaged import journal ({}); remove it and delete any disk named ocne-import-* it left "
                      "in the project",
                      m_record.string(),
                      e.what());
  }
}

Result<std::vector<std::uint64_t>>
ImportJournal::written() const
{
  std::vector<std::uint64_t> out;
  std::error_code ec;
  if (!std::filesystem::exists(m_chunks, ec)) {
    return out;
  }
  OCNE_TRY_ASSIGN(const auto bytes, fs::read_file(m_chunks));
  for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t v = 0;
    for (int b = 7; b >= 0; --b) {
      v = (v << 8) | static_cast<unsigned char>(bytes[i + b]);
    }
    out.push_back(v);
  }
  return out;
}

Status
ImportJournal::save(const JournalRecord& r)
{
  OCNE_TRY(fs::ensure_dir(m_dir, fs::k_private_dir));
  const json j = { { "host", r.host },
                   { "project", r.project },
                   { "image_name", r.image_name },
                   { "digest", r.digest },
                   { "source", r.source },
                   { "disk_name", r.disk_name },
                   { "disk_id", r.disk_id },
                   { "snapshot_name", r.snapshot_name },
                   { "disk_size", r.disk_size },
                   { "block_size", r.block_size } };
  OCNE_TRY(fs::write_file_atomic(m_record, j.dump(2) + "\n", fs::k_private));
  const std::lock_guard lock(*m_mutex);
  if (!m_chunks_fd) {
    m_chunks_fd = fs::Fd(::open(m_chunks.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!m_chunks_fd) {
      return make_error(ErrorKind::io, "{}: {}", m_chunks.string(), fs::errno_message(errno));
    }
  }
  return {};
}

Status
ImportJournal::mark_written(std::uint64_t chunk)
{
  unsigned char entry[8];
  for (int b = 0; b < 8; ++b) {
    entry[b] = static_cast<unsigned char>(chunk >> (8 * b));
  }
  const std::lock_guard lock(*m_mutex);
  if (!m_chunks_fd) {
    return make_error(ErrorKind::internal, "{}: the journal was not saved before writing chunks", m_chunks.string());
  }
  // One write(2) of 8 bytes with O_APPEND: a kill leaves whole entries.
  if (::write(m_chunks_fd.get(), entry, sizeof(entry)) != static_cast<ssize_t>(sizeof(entry))) {
    return make_error(ErrorKind::io, "{}: {}", m_chunks.string(), fs::errno_message(errno));
  }
  return {};
}

Status
ImportJournal::remove()
{
  {
    const std::lock_guard lock(*m_mutex);
    m_chunks_fd.reset();
  }
  OCNE_TRY(fs::remove_file(m_chunks));
  OCNE_TRY(fs::remove_file(m_record));
  return {};
}

} // namespace ocne::oxide
