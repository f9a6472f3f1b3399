#pragma once

// A client for the Oxide API (the Nexus external API): bearer-token auth, an
// optional api-version header, paginated lists, Oxide's error body
// (request_id, error_code, message) in every error, retries with backoff on
// 429/503 and on connection errors for idempotent calls (pkg/http).
//
// Objects are addressed as Oxide does: a name needs its project, an id must
// come without it. Methods that take `project` and `name_or_id` do the right
// thing for both.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/http/transport.hpp"
#include "pkg/oxide/types.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ocne::oxide {

// The API version this client was written against (the spec's info.version).
inline constexpr const char* k_api_version = "2026072800.0.0";

struct ClientOptions
{
  // The silo's API host: "https://oxide.sys.example.com" ("https://" is
  // assumed when no scheme is given).
  std::string host;
  Secret token;
  // Sent as the api-version header; nullopt sends none (the rack then uses
  // its latest). A rack that rejects the header is retried without it.
  std::optional<std::string> api_version = std::string(k_api_version);
  http::TlsOptions tls;
  http::RetryPolicy retry;
  // Per-attempt time limit.
  std::chrono::milliseconds timeout{ 60000 };
  // Page size for list calls.
  std::uint32_t page_limit = 100;
};

// Normalises a host: adds https:// when no scheme is given, drops trailing '/'.
std::string normalize_host(std::string_view host);

class Client
{
public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& host() const;

  // Identity: the display name of the token's user. A refused token is an
  // ErrorKind::auth error that says so.
  Result<std::string> current_user();

  // Projects.
  Result<std::vector<Project>> list_projects();
  Result<Project> get_project(const std::string& name_or_id);
  Result<Project> create_project(const std::string& name, const std::string& description);
  Status delete_project(const std::string& name_or_id);

  // VPCs, subnets and firewall rules.
  Result<std::vector<Vpc>> list_vpcs(const std::string& project);
  Result<Vpc> get_vpc(const std::string& project, const std::string& name_or_id);
  Result<Vpc> create_vpc(const std::string& project, const std::string& name, const std::string& description);
  Result<std::vector<Subnet>> list_subnets(const std::string& project, const std::string& vpc);
  Result<Subnet> get_subnet(const std::string& project, const std::string& vpc, const std::string& name_or_id);
  Result<std::vector<FirewallRule>> get_firewall_rules(const std::string& project, const std::string& vpc);
  // Replaces the VPC's whole rule list (Oxide's PUT semantics).
  Result<std::vector<FirewallRule>> set_firewall_rules(const std::string& project,
                                                       const std::string& vpc,
                                                       const std::vector<FirewallRule>& rules);
  // Read-modify-write: adds the rule, or replaces the rule of the same name
  // when it differs. Returns whether anything changed.
  Result<bool> ensure_firewall_rule(const std::string& project, const std::string& vpc, const FirewallRule& rule);

  // Images (project images when project is set, silo images otherwise).
  Result<std::vector<Image>> list_images(const std::string& project);
  Result<Image> get_image(const std::string& project, const std::string& name_or_id);
  // nullopt when there is no such image.
  Result<std::optional<Image>> find_image(const std::string& project, const std::string& name);
  Result<Image> create_image(const std::string& project, const ImageCreate& image);
  Status delete_image(const std::string& project, const std::string& name_or_id);

  // Snapshots.
  Result<std::vector<Snapshot>> list_snapshots(const std::string& project);
  Result<Snapshot> get_snapshot(const std::string& project, const std::string& name_or_id);
  Result<std::optional<Snapshot>> find_snapshot(const std::string& project, const std::string& name);
  Status delete_snapshot(const std::string& project, const std::string& name_or_id);

  // Disks and the bulk import of their blocks.
  Result<std::vector<Disk>> list_disks(const std::string& project);
  Result<Disk> get_disk(const std::string& project, const std::string& name_or_id);
  Result<std::optional<Disk>> find_disk(const std::string& project, const std::string& name);
  // A distributed disk in "import ready" state (source importing_blocks).
  Result<Disk> create_import_disk(const std::string& project,
                                  const std::string& name,
                                  const std::string& description,
                                  std::uint64_t size,
                                  std::uint32_t block_size);
  Status delete_disk(const std::string& project, const std::string& name_or_id);
  Status bulk_write_start(const std::string& disk_id);
  // Writes raw bytes (at most 512 KiB, block aligned) at a byte offset.
  Status bulk_write(const std::string& disk_id, std::uint64_t offset, std::span<const char> data);
  Status bulk_write_stop(const std::string& disk_id);
  // Finalizes an import; with a snapshot name, a snapshot is taken.
  Status finalize_disk(const std::string& disk_id, const std::optional<std::string>& snapshot_name);

  // Instances.
  Result<std::vector<Instance>> list_instances(const std::string& project);
  Result<Instance> get_instance(const std::string& project, const std::string& name_or_id);
  Result<Instance> stop_instance(const std::string& project, const std::string& name_or_id);
  Status delete_instance(const std::string& project, const std::string& name_or_id);

  // Floating IPs.
  Result<std::vector<FloatingIp>> list_floating_ips(const std::string& project);
  Result<FloatingIp> get_floating_ip(const std::string& project, const std::string& name_or_id);
  Result<FloatingIp> create_floating_ip(const std::string& project, const FloatingIpCreate& create);
  Result<FloatingIp> detach_floating_ip(const std::string& project, const std::string& name_or_id);
  Status delete_floating_ip(const std::string& project, const std::string& name_or_id);

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

// Whether s is a valid Oxide name: 1-63 characters, a lower-case letter
// first, then letters, digits and '-', not ending in '-', not a UUID.
bool valid_name(std::string_view s);
bool looks_like_uuid(std::string_view s);

} // namespace ocne::oxide
