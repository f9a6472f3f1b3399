#pragma once

// Internals shared by the test server's route files.

#include "tests/servers/oci/auth.hpp"
#include "tests/servers/oci/blob_store.hpp"
#include "tests/servers/oci/oci_test_server.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <mutex>

namespace ocne::test::oci {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

struct Compartment
{
  std::string id;
  std::string parent;
  std::string name;
  std::string state = "ACTIVE";
  std::string time_created;
};

struct Part
{
  BlobPtr blob;
  std::string etag;
};

struct Upload
{
  std::string id;
  std::string object;
  std::string time_created;
  std::map<int, Part> parts;
  std::map<std::string, std::string> metadata;
};

struct Object
{
  std::vector<BlobPtr> blobs;
  std::uint64_t size = 0;
  std::string etag;
  std::string content_md5;
  std::string multipart_md5;
  std::map<std::string, std::string> metadata;
  std::string last_modified;
};

struct Bucket
{
  std::string name;
  std::string compartment_id;
  std::string etag;
  std::string time_created;
  std::map<std::string, Object> objects;
  std::map<std::string, Upload> uploads; // by upload id
};

struct Image
{
  std::string id;
  std::string compartment_id;
  std::string display_name;
  std::string launch_mode;
  std::string source_image_type;
  std::string source_namespace;
  std::string source_bucket;
  std::string source_object;
  std::string operating_system;
  std::string operating_system_version;
  std::map<std::string, std::string> tags;
  std::vector<std::string> shapes;
  Clock::time_point created;
  std::string time_created;
  std::string state = "IMPORTING";
  std::string work_request_id;
  std::uint64_t seq = 0;
};

struct WorkRequest
{
  std::string id;
  std::string image_id;
  std::string compartment_id;
  Clock::time_point accepted;
  std::string time_accepted;
  std::string status = "ACCEPTED";
  int percent = 0;
  std::string time_finished;
  std::string fail_message; // set up front by fail_next_import
  std::vector<json> errors;
};

struct CapabilitySchema
{
  std::string id;
  std::string compartment_id;
  std::string image_id;
  std::string version_name;
  json schema_data;
  std::string time_created;
};

// Matches a path against a route pattern; fills args on success. A trailing
// '/' on the path is ignored.
bool match_route(const std::string& pattern, const std::string& path, std::vector<std::string>& args);

// One request being answered.
struct Call
{
  const httplib::Request& req;
  httplib::Response& res;
  const httplib::ContentReader* reader = nullptr;
  std::vector<std::string> args; // path pieces matched by {} and {*}
  std::string body;              // JSON requests only
  std::string
  path_arg(std::size_t i) const
  {
    return args.at(i - 1);
  }
  std::string
  param(const std::string& name) const
  {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
  }
};

struct OciTestServer::Impl
{
  ServerOptions options;
  std::unique_ptr<TestHttpServer> http;
  FaultInjector upload_faults;
  SignatureVerifier verifier;
  std::atomic<long long> clock_offset_s{ 0 };

  mutable std::mutex mutex;
  std::map<std::string, Compartment> compartments; // by id
  std::vector<std::string> compartment_order;      // creation order
  std::map<std::string, Bucket> buckets;
  std::map<std::string, Image> images;
  std::map<std::string, WorkRequest> work_requests;
  std::map<std::string, CapabilitySchema> schemas;
  std::map<std::string, std::string> retry_tokens; // opc-retry-token -> image id
  std::string next_import_failure;
  std::map<std::string, int> counts;
  std::vector<int> uploaded_parts;
  std::vector<std::string> auth_failures;
  std::uint64_t seq = 0;

  // Route table.
  enum class BodyKind { none, json, stream };
  struct Route
  {
    std::string method;
    std::string pattern; // "/n/{}/b/{}/o/{*}": {} is one segment, {*} the rest
    std::string operation;
    BodyKind body;
    std::function<void(Impl&, Call&)> handler;
  };
  std::vector<Route> routes;

  explicit Impl(ServerOptions o);
  void add_route(std::string method,
                 const std::string& pattern,
                 std::string operation,
                 BodyKind body,
                 std::function<void(Impl&, Call&)> handler);
  void dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader);

  Clock::time_point now() const;
  std::string new_id(const std::string& kind);
  std::string timestamp(Clock::time_point t) const;
  std::string etag();

  // Answers.
  static void reply_json(Call& c, int status, const json& body);
  static void error(Call& c, int status, const std::string& code, const std::string& message);
  // Pages a list: the page token is the offset.
  template<typename T>
  std::vector<T> page(Call& c, const std::vector<T>& all);

  // Looks things up or answers 404.
  Bucket* bucket_or_404(Call& c, const std::string& ns, const std::string& name);
  bool compartment_exists(const std::string& id) const;

  // Reads a streamed body into a blob; returns nullptr when the call was answered (fault or error).
  BlobPtr receive_body(Call& c);

  void advance_import(Image& image, WorkRequest& wr);
  std::string validate_import_source(const Image& image);

  void register_identity();
  void register_object_storage();
  void register_compute();
};

template<typename T>
std::vector<T>
OciTestServer::Impl::page(Call& c, const std::vector<T>& all)
{
  std::size_t limit = options.page_size;
  if (const auto l = c.param("limit"); !l.empty()) {
    limit = std::min<std::size_t>(limit, std::stoul(l));
  }
  std::size_t start = 0;
  if (const auto p = c.param("page"); !p.empty()) {
    start = std::stoul(p);
  }
  std::vector<T> out;
  for (std::size_t i = start; i < all.size() && out.size() < limit; ++i) {
    out.push_back(all[i]);
  }
  if (start + limit < all.size()) {
    c.res.set_header("opc-next-page", std::to_string(start + limit));
  }
  return out;
}

} // namespace ocne::test::oci
