#pragma once

// A loopback Oxide API server for tests. It serves the subset of the Nexus
// external API that ocne uses (projects, VPCs, subnets, firewall rules,
// disks with bulk import, snapshots, images, instances, floating IPs) and
// holds both sides to Oxide's published OpenAPI document: every request it
// accepts and every response it sends is validated against
// ../shared/specs/oxide-nexus.json. It enforces the rules Nexus and the
// Crucible pantry enforce (bearer auth, names, whole-GiB disk sizes, the
// import state machine, 512 KiB block-aligned bulk writes, "already exists"
// as 400) and stores disk blocks sparsely in unlinked temporary files.

#include "tests/support/http_server.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test {

struct OxideServerOptions
{
  // The OpenAPI document (default: <shared>/specs/oxide-nexus.json).
  std::filesystem::path spec_path;
  // Where disk blocks are stored (sparse, unlinked files). Default: TMPDIR.
  std::filesystem::path storage_dir;
  std::string token = "oxide-token-test";
  // Validate requests and responses against the spec. Turning it off is for
  // the test that proves validation is live.
  bool validate = true;
  // Also reject object keys and query parameters the spec does not declare
  // (Oxide ignores them; for our client they are always a bug).
  bool strict = true;
  // Highest api-version accepted (default: the spec's info.version).
  std::string max_api_version;
  // Page size when a list request gives no limit, and the largest allowed.
  std::uint32_t default_page_limit = 100;
  std::uint32_t max_page_limit = 1000;
  // A new importing disk stays "creating" this long before "import_ready".
  std::chrono::milliseconds import_ready_delay{ 0 };
  // A finalize snapshot stays "creating" this long before "ready".
  std::chrono::milliseconds snapshot_ready_delay{ 0 };
  // Seeded at start: a project (with its default VPC, subnet and firewall
  // rules, as Oxide creates them). Empty: none.
  std::string project = "k8s";
};

// Summary of a disk for assertions.
struct OxideDiskInfo
{
  std::string id;
  std::string name;
  std::string project;
  std::string state;
  std::uint64_t size = 0;
  std::uint32_t block_size = 0;
  std::uint64_t bytes_written = 0; // decoded bytes received by bulk writes
};

struct OxideImageInfo
{
  std::string id;
  std::string name;
  std::string project; // empty for silo images
  std::string description;
  std::string version;
  std::uint64_t size = 0;
};

class OxideServer
{
public:
  explicit OxideServer(OxideServerOptions options = {});
  ~OxideServer();
  OxideServer(const OxideServer&) = delete;
  OxideServer& operator=(const OxideServer&) = delete;

  void start();
  void stop();
  std::string url() const;
  int port() const;
  // 429/5xx with Retry-After, dropped connections, slow replies.
  FaultInjector& faults();
  const OxideServerOptions& options() const;

  // Faults by operation (after routing, so they can target one endpoint
  // whatever its path): the next `count` calls of operation_id, or each call
  // with `probability`, get an Oxide error with this status. The handler
  // does not run.
  void fail_operation(const std::string& operation_id, int count, int status = 503);
  void fail_operation_randomly(const std::string& operation_id,
                               double probability,
                               int status = 503,
                               std::uint64_t seed = 1);
  void clear_operation_faults();
  int operation_faults_injected() const;

  // Turns spec validation on or off while running.
  void set_validation(bool on);
  // Spec violations seen so far: rejected requests and (a server bug)
  // responses that did not match. Each entry names the operation.
  std::vector<std::string> violations() const;
  void clear_violations();
  // Requests served per operationId ("disk_bulk_write_import" -> 42).
  std::map<std::string, int> operation_counts() const;
  int count(const std::string& operation_id) const;

  // Seeding and inspection.
  void add_project(const std::string& name);
  void add_instance(const std::string& project, const std::string& name, const std::string& run_state = "running");
  // A project image, as if uploaded earlier (no content: reads of it give
  // nullopt). Returns its id.
  std::string add_image(const std::string& project, const std::string& name, std::uint64_t size = 1ULL << 30);
  std::vector<OxideDiskInfo> disks() const;
  std::vector<OxideImageInfo> images() const;
  std::vector<std::string> snapshot_names() const;
  // The digest of a disk's, snapshot's or image's content (found by id or
  // name) as ocne records it: see content_digest_of_file(); nullopt if absent.
  std::optional<std::string> content_digest(const std::string& id_or_name) const;
  // Bytes of a disk, snapshot or image.
  std::optional<std::string> read_content(const std::string& id_or_name,
                                          std::uint64_t offset,
                                          std::size_t length) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// An Oxide-shaped error body for injected faults.
Fault oxide_fault(int status, int retry_after = -1);

// The content digest ocne records for an image, computed from a raw file
// padded with zeros to disk_size: "sparse-sha256:<hex>", a SHA-256 over a header, the disk
// size and, for each 512 KiB chunk that is not all zeros, its offset and the
// SHA-256 of its bytes. Files reading past their end count as zeros.
std::string content_digest_of_file(const std::filesystem::path& raw_file, std::uint64_t disk_size);

} // namespace ocne::test
