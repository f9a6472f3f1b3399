#pragma once

// Object Storage calls: namespace, buckets, objects and the multipart set.
// The upload strategy (parallel parts, resume, verification) is upload.hpp.

#include "pkg/oci/client.hpp"
#include "pkg/oci/digest.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::oci {

// OCI accepts 1 to 256 letters, digits, '-', '_' and '.'.
Status validate_bucket_name(std::string_view name);

struct ObjectHead
{
  std::uint64_t size = 0;
  std::string etag;
  std::string content_md5;                     // base64, objects from a single PutObject
  std::string multipart_md5;                   // "<base64>-<parts>", multipart objects
  std::map<std::string, std::string> metadata; // "opc-meta-..." names, lowercase
};

struct MultipartUpload
{
  std::string upload_id;
  std::string object;
  std::string time_created;
};

struct UploadedPart
{
  int number = 0;
  std::string etag;
  std::string md5; // base64
  std::uint64_t size = 0;
};

// One part (or one whole object) read from a file range.
struct FileRange
{
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Hooks for a body being streamed: bytes sent (negative after a rewind for a
// retry), and a stop flag checked on every read.
struct StreamHooks
{
  std::function<void(std::int64_t delta)> on_progress;
  const std::atomic<bool>* stop = nullptr;
};

// What a PUT of file bytes ended with: the server's ETag and the MD5 of what
// was sent, already checked against the server's opc-content-md5.
struct PutResult
{
  std::string etag;
  Md5Digest md5{};
};

class ObjectStorage
{
public:
  explicit ObjectStorage(const Client& client) : m_client(client)
  {
  }

  const Client&
  client() const
  {
    return m_client;
  }

  Result<std::string> get_namespace() const;
  Result<bool> bucket_exists(const std::string& ns, const std::string& bucket) const;
  Status create_bucket(const std::string& ns, const std::string& compartment_id, const std::string& bucket) const;
  // Creates the bucket when missing; true when it was created.
  Result<bool> ensure_bucket(const std::string& ns, const std::string& compartment_id, const std::string& bucket) const;

  Result<std::optional<ObjectHead>> head_object(const std::string& ns,
                                                const std::string& bucket,
                                                const std::string& object) const;
  // A single PutObject of a file range, with Content-MD5 (md5 known up front).
  Result<PutResult> put_object(const std::string& ns,
                               const std::string& bucket,
                               const std::string& object,
                               const FileRange& range,
                               const Md5Digest& md5,
                               const std::map<std::string, std::string>& metadata,
                               const StreamHooks& hooks = {}) const;
  Status delete_object(const std::string& ns, const std::string& bucket, const std::string& object) const;

  Result<MultipartUpload> create_multipart_upload(const std::string& ns,
                                                  const std::string& bucket,
                                                  const std::string& object,
                                                  const std::map<std::string, std::string>& metadata) const;
  Result<std::vector<MultipartUpload>> list_multipart_uploads(const std::string& ns, const std::string& bucket) const;
  Result<std::vector<UploadedPart>> list_parts(const std::string& ns,
                                               const std::string& bucket,
                                               const std::string& object,
                                               const std::string& upload_id) const;
  // Streams the range, hashing it on the way; a part whose opc-content-md5
  // differs from what was sent is an error (ErrorKind::transient).
  Result<PutResult> upload_part(const std::string& ns,
                                const std::string& bucket,
                                const std::string& object,
                                const std::string& upload_id,
                                int part_number,
                                const FileRange& range,
                                const StreamHooks& hooks = {}) const;
  // Returns the opc-multipart-md5 the service computed.
  Result<std::string> commit_multipart_upload(const std::string& ns,
                                              const std::string& bucket,
                                              const std::string& object,
                                              const std::string& upload_id,
                                              const std::vector<std::pair<int, std::string>>& parts,
                                              const std::vector<int>& exclude) const;
  Status abort_multipart_upload(const std::string& ns,
                                const std::string& bucket,
                                const std::string& object,
                                const std::string& upload_id) const;

  std::string object_url(const std::string& ns, const std::string& bucket, const std::string& object) const;
  std::string upload_url(const std::string& ns, const std::string& bucket, const std::string& object) const;

private:
  Result<PutResult> put_range(std::string_view what,
                              http::Request request,
                              const FileRange& range,
                              const StreamHooks& hooks) const;
  const Client& m_client;
};

} // namespace ocne::oci
