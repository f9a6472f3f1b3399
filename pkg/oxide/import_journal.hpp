#pragma once

// The local record of an image import in progress, so an import cut short
// (the process killed, the machine rebooted) is found by the next run for
// the same host, project and image name, which then resumes it or cleans up
// what it left on the rack. Nothing ocne creates on the rack is untracked:
// the journal is written before the temporary disk is created.
//
// Two files in <state dir>/oxide/imports/, named by a hash of host, project
// and image name: <key>.json (the record, written atomically, mode 0600) and
// <key>.chunks (the indexes of chunks the rack has acknowledged, appended as
// 8-byte little-endian numbers; a torn last entry is ignored).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ocne::oxide {

struct JournalRecord
{
  std::string host;
  std::string project;
  std::string image_name;
  std::string digest;
  std::string source; // the file, for messages
  std::string disk_name;
  std::string disk_id; // empty until the disk exists
  std::string snapshot_name;
  std::uint64_t disk_size = 0;
  std::uint32_t block_size = 0;
};

class ImportJournal
{
public:
  // The journal for this import in dir (nothing is created yet).
  ImportJournal(const std::filesystem::path& dir,
                const std::string& host,
                const std::string& project,
                const std::string& image_name);
  ImportJournal(ImportJournal&&) noexcept;
  ~ImportJournal();

  // The record left by an earlier run, if any. A damaged record is an error
  // that names the file.
  Result<std::optional<JournalRecord>> load() const;
  // Chunk indexes recorded as written.
  Result<std::vector<std::uint64_t>> written() const;
  // Writes the record (and creates the folder); the first save starts an
  // empty chunk list.
  Status save(const JournalRecord& record);
  // Appends a written chunk. Thread-safe.
  Status mark_written(std::uint64_t chunk);
  // Removes both files.
  Status remove();

  const std::filesystem::path&
  record_path() const
  {
    return m_record;
  }
  std::filesystem::path lock_path() const;

private:
  std::filesystem::path m_dir;
  std::filesystem::path m_record;
  std::filesystem::path m_chunks;
  fs::Fd m_chunks_fd;
  std::unique_ptr<std::mutex> m_mutex = std::make_unique<std::mutex>();
};

} // namespace ocne::oxide
