#include "tests/servers/oxide/oxide_server.hpp"

#include "pkg/http/transport.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::test {
namespace {

using json = nlohmann::json;

std::string
b64(const std::string& in)
{
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8) |
                   std::uint8_t(in[i + 2]);
    out += abc[n >> 18];
    out += abc[(n >> 12) & 63];
    out += abc[(n >> 6) & 63];
    out += abc[n & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) {
      n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    }
    out += abc[n >> 18];
    out += abc[(n >> 12) & 63];
    out += i + 1 < in.size() ? abc[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

class OxideServerTest : public TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    OxideServerOptions options;
    options.storage_dir = dir();
    options.default_page_limit = 2;
    m_server = std::make_unique<OxideServer>(options);
    m_server->start();
  }

  void
  TearDown() override
  {
    if (m_server && m_check_violations) {
      EXPECT_EQ(m_server->violations(), std::vector<std::string>{});
    }
  }

  struct Answer
  {
    long status = 0;
    json body;
  };

  Answer
  call(const std::string& method,
       const std::string& target,
       const json& body = nullptr,
       const std::string& token = "oxide-token-test",
       const std::string& api_version = "")
  {
    http::Request r;
    r.method = method;
    r.url = m_server->url() + target;
    if (!token.empty()) {
      r.headers.set("Authorization", "Bearer " + token);
    }
    if (!api_version.empty()) {
      r.headers.set("api-version", api_version);
    }
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers.set("Content-Type", "application/json");
    }
    auto response = m_transport.send(std::move(r));
    EXPECT_TRUE(response) << response.error().message();
    Answer a;
    if (response) {
      a.status = response->status;
      if (!response->body.empty()) {
        a.body = json::parse(response->body);
      }
    }
    return a;
  }

  // Creates an importing disk and returns its id.
  std::string
  import_disk(const std::string& name, std::uint64_t size = 1ULL << 30)
  {
    auto a = call("POST",
                  "/v1/disks?project=k8s",
                  json{ { "name", name },
                        { "description", "" },
                        { "size", size },
                        { "disk_backend",
                          { { "type", "distributed" },
                            { "disk_source", { { "type", "importing_blocks" }, { "block_size", 512 } } } } } });
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return a.body.value("id", "");
  }

  std::unique_ptr<OxideServer> m_server;
  http::Transport m_transport{ http::TransportOptions{ .retry = { .max_attempts = 1 } } };
  bool m_check_violations = true;
};

TEST_F(OxideServerTest, AuthAndPing)
{
  EXPECT_EQ(call("GET", "/v1/ping", nullptr, "").body, (json{ { "status", "ok" } }));
  auto a = call("GET", "/v1/me", nullptr, "");
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.body["error_code"], "Unauthorized");
  EXPECT_EQ(a.body["message"], "credentials missing or invalid");
  EXPECT_TRUE(a.body.contains("request_id"));
  EXPECT_EQ(call("GET", "/v1/me", nullptr, "wrong").status, 401);
  a = call("GET", "/v1/me");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["display_name"], "ocne-test");
}

TEST_F(OxideServerTest, UnknownRoutesAndMethods)
{
  auto a = call("GET", "/v1/nothing");
  EXPECT_EQ(a.status, 404);
  EXPECT_FALSE(a.body.contains("error_code"));
  EXPECT_EQ(call("PUT", "/v1/disks/x", json::object()).status, 405);
}

TEST_F(OxideServerTest, ApiVersionHeader)
{
  EXPECT_EQ(call("GET", "/v1/me", nullptr, "oxide-token-test", "2026072800.0.0").status, 200);
  EXPECT_EQ(call("GET", "/v1/me", nullptr, "oxide-token-test", "2025010100.0.0").status, 200);
  auto a = call("GET", "/v1/me", nullptr, "oxide-token-test", "latest");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "bad value for header \"api-version\": \"latest\"");
  a = call("GET", "/v1/me", nullptr, "oxide-token-test", "2099010100.0.0");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "server does not support this API version: 2099010100.0.0");
}

TEST_F(OxideServerTest, ProjectsNamesAndAlreadyExists)
{
  auto a = call("POST", "/v1/projects", json{ { "name", "dev" }, { "description", "d" } });
  ASSERT_EQ(a.status, 201) << a.body.dump();
  a = call("POST", "/v1/projects", json{ { "name", "dev" }, { "description", "d" } });
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error_code"], "ObjectAlreadyExists");
  EXPECT_EQ(a.body["message"], "already exists: project \"dev\"");
  a = call("GET", "/v1/projects/nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body["message"], "not found: project with name \"nope\"");
  // The default VPC and subnet come with a new project.
  a = call("GET", "/v1/vpc-subnets/default?project=dev&vpc=default");
  EXPECT_EQ(a.status, 200) << a.body.dump();
}

TEST_F(OxideServerTest, SpecValidationIsLive)
{
  // DiskCreate in the shape used before Dec 2025 (disk_source at the top):
  // only the spec check can tell, the handler would happily ignore it.
  const json old_shape = { { "name", "old" },
                           { "description", "" },
                           { "size", 1ULL << 30 },
                           { "disk_source", { { "type", "importing_blocks" }, { "block_size", 512 } } },
                           { "disk_backend",
                             { { "type", "distributed" },
                               { "disk_source", { { "type", "importing_blocks" }, { "block_size", 512 } } } } } };
  auto a = call("POST", "/v1/disks?project=k8s", old_shape);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "request does not match the Oxide API: body: unknown property \"disk_source\"");
  ASSERT_EQ(m_server->violations().size(), 1U);
  EXPECT_EQ(m_server->violations()[0], "disk_create: request: body: unknown property \"disk_source\"");
  m_server->clear_violations();

  // The control: with validation off the same request goes through, so the
  // 400 above came from the spec check.
  m_server->set_validation(false);
  EXPECT_EQ(call("POST", "/v1/disks?project=k8s", old_shape).status, 201);
  m_server->set_validation(true);

  a = call("GET", "/v1/disks?project=k8s&limit=0");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "request does not match the Oxide API: query.limit: 0 is less than the minimum 1");
  m_server->clear_violations();
}

TEST_F(OxideServerTest, DiskSizesFollowNexusRules)
{
  auto create = [&](std::uint64_t size) {
    return call("POST",
                "/v1/disks?project=k8s",
                json{ { "name", "d" },
                      { "description", "" },
                      { "size", size },
                      { "disk_backend",
                        { { "type", "distributed" },
                          { "disk_source", { { "type", "importing_blocks" }, { "block_size", 4096 } } } } } });
  };
  auto a = create((1ULL << 30) + 4096);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error_code"], "InvalidValue");
  EXPECT_EQ(a.body["message"], "unsupported value for \"size\": total size must be a multiple of 1 GiB");
  EXPECT_EQ(create(512 << 20).body["message"], "unsupported value for \"size\": total size must be at least 1 GiB");
  EXPECT_EQ(create((1ULL << 30) + 512).body["message"],
            "unsupported value for \"size\": total size must be a multiple of block size 4096");
  EXPECT_EQ(create(1024ULL << 30).body["message"],
            "unsupported value for \"size\": total size must be at most 1023 GiB");
  EXPECT_EQ(create(1ULL << 30).status, 201);
}

TEST_F(OxideServerTest, ImportFlowToImage)
{
  const auto id = import_disk("tmp-disk");
  auto a = call("GET", "/v1/disks/tmp-disk?project=k8s");
  EXPECT_EQ(a.body["state"]["state"], "import_ready");
  // Bulk writes before start are refused.
  const std::string chunk(512 * 1024, 'x');
  a = call("POST", "/v1/disks/" + id + "/bulk-write", json{ { "offset", 0 }, { "base64_encoded_data", b64(chunk) } });
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "cannot import blocks with a bulk write for disk in state import_ready");
  EXPECT_EQ(call("POST", "/v1/disks/" + id + "/bulk-write-start").status, 204);
  EXPECT_EQ(call("POST", "/v1/disks/" + id + "/bulk-write-start").status, 400);
  EXPECT_EQ(call("POST",
                 "/v1/disks/" + id + "/bulk-write",
                 json{ { "offset", 1 << 20 }, { "base64_encoded_data", b64(chunk) } })
              .status,
            204);
  // The pantry's rules.
  a = call("POST",
           "/v1/disks/" + id + "/bulk-write",
           json{ { "offset", 100 }, { "base64_encoded_data", b64(std::string(512, 'y')) } });
  EXPECT_EQ(a.body["message"], "offset 100 is not aligned to the block size 512");
  a = call("POST",
           "/v1/disks/" + id + "/bulk-write",
           json{ { "offset", 0 }, { "base64_encoded_data", b64(std::string(100, 'y')) } });
  EXPECT_EQ(a.body["message"], "data len 100 is not a multiple of the block size 512");
  a = call("POST",
           "/v1/disks/" + id + "/bulk-write",
           json{ { "offset", 0 }, { "base64_encoded_data", b64(std::string(512 * 1024 + 512, 'y')) } });
  EXPECT_EQ(a.body["message"], "data len 524800 over max chunk size 524288");
  a =
    call("POST", "/v1/disks/" + id + "/bulk-write", json{ { "offset", 0 }, { "base64_encoded_data", "not base64!" } });
  EXPECT_EQ(a.body["message"], "error base64 decoding data");
  a = call("POST",
           "/v1/disks/" + id + "/bulk-write",
           json{ { "offset", 1ULL << 30 }, { "base64_encoded_data", b64(std::string(512, 'y')) } });
  EXPECT_EQ(a.body["message"],
            "write of 512 bytes at offset 1073741824 goes past the end of the disk (1073741824 bytes)");
  // Finalize needs import_ready; a disk in the middle of an import cannot be deleted.
  a = call("POST", "/v1/disks/" + id + "/finalize", json::object());
  EXPECT_EQ(a.body["message"], "cannot finalize disk in state importing_from_bulk_writes");
  a = call("DELETE", "/v1/disks/" + id);
  EXPECT_EQ(a.body["message"], "disk cannot be deleted in state \"importing_from_bulk_writes\"");
  EXPECT_EQ(call("POST", "/v1/disks/" + id + "/bulk-write-stop").status, 204);
  a = call("POST", "/v1/disks/" + id + "/finalize?project=k8s", json::object());
  EXPECT_EQ(a.body["message"], "when providing disk as an ID project should not be specified");
  EXPECT_EQ(call("POST", "/v1/disks/tmp-disk/finalize?project=k8s", json{ { "snapshot_name", "tmp-snap" } }).status,
            204);
  a = call("GET", "/v1/snapshots/tmp-snap?project=k8s");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["state"], "ready");
  a = call("POST",
           "/v1/images?project=k8s",
           json{ { "name", "node-image" },
                 { "description", "d" },
                 { "os", "ol" },
                 { "version", "9" },
                 { "source", { { "type", "snapshot" }, { "id", a.body["id"] } } } });
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["size"], 1ULL << 30);
  EXPECT_EQ(a.body["block_size"], 512);
  // The image holds what was written.
  const auto content = m_server->read_content("node-image", 1 << 20, 512 * 1024);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, chunk);
  EXPECT_EQ(m_server->read_content("node-image", 0, 4), std::string(4, '\0'));
  const auto raw = write("expected.raw", "");
  std::filesystem::resize_file(raw, 1 << 20);
  {
    std::ofstream out(raw, std::ios::app | std::ios::binary);
    out << chunk;
  }
  EXPECT_EQ(m_server->content_digest("node-image"), content_digest_of_file(raw, 1ULL << 30));
  EXPECT_EQ(call("DELETE", "/v1/snapshots/tmp-snap?project=k8s").status, 204);
  EXPECT_EQ(call("DELETE", "/v1/disks/tmp-disk?project=k8s").status, 204);
  EXPECT_EQ(m_server->read_content("node-image", 1 << 20, 3), std::string("xxx"));
  EXPECT_EQ(m_server->disks().size(), 0U);
}

TEST_F(OxideServerTest, SparseStorageForLargeDisks)
{
  const auto id = import_disk("big", 1000ULL << 30);
  ASSERT_EQ(call("POST", "/v1/disks/" + id + "/bulk-write-start").status, 204);
  const std::string chunk(4096, 'z');
  ASSERT_EQ(call("POST",
                 "/v1/disks/" + id + "/bulk-write",
                 json{ { "offset", (999ULL << 30) }, { "base64_encoded_data", b64(chunk) } })
              .status,
            204);
  EXPECT_EQ(m_server->read_content("big", 999ULL << 30, 4096), chunk);
  EXPECT_EQ(m_server->disks()[0].bytes_written, 4096U);
  EXPECT_EQ(m_server->content_digest("big")->rfind("sparse-sha256:", 0), 0U);
}

TEST_F(OxideServerTest, PaginationWalksAllPages)
{
  for (const char* name : { "a", "b", "c", "d", "e" }) {
    import_disk(name);
  }
  std::vector<std::string> names;
  std::string target = "/v1/disks?project=k8s";
  int pages = 0;
  while (true) {
    auto a = call("GET", target);
    ASSERT_EQ(a.status, 200) << a.body.dump();
    ++pages;
    for (const auto& item : a.body["items"]) {
      names.push_back(item["name"]);
    }
    if (a.body["next_page"].is_null()) {
      break;
    }
    target = "/v1/disks?page_token=" + a.body["next_page"].get<std::string>();
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{ "a", "b", "c", "d", "e" }));
  auto a = call("GET", "/v1/disks?project=k8s&limit=10&sort_by=name_descending");
  EXPECT_EQ(a.body["items"][0]["name"], "e");
}

TEST_F(OxideServerTest, FirewallRulesAreReplacedWhole)
{
  auto a = call("GET", "/v1/vpc-firewall-rules?project=k8s&vpc=default");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["rules"].size(), 3U);
  json rules = json::array();
  for (const auto& r : a.body["rules"]) {
    json u = r;
    for (const char* k : { "id", "vpc_id", "time_created", "time_modified" }) {
      u.erase(k);
    }
    rules.push_back(u);
  }
  rules.push_back(
    json{ { "name", "allow-kube-api" },
          { "description", "k8s API" },
          { "action", "allow" },
          { "direction", "inbound" },
          { "priority", 100 },
          { "status", "enabled" },
          { "targets", json::array({ json{ { "type", "vpc" }, { "value", "default" } } }) },
          { "filters",
            { { "ports", json::array({ "6443" }) }, { "protocols", json::array({ json{ { "type", "tcp" } } }) } } } });
  a = call("PUT", "/v1/vpc-firewall-rules?project=k8s&vpc=default", json{ { "rules", rules } });
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["rules"].size(), 4U);
  a = call("PUT", "/v1/vpc-firewall-rules?project=k8s&vpc=default", json{ { "rules", json::array() } });
  EXPECT_EQ(call("GET", "/v1/vpc-firewall-rules?project=k8s&vpc=default").body["rules"].size(), 0U);
  a = call("GET", "/v1/vpc-firewall-rules?project=k8s&vpc=nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body["message"], "not found: vpc with name \"nope\"");
}

TEST_F(OxideServerTest, InstancesAndFloatingIps)
{
  m_server->add_instance("k8s", "cp-1");
  auto a = call("POST", "/v1/floating-ips?project=k8s", json{ { "name", "api" }, { "description", "" } });
  ASSERT_EQ(a.status, 201) << a.body.dump();
  a = call("POST", "/v1/floating-ips/api/attach?project=k8s", json{ { "kind", "instance" }, { "parent", "cp-1" } });
  ASSERT_EQ(a.status, 202) << a.body.dump();
  a = call("DELETE", "/v1/floating-ips/api?project=k8s");
  EXPECT_EQ(a.body["message"], "Floating IP cannot be deleted while attached to an instance");
  a = call("DELETE", "/v1/instances/cp-1?project=k8s");
  EXPECT_EQ(a.body["message"], "cannot delete instance: instance is running; stop it first");
  a = call("POST", "/v1/instances/cp-1/stop?project=k8s");
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(a.body["run_state"], "stopping");
  EXPECT_EQ(call("GET", "/v1/instances/cp-1?project=k8s").body["run_state"], "stopped");
  EXPECT_EQ(call("DELETE", "/v1/instances/cp-1?project=k8s").status, 204);
  EXPECT_EQ(call("DELETE", "/v1/floating-ips/api?project=k8s").status, 204);
}

TEST_F(OxideServerTest, InjectedFaultsAreOxideShaped)
{
  m_server->faults().fail_next(1, oxide_fault(503, 1), "GET", "/v1/me");
  auto a = call("GET", "/v1/me");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.body["error_code"], "ServiceNotAvailable");
  EXPECT_EQ(call("GET", "/v1/me").status, 200);
}

} // namespace
} // namespace ocne::test
