#pragma once

// Uploading a boot image (raw or qcow2) into an Oxide project as an image.
//
// The flow, as Oxide's own tools do it (research/oxide.md §5): create a disk
// in "import ready" state sized to the virtual size rounded up to whole GiB,
// start bulk writes, write 512 KiB block-aligned base64 chunks from several
// workers (all-zero chunks are skipped: the disk starts zeroed), stop, finalize
// into a snapshot, create the image from the snapshot, then delete the
// temporary snapshot and disk.
//
// Before anything is created on the rack the whole image is read once: that
// detects a corrupt file and computes the content digest (content_digest.hpp),
// which is recorded in the image's description. An image of the same name
// whose description carries the same digest is reused, not uploaded again.
//
// Failures unwind (stop the import, finalize, delete the disk and snapshot)
// so nothing is left half-imported. A run that is killed leaves its journal
// (import_journal.hpp); the next run for the same host, project and image
// name resumes it, writing only the chunks the journal does not have.

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/oxide/client.hpp"
#include "pkg/qcow2/disk_image.hpp"

#include <chrono>
#include <filesystem>
#include <string>

namespace ocne::oxide {

struct ImportOptions
{
  std::string project;
  std::string image_name;
  // Free text for the image's description; the digest is appended to it.
  std::string description;
  std::string os = "linux";
  std::string version;
  std::uint32_t block_size = 512;
  // Parallel uploaders, each with its own connection.
  int workers = 8;
  // Skip chunks that are all zeros (the disk starts zeroed). Off only to
  // measure what skipping saves.
  bool skip_zero_chunks = true;
  // Tries per chunk, each with the transport's own retries.
  int chunk_attempts = 3;
  // Where import journals live (<state dir>/oxide/imports). Empty: no
  // journal, so a killed run cannot be resumed.
  std::filesystem::path journal_dir;
  // How long to wait for the disk and the snapshot to become ready.
  std::chrono::milliseconds ready_timeout{ 120000 };
  std::chrono::milliseconds poll_interval{ 250 };
  Clock* clock = nullptr; // null: real_clock()
};

struct ImportResult
{
  Image image;
  bool reused = false;  // an image with this name and content existed
  bool resumed = false; // an interrupted earlier run was continued
  std::string digest;
  std::uint64_t disk_size = 0;
  std::uint64_t chunks_total = 0;
  std::uint64_t chunks_uploaded = 0;        // this run
  std::uint64_t chunks_already_written = 0; // by an earlier, interrupted run
  std::uint64_t chunks_zero = 0;            // skipped: all zeros
  std::uint64_t bytes_uploaded = 0;         // raw bytes sent this run
};

// The disk an image needs: its virtual size rounded up to whole GiB.
std::uint64_t disk_size_for(std::uint64_t virtual_size);

Result<ImportResult> import_image(Client& client,
                                  const qcow2::DiskImage& image,
                                  const ImportOptions& options,
                                  ProgressSink& progress);

} // namespace ocne::oxide
