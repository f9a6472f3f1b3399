#pragma once

// Uploading a file to Object Storage the fast and safe way:
//  - files up to one part are a single PutObject with Content-MD5;
//  - larger files are a multipart upload: parts streamed from disk with pread
//    (never the whole file in memory), `parallelism` at a time, each hashed
//    while it is sent and checked against the service's opc-content-md5,
//    retried with backoff; the commit's opc-multipart-md5 is checked too;
//  - an interrupted upload (killed, Ctrl-C, network gone) is resumed: the
//    service's list of uploads for the object and of their parts is the truth,
//    parts already there whose MD5 matches the file are kept;
//  - an upload that fails for good is aborted, so nothing is left dangling
//    (an interrupted one is kept so that the next run resumes it);
//  - an object that already holds this file (same size and MD5) is reused.

#include "pkg/core/progress.hpp"
#include "pkg/oci/object_storage.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace ocne::oci {

inline constexpr std::uint64_t k_mib = 1ULL << 20;
inline constexpr std::uint64_t k_min_part_size = 10 * k_mib;
inline constexpr std::uint64_t k_max_parts = 10000;

struct UploadOptions
{
  std::string namespace_name;
  std::string bucket;
  std::string object_name;
  std::string file;
  // 128 MiB x 10, like `oci os object put`; raised when the file would need
  // more than 10,000 parts.
  std::uint64_t part_size = 128 * k_mib;
  int parallelism = 10;
  // Extra object metadata ("opc-meta-..." keys).
  std::map<std::string, std::string> metadata;
  // Rounds per part on top of the transport's own retries.
  int part_attempts = 3;
  std::chrono::milliseconds part_retry_delay{ 1000 };
  // Where a note of the upload in progress and its lock go (OCNE_HOME);
  // empty: no lock and no note (the service listing still drives resume).
  std::filesystem::path state_dir;
  bool reuse_existing_object = true;
};

struct UploadResult
{
  bool multipart = false;
  bool reused_object = false; // the object already held the file
  bool resumed = false;       // an earlier multipart upload was continued
  std::string upload_id;
  int parts_total = 0;
  int parts_uploaded = 0;
  int parts_reused = 0;
  std::uint64_t part_size = 0;
  std::uint64_t bytes_sent = 0;
  // base64 MD5 (single PutObject) or "<base64>-<parts>" (multipart).
  std::string md5;
};

// The part size actually used for a file: at least the requested one and
// large enough for at most 10,000 parts (rounded up to whole MiB).
std::uint64_t effective_part_size(std::uint64_t file_size, std::uint64_t requested);

Result<UploadResult> upload_file(const ObjectStorage& storage, const UploadOptions& options, ProgressSink& progress);

} // namespace ocne::oci
