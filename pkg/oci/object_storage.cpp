#include "pkg/oci/object_storage.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/oci/json_util.hpp"

#include <algorithm>

namespace ocne::oci {

using detail::json;
using detail::str_field;

namespace {

std::string
enc(const std::string& s)
{
  return http::url_encode(s);
}

// A file range that hashes what it hands to curl, reports progress, and
// stops when asked. A retry rewinds it and the hash starts over.
class HashingBody : public http::BodySource
{
public:
  HashingBody(std::shared_ptr<http::BodySource> inner, StreamHooks hooks)
    : m_inner(std::move(inner)), m_hooks(std::move(hooks))
  {
  }
  std::uint64_t
  size() const override
  {
    return m_inner->size();
  }
  Result<std::size_t>
  read(char* buffer, std::size_t max) override
  {
    if (m_hooks.stop != nullptr && m_hooks.stop->load()) {
      return make_error(ErrorKind::cancelled, "stopped");
    }
    OCNE_TRY_ASSIGN(const auto n, m_inner->read(buffer, max));
    m_md5.update(buffer, n);
    m_hashed += n;
    if (m_hooks.on_progress) {
      m_hooks.on_progress(static_cast<std::int64_t>(n));
    }
    return n;
  }
  Status
  rewind() override
  {
    OCNE_TRY(m_inner->rewind());
    m_md5.reset();
    if (m_hooks.on_progress && m_hashed > 0) {
      m_hooks.on_progress(-static_cast<std::int64_t>(m_hashed));
    }
    m_hashed = 0;
    return {};
  }
  bool
  complete() const
  {
    return m_hashed == m_inner->size();
  }
  Md5Digest
  digest()
  {
    return m_md5.finish();
  }

private:
  std::shared_ptr<http::BodySource> m_inner;
  StreamHooks m_hooks;
  Md5Hasher m_md5;
  std::uint64_t m_hashed = 0;
};

} // namespace

Status
validate_bucket_name(std::string_view name)
{
  if (name.empty() || name.size() > 256) {
    return make_error(
      ErrorKind::invalid_input, "bucket name {} is invalid: it must be 1 to 256 characters long", str::quote(name));
  }
  for (const char c : name) {
    const bool ok =
      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return make_error(ErrorKind::invalid_input,
                        "bucket name {} is invalid: use only letters, digits, '-', '_' and '.'",
                        str::quote(name));
    }
  }
  return {};
}

std::string
ObjectStorage::object_url(const std::string& ns, const std::string& bucket, const std::string& object) const
{
  return m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/" + enc(bucket) + "/o/" + enc(object);
}

std::string
ObjectStorage::upload_url(const std::string& ns, const std::string& bucket, const std::string& object) const
{
  return m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/" + enc(bucket) + "/u/" + enc(object);
}

Result<std::string>
ObjectStorage::get_namespace() const
{
  OCNE_TRY_ASSIGN(
    const auto j,
    detail::json_call(m_client, "get the Object Storage namespace", "GET", m_client.endpoints().object_storage + "/n"));
  if (!j.is_string() || j.get<std::string>().empty()) {
    return make_error(ErrorKind::internal, "get the Object Storage namespace: the answer is not a JSON string");
  }
  return j.get<std::string>();
}

Result<bool>
ObjectStorage::bucket_exists(const std::string& ns, const std::string& bucket) const
{
  http::Request req{ .method = "HEAD",
                     .url = m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/" + enc(bucket) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (response.status == 404) {
    return false;
  }
  if (!response.ok()) {
    return make_error(m_client.api_error(fmt::format("check bucket {}", str::quote(bucket)), response));
  }
  return true;
}

Status
ObjectStorage::create_bucket(const std::string& ns, const std::string& compartment_id, const std::string& bucket) const
{
  OCNE_TRY(validate_bucket_name(bucket));
  const json body = { { "name", bucket },
                      { "compartmentId", compartment_id },
                      { "publicAccessType", "NoPublicAccess" },
                      { "storageTier", "Standard" } };
  OCNE_TRY(detail::json_call(m_client,
                             fmt::format("create bucket {}", str::quote(bucket)),
                             "POST",
                             m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/",
                             &body));
  return {};
}

Result<bool>
ObjectStorage::ensure_bucket(const std::string& ns, const std::string& compartment_id, const std::string& bucket) const
{
  OCNE_TRY(validate_bucket_name(bucket));
  OCNE_TRY_ASSIGN(const bool exists, bucket_exists(ns, bucket));
  if (exists) {
    return false;
  }
  auto created = create_bucket(ns, compartment_id, bucket);
  if (!created && created.error().kind() == ErrorKind::already_exists) {
    return false; // created by someone else meanwhile
  }
  OCNE_TRY(created);
  return true;
}

Result<std::optional<ObjectHead>>
ObjectStorage::head_object(const std::string& ns, const std::string& bucket, const std::string& object) const
{
  http::Request req{ .method = "HEAD", .url = object_url(ns, bucket, object) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (response.status == 404) {
    return std::optional<ObjectHead>();
  }
  if (!response.ok()) {
    return make_error(m_client.api_error(fmt::format("look up object {}", str::quote(object)), response));
  }
  ObjectHead head;
  if (auto len = response.header("content-length")) {
    head.size = std::strtoull(len->c_str(), nullptr, 10);
  }
  head.etag = response.header("etag").value_or("");
  head.content_md5 = response.header("content-md5").value_or("");
  head.multipart_md5 = response.header("opc-multipart-md5").value_or("");
  for (const auto& e : response.headers.entries()) {
    const auto name = str::to_lower(e.name);
    if (str::starts_with(name, "opc-meta-")) {
      head.metadata[name] = e.value;
    }
  }
  return std::optional<ObjectHead>(std::move(head));
}

Result<PutResult>
ObjectStorage::put_range(std::string_view what,
                         http::Request request,
                         const FileRange& range,
                         const StreamHooks& hooks) const
{
  OCNE_TRY_ASSIGN(auto file, http::file_body(range.path, range.offset, range.length));
  auto body = std::make_shared<HashingBody>(std::move(file), hooks);
  request.body_source = body;
  request.headers.set("content-type", "application/octet-stream");
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(request), BodySigning::exclude_body));
  if (!response.ok()) {
    return make_error(m_client.api_error(what, response));
  }
  if (!body->complete()) {
    return make_error(ErrorKind::transient, "{}: the service answered before the whole body was sent", what);
  }
  PutResult out;
  out.md5 = body->digest();
  out.etag = response.header("etag").value_or("");
  const auto sent = md5_base64(out.md5);
  const auto echoed = response.header("opc-content-md5").value_or("");
  if (echoed != sent) {
    return make_error(ErrorKind::transient,
                      "{}: the service stored MD5 {} but {} was sent (opc-request-id {})",
                      what,
                      echoed.empty() ? "(none)" : echoed,
                      sent,
                      response.header("opc-request-id").value_or("-"));
  }
  return out;
}

Result<PutResult>
ObjectStorage::put_object(const std::string& ns,
                          const std::string& bucket,
                          const std::string& object,
                          const FileRange& range,
                          const Md5Digest& md5,
                          const std::map<std::string, std::string>& metadata,
                          const StreamHooks& hooks) const
{
  http::Request req{ .method = "PUT", .url = object_url(ns, bucket, object) };
  req.headers.set("content-md5", md5_base64(md5));
  for (const auto& [k, v] : metadata) {
    req.headers.set(k, v);
  }
  return put_range(
    fmt::format("upload object {} to bucket {}", str::quote(object), str::quote(bucket)), std::move(req), range, hooks);
}

Status
ObjectStorage::delete_object(const std::string& ns, const std::string& bucket, const std::string& object) const
{
  http::Request req{ .method = "DELETE", .url = object_url(ns, bucket, object) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (!response.ok() && response.status != 404) {
    return make_error(m_client.api_error(fmt::format("delete object {}", str::quote(object)), response));
  }
  return {};
}

Result<MultipartUpload>
ObjectStorage::create_multipart_upload(const std::string& ns,
                                       const std::string& bucket,
                                       const std::string& object,
                                       const std::map<std::string, std::string>& metadata) const
{
  json body = { { "object", object } };
  if (!metadata.empty()) {
    body["metadata"] = metadata;
  }
  OCNE_TRY_ASSIGN(const auto j,
                  detail::json_call(m_client,
                                    fmt::format("start a multipart upload of {}", str::quote(object)),
                                    "POST",
                                    m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/" + enc(bucket) + "/u",
                                    &body));
  MultipartUpload out{ str_field(j, "uploadId"), str_field(j, "object"), str_field(j, "timeCreated") };
  if (out.upload_id.empty()) {
    return make_error(
      ErrorKind::internal, "start a multipart upload of {}: no uploadId in the answer", str::quote(object));
  }
  return out;
}

Result<std::vector<MultipartUpload>>
ObjectStorage::list_multipart_uploads(const std::string& ns, const std::string& bucket) const
{
  OCNE_TRY_ASSIGN(const auto items,
                  detail::list_all(m_client,
                                   fmt::format("list multipart uploads in bucket {}", str::quote(bucket)),
                                   m_client.endpoints().object_storage + "/n/" + enc(ns) + "/b/" + enc(bucket) + "/u",
                                   { { "limit", "1000" } }));
  std::vector<MultipartUpload> out;
  for (const auto& i : items) {
    out.push_back({ str_field(i, "uploadId"), str_field(i, "object"), str_field(i, "timeCreated") });
  }
  return out;
}

Result<std::vector<UploadedPart>>
ObjectStorage::list_parts(const std::string& ns,
                          const std::string& bucket,
                          const std::string& object,
                          const std::string& upload_id) const
{
  OCNE_TRY_ASSIGN(const auto items,
                  detail::list_all(m_client,
                                   fmt::format("list the parts of upload {} of {}", upload_id, str::quote(object)),
                                   upload_url(ns, bucket, object),
                                   { { "uploadId", upload_id }, { "limit", "1000" } }));
  std::vector<UploadedPart> out;
  for (const auto& i : items) {
    UploadedPart p;
    p.number = i.value("partNumber", 0);
    p.etag = str_field(i, "etag");
    p.md5 = str_field(i, "md5");
    p.size = i.value("size", std::uint64_t{ 0 });
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  return out;
}

Result<PutResult>
ObjectStorage::upload_part(const std::string& ns,
                           const std::string& bucket,
                           const std::string& object,
                           const std::string& upload_id,
                           int part_number,
                           const FileRange& range,
                           const StreamHooks& hooks) const
{
  http::Request req{ .method = "PUT",
                     .url = http::join_url(
                       upload_url(ns, bucket, object),
                       "",
                       { { "uploadId", upload_id }, { "uploadPartNum", std::to_string(part_number) } }) };
  return put_range(fmt::format("upload part {} of {}", part_number, str::quote(object)), std::move(req), range, hooks);
}

Result<std::string>
ObjectStorage::commit_multipart_upload(const std::string& ns,
                                       const std::string& bucket,
                                       const std::string& object,
                                       const std::string& upload_id,
                                       const std::vector<std::pair<int, std::string>>& parts,
                                       const std::vector<int>& exclude) const
{
  json commit = json::array();
  for (const auto& [num, etag] : parts) {
    commit.push_back({ { "partNum", num }, { "etag", etag } });
  }
  json body = { { "partsToCommit", commit } };
  if (!exclude.empty()) {
    body["partsToExclude"] = exclude;
  }
  http::Request req{ .method = "POST",
                     .url = http::join_url(upload_url(ns, bucket, object), "", { { "uploadId", upload_id } }) };
  req.body = body.dump();
  req.headers.set("content-type", "application/json");
  // Committing the same parts twice is harmless, so a lost answer may be retried.
  req.idempotent = true;
  const auto what = fmt::format("commit the multipart upload of {}", str::quote(object));
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (response.ok()) {
    return response.header("opc-multipart-md5").value_or("");
  }
  if (response.status == 404 && response.attempts > 1) {
    // An earlier attempt may have committed before its answer was lost.
    OCNE_TRY_ASSIGN(const auto head, head_object(ns, bucket, object));
    if (head && !head->multipart_md5.empty()) {
      return head->multipart_md5;
    }
  }
  return make_error(m_client.api_error(what, response));
}

Status
ObjectStorage::abort_multipart_upload(const std::string& ns,
                                      const std::string& bucket,
                                      const std::string& object,
                                      const std::string& upload_id) const
{
  http::Request req{ .method = "DELETE",
                     .url = http::join_url(upload_url(ns, bucket, object), "", { { "uploadId", upload_id } }) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (!response.ok() && response.status != 404) {
    return make_error(
      m_client.api_error(fmt::format("abort upload {} of {}", upload_id, str::quote(object)), response));
  }
  return {};
}

} // namespace ocne::oci
