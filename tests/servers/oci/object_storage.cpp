// Object Storage: namespace, buckets, objects and multipart uploads, with
// OCI's MD5 and ETag rules.

#include "tests/servers/oci/server_impl.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace ocne::test::oci {

namespace {

using S = OciTestServer::Impl;

bool
valid_bucket_name(const std::string& name)
{
  if (name.empty() || name.size() > 256) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](unsigned char ch) {
    return std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.';
  });
}

std::string
http_date_now()
{
  const auto t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::map<std::string, std::string>
meta_headers(const httplib::Request& req)
{
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (lower.rfind("opc-meta-", 0) == 0) {
      out[lower] = v;
    }
  }
  return out;
}

std::string
b64(const Md5& m)
{
  return to_base64(m.data(), m.size());
}

void
get_namespace(S& s, Call& c)
{
  S::reply_json(c, 200, json(s.options.namespace_name));
}

json
bucket_json(const S& s, const Bucket& b)
{
  return json{ { "namespace", s.options.namespace_name },
               { "name", b.name },
               { "compartmentId", b.compartment_id },
               { "createdBy", "ocid1.user.oc1..test" },
               { "timeCreated", b.time_created },
               { "etag", b.etag },
               { "publicAccessType", "NoPublicAccess" },
               { "storageTier", "Standard" },
               { "metadata", json::object() } };
}

void
get_bucket(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
  if (b == nullptr) {
    return;
  }
  c.res.set_header("etag", b->etag);
  S::reply_json(c, 200, bucket_json(s, *b));
}

void
create_bucket(S& s, Call& c)
{
  const auto body = json::parse(c.body);
  const auto name = body.value("name", std::string());
  const auto compartment = body.value("compartmentId", std::string());
  if (c.path_arg(1) != s.options.namespace_name) {
    S::error(c, 404, "NamespaceNotFound", "namespace not found");
    return;
  }
  if (!valid_bucket_name(name)) {
    S::error(c,
             400,
             "InvalidBucketName",
             "Bucket name '" + name + "' is invalid: use 1 to 256 letters, numbers, hyphens, underscores and periods");
    return;
  }
  const std::lock_guard lock(s.mutex);
  if (!s.compartment_exists(compartment)) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "compartment " + compartment + " not found");
    return;
  }
  if (s.buckets.count(name) != 0) {
    S::error(c,
             409,
             "BucketAlreadyExists",
             "Either the bucket '" + name + "' in namespace '" + s.options.namespace_name +
               "' already exists or you are not authorized to create it");
    return;
  }
  Bucket b;
  b.name = name;
  b.compartment_id = compartment;
  b.etag = s.etag();
  b.time_created = s.timestamp(Clock::now());
  c.res.set_header("etag", b.etag);
  S::reply_json(c, 200, bucket_json(s, b));
  s.buckets[name] = std::move(b);
}

void
object_headers(Call& c, const Object& o)
{
  c.res.set_header("etag", o.etag);
  c.res.set_header("last-modified", o.last_modified);
  if (!o.content_md5.empty()) {
    c.res.set_header("content-md5", o.content_md5);
  }
  if (!o.multipart_md5.empty()) {
    c.res.set_header("opc-multipart-md5", o.multipart_md5);
  }
  for (const auto& [k, v] : o.metadata) {
    c.res.set_header(k, v);
  }
}

void
get_object(S& s, Call& c)
{
  Object copy;
  {
    const std::lock_guard lock(s.mutex);
    auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
    if (b == nullptr) {
      return;
    }
    const auto it = b->objects.find(c.path_arg(3));
    if (it == b->objects.end()) {
      S::error(
        c, 404, "ObjectNotFound", "The object '" + c.path_arg(3) + "' was not found in the bucket '" + b->name + "'");
      return;
    }
    copy = it->second;
  }
  object_headers(c, copy);
  c.res.status = 200;
  if (copy.size == 0) {
    c.res.set_content("", "application/octet-stream");
    return;
  }
  auto blobs = copy.blobs;
  c.res.set_content_provider(
    static_cast<std::size_t>(copy.size),
    "application/octet-stream",
    [blobs](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
      // Find the blob holding offset and send up to 1 MiB from it.
      std::uint64_t start = 0;
      for (const auto& b : blobs) {
        if (offset < start + b->size) {
          const auto in_blob = offset - start;
          const auto n = static_cast<std::size_t>(std::min<std::uint64_t>({ length, b->size - in_blob, 1ULL << 20 }));
          std::string chunk(n, '\0');
          if (!b->file.empty()) {
            const int fd = ::open(b->file.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0 || ::pread(fd, chunk.data(), n, static_cast<off_t>(in_blob)) != static_cast<ssize_t>(n)) {
              if (fd >= 0) {
                ::close(fd);
              }
              return false;
            }
            ::close(fd);
          } else {
            return false; // content not kept
          }
          sink.write(chunk.data(), chunk.size());
          return true;
        }
        start += b->size;
      }
      return false;
    });
}

void
put_object(S& s, Call& c)
{
  {
    const std::lock_guard lock(s.mutex);
    if (s.bucket_or_404(c, c.path_arg(1), c.path_arg(2)) == nullptr) {
      (*c.reader)([](const char*, std::size_t) { return true; });
      return;
    }
  }
  auto blob = s.receive_body(c);
  if (!blob) {
    return;
  }
  Object o;
  o.size = blob->size;
  o.content_md5 = b64(blob->md5);
  o.blobs = { blob };
  o.metadata = meta_headers(c.req);
  o.last_modified = http_date_now();
  const std::lock_guard lock(s.mutex);
  auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
  if (b == nullptr) {
    return;
  }
  o.etag = s.etag();
  c.res.set_header("etag", o.etag);
  c.res.set_header("opc-content-md5", o.content_md5);
  c.res.set_header("last-modified", o.last_modified);
  c.res.status = 200;
  b->objects[c.path_arg(3)] = std::move(o);
}

void
delete_object(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
  if (b == nullptr) {
    return;
  }
  if (b->objects.erase(c.path_arg(3)) == 0) {
    S::error(
      c, 404, "ObjectNotFound", "The object '" + c.path_arg(3) + "' was not found in the bucket '" + b->name + "'");
    return;
  }
  c.res.status = 204;
}

json
upload_json(const S& s, const Bucket& b, const Upload& u)
{
  return json{ { "namespace", s.options.namespace_name },
               { "bucket", b.name },
               { "object", u.object },
               { "uploadId", u.id },
               { "timeCreated", u.time_created },
               { "storageTier", "Standard" } };
}

void
create_multipart(S& s, Call& c)
{
  const auto body = json::parse(c.body);
  const auto object = body.value("object", std::string());
  if (object.empty()) {
    S::error(c, 400, "InvalidParameter", "object is required");
    return;
  }
  std::map<std::string, std::string> metadata;
  if (body.contains("metadata")) {
    for (const auto& [k, v] : body["metadata"].items()) {
      if (k.rfind("opc-meta-", 0) != 0) {
        S::error(c, 400, "InvalidParameter", "metadata key '" + k + "' must start with opc-meta-");
        return;
      }
      metadata[k] = v.get<std::string>();
    }
  }
  const std::lock_guard lock(s.mutex);
  auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
  if (b == nullptr) {
    return;
  }
  Upload u;
  u.id = s.etag();
  u.object = object;
  u.time_created = s.timestamp(Clock::now());
  u.metadata = std::move(metadata);
  S::reply_json(c, 200, upload_json(s, *b, u));
  b->uploads[u.id] = std::move(u);
}

void
list_multipart_uploads(S& s, Call& c)
{
  std::vector<json> all;
  {
    const std::lock_guard lock(s.mutex);
    auto* b = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
    if (b == nullptr) {
      return;
    }
    std::vector<const Upload*> ordered;
    for (const auto& [id, u] : b->uploads) {
      ordered.push_back(&u);
    }
    std::sort(ordered.begin(), ordered.end(), [](const Upload* a, const Upload* z) {
      return a->time_created < z->time_created;
    });
    for (const auto* u : ordered) {
      all.push_back(upload_json(s, *b, *u));
    }
  }
  S::reply_json(c, 200, json(s.page(c, all)));
}

// The upload named by the path and ?uploadId=, or a 404 answer.
Upload*
upload_or_404(S& s, Call& c, Bucket*& bucket)
{
  bucket = s.bucket_or_404(c, c.path_arg(1), c.path_arg(2));
  if (bucket == nullptr) {
    return nullptr;
  }
  const auto it = bucket->uploads.find(c.param("uploadId"));
  if (it == bucket->uploads.end() || it->second.object != c.path_arg(3)) {
    S::error(c,
             404,
             "NoSuchUpload",
             "The upload ID '" + c.param("uploadId") + "' for object '" + c.path_arg(3) + "' does not exist");
    return nullptr;
  }
  return &it->second;
}

void
upload_part(S& s, Call& c)
{
  int part_num = 0;
  try {
    part_num = std::stoi(c.param("uploadPartNum"));
  } catch (const std::exception&) {
    part_num = 0;
  }
  {
    const std::lock_guard lock(s.mutex);
    Bucket* b = nullptr;
    if (upload_or_404(s, c, b) == nullptr) {
      (*c.reader)([](const char*, std::size_t) { return true; });
      return;
    }
  }
  if (part_num < 1 || part_num > 10000) {
    (*c.reader)([](const char*, std::size_t) { return true; });
    S::error(c, 400, "InvalidParameter", "uploadPartNum must be between 1 and 10000");
    return;
  }
  auto blob = s.receive_body(c);
  if (!blob) {
    return;
  }
  const std::lock_guard lock(s.mutex);
  Bucket* b = nullptr;
  auto* u = upload_or_404(s, c, b);
  if (u == nullptr) {
    return; // aborted while the part was arriving
  }
  Part p{ blob, s.etag() };
  c.res.set_header("etag", p.etag);
  c.res.set_header("opc-content-md5", b64(blob->md5));
  c.res.status = 200;
  u->parts[part_num] = std::move(p);
  s.uploaded_parts.push_back(part_num);
}

void
list_parts(S& s, Call& c)
{
  std::vector<json> all;
  {
    const std::lock_guard lock(s.mutex);
    Bucket* b = nullptr;
    auto* u = upload_or_404(s, c, b);
    if (u == nullptr) {
      return;
    }
    for (const auto& [num, p] : u->parts) {
      all.push_back(
        json{ { "partNumber", num }, { "etag", p.etag }, { "md5", b64(p.blob->md5) }, { "size", p.blob->size } });
    }
  }
  S::reply_json(c, 200, json(s.page(c, all)));
}

void
commit_multipart(S& s, Call& c)
{
  const auto body = json::parse(c.body);
  if (!body.contains("partsToCommit") || !body["partsToCommit"].is_array() || body["partsToCommit"].empty()) {
    S::error(c, 400, "InvalidParameter", "partsToCommit must list at least one part");
    return;
  }
  std::map<int, std::string> commit;
  for (const auto& p : body["partsToCommit"]) {
    const int num = p.at("partNum").get<int>();
    if (commit.count(num) != 0) {
      S::error(c, 400, "InvalidParameter", "part " + std::to_string(num) + " is listed twice in partsToCommit");
      return;
    }
    commit[num] = p.at("etag").get<std::string>();
  }
  std::set<int> exclude;
  if (body.contains("partsToExclude")) {
    for (const auto& p : body["partsToExclude"]) {
      exclude.insert(p.get<int>());
    }
  }
  const std::lock_guard lock(s.mutex);
  Bucket* b = nullptr;
  auto* u = upload_or_404(s, c, b);
  if (u == nullptr) {
    return;
  }
  for (const auto& [num, part] : u->parts) {
    const bool in_commit = commit.count(num) != 0;
    const bool in_exclude = exclude.count(num) != 0;
    if (in_commit == in_exclude) {
      S::error(c,
               400,
               "InvalidParameter",
               "part " + std::to_string(num) +
                 (in_commit ? " is in both partsToCommit and partsToExclude"
                            : " was uploaded but is in neither partsToCommit nor partsToExclude"));
      return;
    }
  }
  if (commit.size() > 10000) {
    S::error(c, 400, "InvalidParameter", "an object can have at most 10000 parts");
    return;
  }
  Object o;
  std::vector<Md5> md5s;
  const int last = commit.rbegin()->first;
  for (const auto& [num, tag] : commit) {
    const auto it = u->parts.find(num);
    if (it == u->parts.end()) {
      S::error(c, 400, "InvalidParameter", "part " + std::to_string(num) + " has not been uploaded");
      return;
    }
    if (it->second.etag != tag) {
      S::error(c, 400, "InvalidParameter", "the ETag given for part " + std::to_string(num) + " does not match");
      return;
    }
    if (num != last && it->second.blob->size < s.options.min_part_size) {
      S::error(c,
               400,
               "InvalidParameter",
               "part " + std::to_string(num) + " is " + std::to_string(it->second.blob->size) +
                 " bytes; every part but the last must be at least " + std::to_string(s.options.min_part_size) +
                 " bytes");
      return;
    }
    o.blobs.push_back(it->second.blob);
    o.size += it->second.blob->size;
    md5s.push_back(it->second.blob->md5);
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_md5(), nullptr);
  for (const auto& m : md5s) {
    EVP_DigestUpdate(md, m.data(), m.size());
  }
  Md5 total{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, total.data(), &len);
  EVP_MD_CTX_free(md);
  o.multipart_md5 = b64(total) + "-" + std::to_string(md5s.size());
  o.metadata = u->metadata;
  o.etag = s.etag();
  o.last_modified = http_date_now();
  c.res.set_header("etag", o.etag);
  c.res.set_header("opc-multipart-md5", o.multipart_md5);
  c.res.set_header("last-modified", o.last_modified);
  c.res.status = 200;
  const auto name = u->object;
  b->uploads.erase(u->id);
  b->objects[name] = std::move(o);
}

void
abort_multipart(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  Bucket* b = nullptr;
  auto* u = upload_or_404(s, c, b);
  if (u == nullptr) {
    return;
  }
  b->uploads.erase(u->id);
  c.res.status = 204;
}

} // namespace

void
OciTestServer::Impl::register_object_storage()
{
  const std::string bucket = "/n/{}/b/{}";
  add_route("GET", "/n", "GetNamespace", BodyKind::none, get_namespace);
  add_route("POST", "/n/{}/b", "CreateBucket", BodyKind::json, create_bucket);
  add_route("GET", bucket, "GetBucket", BodyKind::none, get_bucket);
  add_route("GET", bucket + "/o/{*}", "GetObject", BodyKind::none, get_object);
  add_route("PUT", bucket + "/o/{*}", "PutObject", BodyKind::stream, put_object);
  add_route("DELETE", bucket + "/o/{*}", "DeleteObject", BodyKind::none, delete_object);
  add_route("POST", bucket + "/u", "CreateMultipartUpload", BodyKind::json, create_multipart);
  add_route("GET", bucket + "/u", "ListMultipartUploads", BodyKind::none, list_multipart_uploads);
  add_route("PUT", bucket + "/u/{*}", "UploadPart", BodyKind::stream, upload_part);
  add_route("GET", bucket + "/u/{*}", "ListMultipartUploadParts", BodyKind::none, list_parts);
  add_route("POST", bucket + "/u/{*}", "CommitMultipartUpload", BodyKind::json, commit_multipart);
  add_route("DELETE", bucket + "/u/{*}", "AbortMultipartUpload", BodyKind::none, abort_multipart);
}

} // namespace ocne::test::oci
