#pragma once

// A loopback OCI for tests: Identity (compartments), Object Storage (namespace,
// buckets, objects, multipart uploads) and Compute (image import from an
// object, work requests, capability schemas, shape compatibility), all on one
// 127.0.0.1 port. Every request must carry a valid OCI signature for a
// registered key and a Date within the allowed skew, or it gets 401 as OCI
// answers it. Object bytes are stored sparsely (or only digested), so
// multi-GiB uploads stay cheap.

#include "tests/support/http_server.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::oci {

struct ServerOptions
{
  std::string tenancy = "ocid1.tenancy.oc1..aaaaaaaaocnetesttenancy";
  std::string namespace_name = "ocnetestns";
  // Where object bytes go (sparse files). Empty: keep only sizes and MD5s
  // (GetObject and import content checks are then unavailable).
  std::filesystem::path storage_dir;
  std::chrono::seconds max_clock_skew{ 300 };
  // How long an image import takes, from CreateImage to SUCCEEDED.
  std::chrono::milliseconds import_duration{ 1500 };
  // Items per page of every list call. Small pages make clients page.
  std::size_t page_size = 2;
  std::uint64_t min_part_size = 10ULL << 20;
  // HTTPS when both are set (PEM files).
  std::string cert_file;
  std::string key_file;
  int threads = 24;
};

struct ObjectInfo
{
  std::uint64_t size = 0;
  std::string etag;
  std::string content_md5;   // base64; single PutObject only
  std::string multipart_md5; // "<base64>-<parts>"; multipart only
  int part_count = 0;
  std::map<std::string, std::string> metadata; // opc-meta-* names
};

struct ImageInfo
{
  std::string id;
  std::string compartment_id;
  std::string display_name;
  std::string lifecycle_state;
  std::string launch_mode;
  std::string source_image_type; // "" for the .oci export form
  std::string source_object;
  std::map<std::string, std::string> freeform_tags;
  std::vector<std::string> shapes;
  std::string capability_schema_json; // schemaData of the image's schema, "" when none
};

class OciTestServer
{
public:
  explicit OciTestServer(ServerOptions options = {});
  ~OciTestServer();
  OciTestServer(const OciTestServer&) = delete;
  OciTestServer& operator=(const OciTestServer&) = delete;

  void start();
  void stop();
  std::string url() const;
  int port() const;
  const ServerOptions& options() const;

  // Keys the server accepts: keyId "<tenancy>/<user>/<fingerprint>".
  void add_api_key(const std::string& key_id, const std::string& public_key_pem);
  void add_session_token(const std::string& token, const std::string& public_key_pem);
  // Moves the server clock (to test stale Date headers).
  void set_clock_offset(std::chrono::seconds offset);

  // State set-up. Returns the new compartment's OCID.
  std::string add_compartment(const std::string& parent_id, const std::string& name, bool active = true);
  void add_bucket(const std::string& compartment_id, const std::string& name);
  // A ready image, as if imported earlier.
  std::string add_image(const std::string& compartment_id,
                        const std::string& display_name,
                        const std::map<std::string, std::string>& tags,
                        std::chrono::system_clock::time_point created,
                        const std::string& lifecycle_state = "AVAILABLE");

  // Faults before routing (any request): statuses with Retry-After, slow
  // answers, responses cut mid-body.
  FaultInjector& faults();
  // Faults inside PutObject and UploadPart: `status` answers after the whole
  // body arrived, `drop_mid_body` stops reading half-way and resets the
  // connection, `slow` delays.
  FaultInjector& upload_faults();
  // The next image import ends FAILED with this message.
  void fail_next_import(const std::string& message);

  // Inspection.
  std::optional<ObjectInfo> object(const std::string& bucket, const std::string& name) const;
  // Hex MD5 of an object's content as stored (parts in order).
  std::optional<std::string> object_content_md5(const std::string& bucket, const std::string& name) const;
  std::vector<std::string> bucket_names() const;
  // Upload ids of uncommitted multipart uploads in a bucket.
  std::vector<std::string> multipart_uploads(const std::string& bucket) const;
  std::vector<ImageInfo> images() const;
  // How many requests of an operation were answered (any status), e.g.
  // "UploadPart", "PutObject", "CreateImage", "ListCompartments".
  int count(const std::string& operation) const;
  // Part numbers of UploadPart calls that succeeded, in arrival order.
  std::vector<int> uploaded_parts() const;
  // The same, cleared in the same step, so that no part falls between two reads.
  std::vector<int> take_uploaded_parts();
  // Why requests were refused with 401, oldest first.
  std::vector<std::string> auth_failures() const;
  void reset_counters();

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

} // namespace ocne::test::oci
