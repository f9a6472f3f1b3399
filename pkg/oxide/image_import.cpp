#include "pkg/oxide/image_import.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/oxide/content_digest.hpp"
#include "pkg/oxide/import_journal.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

namespace ocne::oxide {

namespace {

constexpr std::uint64_t k_gib = 1ULL << 30;
constexpr std::uint64_t k_max_disk = 1023 * k_gib;
constexpr std::size_t k_max_description = 512;

std::string
q(const std::string& s)
{
  return "\"" + s + "\"";
}

std::string
random_suffix()
{
  std::random_device rd;
  std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  return fmt::format("{:010x}", rng() & 0xffffffffffULL);
}

// Collects the first error from worker threads and tells the others to stop.
class FirstError
{
public:
  void
  set(Error e)
  {
    const std::lock_guard lock(m_mutex);
    if (!m_error) {
      m_error = std::move(e);
    }
    m_stop = true;
  }
  bool
  stopped() const
  {
    return m_stop.load();
  }
  std::optional<Error>
  get() const
  {
    const std::lock_guard lock(m_mutex);
    return m_error;
  }

private:
  mutable std::mutex m_mutex;
  std::optional<Error> m_error;
  std::atomic<bool> m_stop{ false };
};

// Runs fn(index) for 0..count-1 on `workers` threads.
template<typename F>
void
parallel_for(std::size_t count, int workers, FirstError& errors, F fn)
{
  std::atomic<std::size_t> next{ 0 };
  auto loop = [&] {
    while (!errors.stopped()) {
      const std::size_t i = next++;
      if (i >= count) {
        return;
      }
      if (interrupted()) {
        errors.set(Error(ErrorKind::cancelled, "interrupted"));
        return;
      }
      fn(i);
    }
  };
  const int n = static_cast<int>(std::min<std::size_t>(std::max(1, workers), std::max<std::size_t>(count, 1)));
  std::vector<std::thread> threads;
  for (int t = 1; t < n; ++t) {
    threads.emplace_back(loop);
  }
  loop();
  for (auto& t : threads) {
    t.join();
  }
}

class Importer
{
public:
  Importer(Client& client, const qcow2::DiskImage& image, const ImportOptions& options, ProgressSink& progress)
    : m_client(client),
      m_image(image),
      m_o(options),
      m_progress(progress),
      m_disk_size(disk_size_for(image.virtual_size())),
      m_digest(m_disk_size)
  {
  }

  Result<ImportResult> run();

private:
  Status validate() const;
  Status scan();
  Status read_chunk(std::uint64_t chunk, std::string& buffer) const;
  Result<ImportResult> fresh();
  Result<ImportResult> resume(JournalRecord record);
  Result<ImportResult> continue_import(JournalRecord& record, const std::unordered_set<std::uint64_t>& written);
  Status upload(const std::string& disk_id, const std::vector<std::uint64_t>& todo, std::uint64_t done_bytes);
  PollOptions ready_poll() const;
  Result<Disk> wait_disk(const std::string& disk_id);
  Result<Snapshot> wait_snapshot(const std::string& name);
  Status cleanup(const JournalRecord& record);
  Result<ImportResult> fail_and_unwind(const JournalRecord& record, Error error);
  std::string image_description() const;

  Client& m_client;
  const qcow2::DiskImage& m_image;
  const ImportOptions& m_o;
  ProgressSink& m_progress;
  std::uint64_t m_disk_size;
  ContentDigest m_digest;
  std::string m_token;
  std::vector<std::uint64_t> m_data_chunks; // chunks to upload
  std::optional<ImportJournal> m_journal;
  ImportResult m_result;
};

Status
Importer::validate() const
{
  if (m_o.project.empty()) {
    return make_error(ErrorKind::invalid_input, "no Oxide project given for the image upload");
  }
  if (!valid_name(m_o.image_name)) {
    return make_error(ErrorKind::invalid_input,
                      "image name {} is not a valid Oxide name (1-63 characters: a lower-case letter first, then "
                      "letters, digits and '-', not ending in '-')",
                      q(m_o.image_name));
  }
  if (m_o.block_size != 512 && m_o.block_size != 2048 && m_o.block_size != 4096) {
    return make_error(ErrorKind::invalid_input, "block size {} is not one of 512, 2048, 4096", m_o.block_size);
  }
  if (m_o.workers < 1 || m_o.workers > 64) {
    return make_error(ErrorKind::invalid_input, "{} upload workers: give 1 to 64", m_o.workers);
  }
  if (m_image.virtual_size() == 0) {
    return make_error(ErrorKind::invalid_input, "{}: the disk image is empty (virtual size 0)", m_image.name());
  }
  if (m_disk_size > k_max_disk) {
    return make_error(ErrorKind::invalid_input,
                      "{}: its virtual size ({} bytes) needs a {} GiB disk, more than the 1023 GiB Oxide allows",
                      m_image.name(),
                      m_image.virtual_size(),
                      m_disk_size / k_gib);
  }
  return {};
}

// One 512 KiB chunk of the disk: the image's bytes, zeros past its end.
Status
Importer::read_chunk(std::uint64_t chunk, std::string& buffer) const
{
  const std::uint64_t offset = chunk * k_chunk_size;
  const std::uint64_t virtual_size = m_image.virtual_size();
  const auto in_image =
    static_cast<std::size_t>(offset < virtual_size ? std::min(k_chunk_size, virtual_size - offset) : 0);
  buffer.resize(k_chunk_size);
  if (in_image < k_chunk_size) {
    std::memset(buffer.data() + in_image, 0, k_chunk_size - in_image);
  }
  if (in_image > 0) {
    OCNE_TRY(m_image.read(offset, std::span<char>(buffer.data(), in_image)));
  }
  return {};
}

// Reads the whole image once before anything is created on the rack: a
// corrupt file fails here, and the digest and the non-zero chunks are known.
Status
Importer::scan()
{
  const std::uint64_t virtual_size = m_image.virtual_size();
  const std::uint64_t chunks = (virtual_size + k_chunk_size - 1) / k_chunk_size;
  ProgressTask task(m_progress, "read " + m_image.name(), virtual_size);
  FirstError errors;
  std::vector<unsigned char> zero(chunks, 0);
  parallel_for(chunks, m_o.workers, errors, [&](std::size_t i) {
    const std::uint64_t offset = i * k_chunk_size;
    const std::uint64_t length = std::min(k_chunk_size, virtual_size - offset);
    if (m_image.known_zero(offset, length)) {
      zero[i] = 1;
      task.advance(length);
      return;
    }
    thread_local std::string buffer;
    if (auto st = read_chunk(i, buffer); !st) {
      errors.set(st.error());
      return;
    }
    if (qcow2::all_zero(buffer)) {
      zero[i] = 1;
    } else {
      m_digest.set(i, sha256(buffer));
    }
    task.advance(length);
  });
  if (auto e = errors.get()) {
    task.fail(e->message());
    return make_error(*e);
  }
  task.succeed();
  m_token = m_digest.finish();
  for (std::uint64_t i = 0; i < chunks; ++i) {
    if (zero[i] == 0 || !m_o.skip_zero_chunks) {
      m_data_chunks.push_back(i);
    }
  }
  m_result.chunks_total = chunks;
  m_result.chunks_zero = static_cast<std::uint64_t>(std::count(zero.begin(), zero.end(), 1));
  return {};
}

std::string
Importer::image_description() const
{
  std::string text = m_o.description.empty()
                       ? "boot image uploaded by ocne from " + std::filesystem::path(m_image.name()).filename().string()
                       : m_o.description;
  const std::string tag = " [" + m_token + "]";
  if (text.size() + tag.size() > k_max_description) {
    text.resize(k_max_description - tag.size());
  }
  return text + tag;
}

PollOptions
Importer::ready_poll() const
{
  return { .timeout = m_o.ready_timeout, .interval = m_o.poll_interval, .clock = m_o.clock };
}

Result<Disk>
Importer::wait_disk(const std::string& disk_id)
{
  std::string name;
  PollMessages messages;
  messages.timed_out = [&](std::string_view state) {
    return Error(ErrorKind::timeout,
                 fmt::format("disk {} is still {} after {} s", q(name), state, m_o.ready_timeout.count() / 1000));
  };
  messages.interrupted = [&] {
    return Error(ErrorKind::cancelled, fmt::format("interrupted while waiting for disk {}", q(name)));
  };
  return poll(ready_poll(), messages, [&]() -> Result<Disk> {
    OCNE_TRY_ASSIGN(auto disk, m_client.get_disk("", disk_id));
    if (disk.state != "creating" && disk.state != "finalizing") {
      return disk;
    }
    name = disk.name;
    return not_ready_yet(disk.state);
  });
}

Result<Snapshot>
Importer::wait_snapshot(const std::string& name)
{
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    return Error(ErrorKind::timeout,
                 fmt::format("snapshot {} is still creating after {} s", q(name), m_o.ready_timeout.count() / 1000));
  };
  messages.interrupted = [&] {
    return Error(ErrorKind::cancelled, fmt::format("interrupted while waiting for snapshot {}", q(name)));
  };
  return poll(ready_poll(), messages, [&]() -> Result<Snapshot> {
    OCNE_TRY_ASSIGN(auto snapshot, m_client.get_snapshot(m_o.project, name));
    if (snapshot.state == "ready") {
      return snapshot;
    }
    if (snapshot.state != "creating") {
      return make_error(ErrorKind::unavailable, "snapshot {} of the imported disk is {}", q(name), snapshot.state);
    }
    return not_ready_yet(snapshot.state);
  });
}

// Takes what an import created off the rack: the disk (stopping and
// finalizing its import first, as Oxide only deletes detached disks) and the
// snapshot. Absent objects are fine.
Status
Importer::cleanup(const JournalRecord& r)
{
  std::optional<Disk> disk;
  if (!r.disk_id.empty()) {
    auto d = m_client.get_disk("", r.disk_id);
    if (d) {
      disk = *d;
    } else if (d.error().kind() != ErrorKind::not_found) {
      return make_error(d.error());
    }
  } else {
    OCNE_TRY_ASSIGN(disk, m_client.find_disk(r.project, r.disk_name));
  }
  if (disk) {
    // Acts on the states that need a push and waits out the ones that pass
    // by themselves; "stayed" on timeout and on Ctrl-C alike.
    const auto stayed = [&] {
      return Error(ErrorKind::timeout, fmt::format("disk {} stayed {} while cleaning up", q(disk->name), disk->state));
    };
    bool fetch = false;
    const auto gone = poll(ready_poll(),
                           { .timed_out = [&](std::string_view) { return stayed(); }, .interrupted = stayed },
                           [&]() -> Status {
                             while (true) {
                               if (fetch) {
                                 auto again = m_client.get_disk("", disk->id);
                                 if (!again) {
                                   if (again.error().kind() == ErrorKind::not_found) {
                                     return {}; // gone
                                   }
                                   return make_error(again.error());
                                 }
                                 disk = *again;
                               }
                               fetch = true;
                               const std::string& state = disk->state;
                               if (state == "detached" || state == "faulted") {
                                 auto st = m_client.delete_disk("", disk->id);
                                 if (!st && st.error().kind() != ErrorKind::not_found) {
                                   return st;
                                 }
                                 return {};
                               }
                               if (state == "importing_from_bulk_writes") {
                                 OCNE_TRY(m_client.bulk_write_stop(disk->id));
                               } else if (state == "import_ready") {
                                 OCNE_TRY(m_client.finalize_disk(disk->id, std::nullopt));
                               } else if (state == "creating" || state == "finalizing") {
                                 return not_ready_yet(state);
                               } else {
                                 return make_error(ErrorKind::conflict,
                                                   "cannot clean up disk {} in project {}: it is {}; delete it by hand",
                                                   q(disk->name),
                                                   q(r.project),
                                                   state);
                               }
                             }
                           });
    if (!gone) {
      return gone;
    }
  }
  OCNE_TRY_ASSIGN(const auto snapshot, m_client.find_snapshot(r.project, r.snapshot_name));
  if (snapshot) {
    auto st = m_client.delete_snapshot("", snapshot->id);
    if (!st && st.error().kind() != ErrorKind::not_found) {
      return st;
    }
  }
  return {};
}

Result<ImportResult>
Importer::fail_and_unwind(const JournalRecord& record, Error error)
{
  if (interrupted()) {
    // Clean up even after Ctrl-C; a second Ctrl-C leaves it to the next run.
    log::warn("interrupted: removing the partly imported disk {} (press Ctrl-C again to leave it for the next run)",
              q(record.disk_name));
    reset_interrupt();
  }
  auto st = cleanup(record);
  if (!st) {
    const std::string where =
      m_journal ? "; " + m_journal->record_path().string() + " keeps track of it for the next run" : "";
    return make_error(error.kind(),
                      "{}; cleaning up disk {} in project {} also failed: {}{}",
                      error.message(),
                      q(record.disk_name),
                      q(record.project),
                      st.error().message(),
                      where);
  }
  if (m_journal) {
    OCNE_TRY(m_journal->remove());
  }
  return make_error(std::move(error));
}

Status
Importer::upload(const std::string& disk_id, const std::vector<std::uint64_t>& todo, std::uint64_t done_bytes)
{
  const std::uint64_t virtual_size = m_image.virtual_size();
  auto send_length = [&](std::uint64_t chunk) {
    const std::uint64_t offset = chunk * k_chunk_size;
    const std::uint64_t left = offset < virtual_size ? virtual_size - offset : 0;
    // The last chunk is cut at the image's end, rounded up to whole blocks.
    const std::uint64_t rounded = (left + m_o.block_size - 1) / m_o.block_size * m_o.block_size;
    return static_cast<std::size_t>(std::min(k_chunk_size, std::max<std::uint64_t>(rounded, m_o.block_size)));
  };
  std::uint64_t total = done_bytes;
  for (const auto chunk : todo) {
    total += send_length(chunk);
  }
  ProgressTask task(m_progress, "upload " + m_image.name() + " to image " + m_o.image_name, total);
  task.set_done(done_bytes);
  FirstError errors;
  std::atomic<std::uint64_t> uploaded{ 0 };
  std::atomic<std::uint64_t> bytes{ 0 };
  parallel_for(todo.size(), m_o.workers, errors, [&](std::size_t i) {
    const std::uint64_t chunk = todo[i];
    thread_local std::string buffer;
    if (auto st = read_chunk(chunk, buffer); !st) {
      errors.set(st.error());
      return;
    }
    // The bytes must still be the ones the digest was computed from.
    if (m_digest.has(chunk) ? sha256(buffer) != m_digest.hash(chunk) : !qcow2::all_zero(buffer)) {
      errors.set(Error(
        ErrorKind::conflict,
        fmt::format("{} changed while it was being uploaded (at offset {})", m_image.name(), chunk * k_chunk_size)));
      return;
    }
    const auto length = send_length(chunk);
    Status st;
    for (int attempt = 1; attempt <= std::max(1, m_o.chunk_attempts); ++attempt) {
      st = m_client.bulk_write(disk_id, chunk * k_chunk_size, std::span<const char>(buffer.data(), length));
      if (st || st.error().kind() == ErrorKind::cancelled || errors.stopped()) {
        break;
      }
      log::debug("oxide: chunk at offset {} failed (try {} of {}): {}",
                 chunk * k_chunk_size,
                 attempt,
                 m_o.chunk_attempts,
                 st.error().message());
    }
    if (!st) {
      errors.set(st.error());
      return;
    }
    if (m_journal) {
      if (auto j = m_journal->mark_written(chunk); !j) {
        errors.set(j.error());
        return;
      }
    }
    ++uploaded;
    bytes += length;
    task.advance(length);
  });
  m_result.chunks_uploaded = uploaded;
  m_result.bytes_uploaded = bytes;
  if (auto e = errors.get()) {
    task.fail(e->message());
    return make_error(*e);
  }
  task.succeed();
  return {};
}

Result<ImportResult>
Importer::continue_import(JournalRecord& r, const std::unordered_set<std::uint64_t>& written)
{
  auto step = [&]() -> Status {
    OCNE_TRY_ASSIGN(auto disk, wait_disk(r.disk_id));
    if (disk.state == "import_ready") {
      OCNE_TRY(m_client.bulk_write_start(disk.id));
      disk.state = "importing_from_bulk_writes";
    }
    if (disk.state == "importing_from_bulk_writes") {
      std::vector<std::uint64_t> todo;
      std::uint64_t done_bytes = 0;
      for (const auto chunk : m_data_chunks) {
        if (written.count(chunk) != 0) {
          done_bytes += k_chunk_size;
        } else {
          todo.push_back(chunk);
        }
      }
      m_result.chunks_already_written = m_data_chunks.size() - todo.size();
      OCNE_TRY(upload(disk.id, todo, done_bytes));
      OCNE_TRY(m_client.bulk_write_stop(disk.id));
      OCNE_TRY(m_client.finalize_disk(disk.id, r.snapshot_name));
    } else if (disk.state != "detached") {
      return make_error(ErrorKind::conflict, "disk {} is {}, not ready for an import", q(disk.name), disk.state);
    }
    // Detached: finalized, by us just now or by the interrupted run.
    OCNE_TRY_ASSIGN(const auto snapshot, wait_snapshot(r.snapshot_name));
    OCNE_TRY_ASSIGN(m_result.image,
                    m_client.create_image(m_o.project,
                                          ImageCreate{ .name = m_o.image_name,
                                                       .description = image_description(),
                                                       .os = m_o.os,
                                                       .version = m_o.version,
                                                       .snapshot_id = snapshot.id }));
    return {};
  };
  if (auto st = step(); !st) {
    return fail_and_unwind(r, st.error());
  }
  // The image exists; the temporary disk and snapshot go. If that fails the
  // journal stays, and the next upload of this image removes them.
  if (auto st = cleanup(r); !st) {
    log::warn("image {} is ready, but removing its temporary disk {} failed: {}; the next upload of this image "
              "cleans it up",
              q(m_o.image_name),
              q(r.disk_name),
              st.error().message());
    return m_result;
  }
  if (m_journal) {
    OCNE_TRY(m_journal->remove());
  }
  return m_result;
}

Result<ImportResult>
Importer::fresh()
{
  const std::string suffix = random_suffix();
  JournalRecord r;
  r.host = m_client.host();
  r.project = m_o.project;
  r.image_name = m_o.image_name;
  r.digest = m_token;
  r.source = m_image.name();
  r.disk_name = "ocne-import-" + suffix;
  r.snapshot_name = "ocne-import-" + suffix + "-snap";
  r.disk_size = m_disk_size;
  r.block_size = m_o.block_size;
  // Recorded before the disk exists, so a kill right after creating it
  // still leaves a trace.
  if (m_journal) {
    OCNE_TRY(m_journal->save(r));
  }
  auto disk = m_client.create_import_disk(
    m_o.project, r.disk_name, "ocne: temporary disk for image " + m_o.image_name, m_disk_size, m_o.block_size);
  if (!disk) {
    return fail_and_unwind(r, disk.error());
  }
  r.disk_id = disk->id;
  if (m_journal) {
    if (auto st = m_journal->save(r); !st) {
      return fail_and_unwind(r, st.error());
    }
  }
  return continue_import(r, {});
}

Result<ImportResult>
Importer::resume(JournalRecord r)
{
  auto disk = r.disk_id.empty() ? m_client.find_disk(r.project, r.disk_name) : [&]() -> Result<std::optional<Disk>> {
    auto d = m_client.get_disk("", r.disk_id);
    if (d) {
      return std::optional<Disk>(*d);
    }
    if (d.error().kind() == ErrorKind::not_found) {
      return std::optional<Disk>();
    }
    return make_error(d.error());
  }();
  if (!disk) {
    return make_error(disk.error());
  }
  if (!*disk) {
    // The disk is gone (deleted by hand?): start over.
    OCNE_TRY(cleanup(r));
    OCNE_TRY(m_journal->remove());
    return fresh();
  }
  if ((*disk)->size != m_disk_size || (*disk)->block_size != m_o.block_size) {
    OCNE_TRY(cleanup(r));
    OCNE_TRY(m_journal->remove());
    return fresh();
  }
  r.disk_id = (*disk)->id;
  OCNE_TRY(m_journal->save(r));
  OCNE_TRY_ASSIGN(const auto chunks, m_journal->written());
  const std::unordered_set<std::uint64_t> written(chunks.begin(), chunks.end());
  log::info("resuming the interrupted upload of {} into disk {} ({} of {} chunks already written)",
            m_image.name(),
            q(r.disk_name),
            written.size(),
            m_data_chunks.size());
  m_result.resumed = true;
  return continue_import(r, written);
}

Result<ImportResult>
Importer::run()
{
  OCNE_TRY(validate());
  m_result.disk_size = m_disk_size;
  // Credentials and project first: a wrong token or project fails in a second.
  OCNE_TRY(m_client.current_user());
  OCNE_TRY(m_client.get_project(m_o.project));
  OCNE_TRY(scan());
  m_result.digest = m_token;

  std::optional<FileLock> lock;
  std::optional<JournalRecord> previous;
  if (!m_o.journal_dir.empty()) {
    m_journal.emplace(m_o.journal_dir, m_client.host(), m_o.project, m_o.image_name);
    OCNE_TRY(fs::ensure_dir(m_o.journal_dir, fs::k_private_dir));
    OCNE_TRY_ASSIGN(
      auto l,
      FileLock::acquire(m_journal->lock_path(),
                        std::chrono::milliseconds(0),
                        fmt::format("the upload of image {} to project {}", q(m_o.image_name), q(m_o.project))));
    lock.emplace(std::move(l));
    OCNE_TRY_ASSIGN(previous, m_journal->load());
  }

  OCNE_TRY_ASSIGN(const auto existing, m_client.find_image(m_o.project, m_o.image_name));
  if (existing) {
    if (previous) {
      // Left over by a run that got as far as creating the image, or by an
      // attempt at other content: either way, take it off the rack.
      OCNE_TRY(cleanup(*previous));
      OCNE_TRY(m_journal->remove());
    }
    if (existing->description.find(m_token) != std::string::npos && existing->size == m_disk_size) {
      m_result.image = *existing;
      m_result.reused = true;
      return m_result;
    }
    return make_error(ErrorKind::already_exists,
                      "image {} already exists in project {} with different content (id {}); choose another image "
                      "name or delete that image",
                      q(m_o.image_name),
                      q(m_o.project),
                      existing->id);
  }
  if (previous) {
    if (previous->digest == m_token && previous->disk_size == m_disk_size && previous->block_size == m_o.block_size) {
      return resume(*previous);
    }
    log::info("an interrupted upload of other content to image {} left disk {}; removing it",
              q(m_o.image_name),
              q(previous->disk_name));
    OCNE_TRY(cleanup(*previous));
    OCNE_TRY(m_journal->remove());
  }
  return fresh();
}

} // namespace

std::uint64_t
disk_size_for(std::uint64_t virtual_size)
{
  return (virtual_size + k_gib - 1) / k_gib * k_gib;
}

Result<ImportResult>
import_image(Client& client, const qcow2::DiskImage& image, const ImportOptions& options, ProgressSink& progress)
{
  Importer importer(client, image, options, progress);
  return importer.run();
}

} // namespace ocne::oxide
