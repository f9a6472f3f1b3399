#include "tests/servers/openapi/spec.hpp"

#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace ocne::test::openapi {
namespace {

using json = nlohmann::json;

std::shared_ptr<const Spec>
oxide_spec()
{
  auto spec = Spec::load(shared_path("specs/oxide-nexus.json"));
  EXPECT_TRUE(spec) << spec.error().message();
  return spec ? *spec : nullptr;
}

class OpenApiSpec : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    m_spec = oxide_spec();
    ASSERT_TRUE(m_spec);
    m_validator = std::make_unique<Validator>(m_spec);
  }

  std::vector<std::string>
  request(const std::string& method, const std::string& path, const Query& query, const std::string& body = "")
  {
    auto match = m_spec->find(method, path);
    EXPECT_TRUE(match) << method << " " << path;
    if (!match) {
      return { "no operation" };
    }
    return m_validator->check_request(*match, query, body.empty() ? "" : "application/json", body);
  }

  std::shared_ptr<const Spec> m_spec;
  std::unique_ptr<Validator> m_validator;
};

TEST_F(OpenApiSpec, LoadsOnceAndIndexesEveryOperation)
{
  EXPECT_EQ(m_spec->version(), "2026072800.0.0");
  EXPECT_GT(m_spec->operations().size(), 215U);
  // Loaded once: the second load hands back the same parsed spec.
  auto again = Spec::load(shared_path("specs/oxide-nexus.json"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), m_spec.get());
}

TEST_F(OpenApiSpec, FindsOperationsByTemplate)
{
  auto match = m_spec->find("POST", "/v1/disks/my-disk/bulk-write");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->operation->operation_id, "disk_bulk_write_import");
  EXPECT_EQ(match->path_params.at("disk"), "my-disk");
  // A literal segment wins over a template.
  match = m_spec->find("GET", "/v1/me");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->operation->operation_id, "current_user_view");
  EXPECT_FALSE(m_spec->find("PATCH", "/v1/disks/x"));
  EXPECT_TRUE(m_spec->has_path("/v1/disks/x"));
  EXPECT_FALSE(m_spec->has_path("/v1/nothing-here"));
  ASSERT_NE(m_spec->by_id("disk_create"), nullptr);
  EXPECT_EQ(m_spec->by_id("disk_create")->path_template, "/v1/disks");
}

TEST_F(OpenApiSpec, ChecksTheDiskCreateBody)
{
  const std::string ok = R"({"name":"tmp-disk","description":"","size":1073741824,
    "disk_backend":{"type":"distributed","disk_source":{"type":"importing_blocks","block_size":512}}})";
  EXPECT_EQ(request("POST", "/v1/disks", { { "project", "k8s" } }, ok), std::vector<std::string>{});
  // The shape before Dec 2025 (disk_source at the top) is not this spec's.
  const std::string old = R"({"name":"tmp-disk","description":"","size":1073741824,
    "disk_source":{"type":"importing_blocks","block_size":512}})";
  EXPECT_EQ(request("POST", "/v1/disks", { { "project", "k8s" } }, old),
            (std::vector<std::string>{ "body: missing required property \"disk_backend\"",
                                       "body: unknown property \"disk_source\"" }));
}

TEST_F(OpenApiSpec, ChecksQueryParameters)
{
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "k8s" }, { "limit", "100" } }), std::vector<std::string>{});
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "k8s" }, { "limit", "0" } }),
            std::vector<std::string>{ "query.limit: 0 is less than the minimum 1" });
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "k8s" }, { "limit", "many" } }),
            std::vector<std::string>{ "query.limit: expected integer, got string \"many\"" });
  // x-dropshot-pagination: project is required on the first page only.
  EXPECT_EQ(request("GET", "/v1/disks", {}),
            std::vector<std::string>{ "query: missing required parameter \"project\"" });
  EXPECT_EQ(request("GET", "/v1/disks", { { "page_token", "abc" } }), std::vector<std::string>{});
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "K8s" } }).size(), 1U);
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "k8s" }, { "colour", "blue" } }),
            std::vector<std::string>{ "query: unknown parameter \"colour\"" });
  EXPECT_EQ(request("GET", "/v1/disks", { { "project", "k8s" }, { "sort_by", "size" } }).size(), 1U);
}

TEST_F(OpenApiSpec, ChecksPathParameters)
{
  auto errors = request("GET", "/v1/disks/Bad_Name", { { "project", "k8s" } });
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("path.disk: \"Bad_Name\" matches none of the 2 oneOf variants", 0), 0U) << errors[0];
  EXPECT_EQ(request("GET", "/v1/disks/4f8c2a7e-0000-4000-8000-000000000001", {}), std::vector<std::string>{});
}

TEST_F(OpenApiSpec, ChecksBodiesPresenceAndJson)
{
  EXPECT_EQ(request("POST", "/v1/disks/d/bulk-write-start", { { "project", "p" } }), std::vector<std::string>{});
  EXPECT_EQ(request("POST", "/v1/disks/d/bulk-write-start", { { "project", "p" } }, "{}"),
            std::vector<std::string>{ "body: this operation takes no request body" });
  EXPECT_EQ(request("POST", "/v1/disks/d/finalize", { { "project", "p" } }),
            std::vector<std::string>{ "body: a request body is required" });
  EXPECT_EQ(request("POST", "/v1/disks/d/finalize", { { "project", "p" } }, "{}"), std::vector<std::string>{});
  auto errors = request("POST", "/v1/disks/d/bulk-write", { { "project", "p" } }, "{\"offset\":");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("body: not valid JSON", 0), 0U);
  EXPECT_EQ(
    request("POST", "/v1/disks/d/bulk-write", { { "project", "p" } }, R"({"offset":-512,"base64_encoded_data":""})"),
    (std::vector<std::string>{ "body.offset: -512 is out of range for uint64",
                               "body.offset: -512 is less than the minimum 0" }));
}

TEST_F(OpenApiSpec, ChecksResponses)
{
  const auto* view = m_spec->by_id("disk_view");
  ASSERT_NE(view, nullptr);
  const json disk = json::parse(R"({"id":"4f8c2a7e-0000-4000-8000-000000000001","name":"d","description":"",
    "block_size":512,"device_path":"/mnt/d","disk_type":"distributed","project_id":"4f8c2a7e-0000-4000-8000-000000000002",
    "read_only":false,"size":1073741824,"state":{"state":"import_ready"},
    "time_created":"2026-01-01T00:00:00Z","time_modified":"2026-01-01T00:00:00Z"})");
  EXPECT_EQ(m_validator->check_response(*view, 200, "application/json", disk.dump()), std::vector<std::string>{});
  auto bad = disk;
  bad["state"] = json{ { "state", "exploded" } };
  EXPECT_EQ(m_validator->check_response(*view, 200, "application/json", bad.dump()).size(), 1U);
  const json error = { { "request_id", "r1" }, { "error_code", "ObjectNotFound" }, { "message", "not found" } };
  EXPECT_EQ(m_validator->check_response(*view, 404, "application/json", error.dump()), std::vector<std::string>{});
  EXPECT_EQ(m_validator->check_response(*view, 404, "application/json", R"({"message":"x"})"),
            std::vector<std::string>{ "response: missing required property \"request_id\"" });
  const auto* start = m_spec->by_id("disk_bulk_write_import_start");
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(m_validator->check_response(*start, 204, "", ""), std::vector<std::string>{});
  EXPECT_EQ(m_validator->check_response(*start, 204, "application/json", "{}"),
            std::vector<std::string>{ "response: status 204 must have an empty body" });
  EXPECT_EQ(
    m_validator->check_response(*start, 200, "", ""),
    std::vector<std::string>{ "response: status 200 is not documented for POST /v1/disks/{disk}/bulk-write-start" });
}

} // namespace
} // namespace ocne::test::openapi
