#include "tests/servers/oci/server_impl.hpp"

#include <openssl/evp.h>

#include <ctime>
#include <random>
#include <utility>

namespace ocne::test::oci {

namespace {

std::string
random_hex(std::size_t n)
{
  thread_local std::mt19937_64 rng{ std::random_device{}() };
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += k_hex[rng() % 16];
  }
  return out;
}

std::string
sha256_b64(const std::string& data)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return to_base64(digest, len);
}

// Reads a whole (small) body through the content reader.
bool
read_all(const httplib::ContentReader& reader, std::string& out)
{
  return reader([&](const char* data, std::size_t len) {
    out.append(data, len);
    return out.size() <= (8U << 20);
  });
}

void
drain(const httplib::ContentReader* reader)
{
  if (reader != nullptr) {
    (*reader)([](const char*, std::size_t) { return true; });
  }
}

} // namespace

bool
match_route(const std::string& pattern, const std::string& path, std::vector<std::string>& args)
{
  args.clear();
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') {
    p.pop_back();
  }
  std::size_t i = 0; // position in pattern
  std::size_t j = 0; // position in path
  while (i < pattern.size()) {
    if (pattern.compare(i, 3, "{*}") == 0) {
      if (j >= p.size()) {
        return false;
      }
      args.push_back(p.substr(j));
      return i + 3 == pattern.size();
    }
    if (pattern.compare(i, 2, "{}") == 0) {
      const auto end = p.find('/', j);
      const auto seg = p.substr(j, end == std::string::npos ? std::string::npos : end - j);
      if (seg.empty()) {
        return false;
      }
      args.push_back(seg);
      j += seg.size();
      i += 2;
      continue;
    }
    if (j >= p.size() || pattern[i] != p[j]) {
      return false;
    }
    ++i;
    ++j;
  }
  return j == p.size();
}

OciTestServer::Impl::Impl(ServerOptions o) : options(std::move(o))
{
  verifier.set_max_skew(options.max_clock_skew);
}

void
OciTestServer::Impl::add_route(std::string method,
                               const std::string& pattern,
                               std::string operation,
                               BodyKind body,
                               std::function<void(Impl&, Call&)> handler)
{
  routes.push_back({ std::move(method), pattern, std::move(operation), body, std::move(handler) });
}

Clock::time_point
OciTestServer::Impl::now() const
{
  return Clock::now() + std::chrono::seconds(clock_offset_s.load());
}

std::string
OciTestServer::Impl::new_id(const std::string& kind)
{
  return "ocid1." + kind + ".oc1..aaaaaaaa" + random_hex(40);
}

std::string
OciTestServer::Impl::etag()
{
  return random_hex(8) + "-" + random_hex(4) + "-" + random_hex(4) + "-" + random_hex(4) + "-" + random_hex(12);
}

std::string
OciTestServer::Impl::timestamp(Clock::time_point t) const
{
  const auto secs = Clock::to_time_t(t);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

void
OciTestServer::Impl::reply_json(Call& c, int status, const json& body)
{
  c.res.status = status;
  c.res.set_content(body.dump(), "application/json");
}

void
OciTestServer::Impl::error(Call& c, int status, const std::string& code, const std::string& message)
{
  reply_json(c, status, json{ { "code", code }, { "message", message } });
}

bool
OciTestServer::Impl::compartment_exists(const std::string& id) const
{
  if (id == options.tenancy) {
    return true;
  }
  const auto it = compartments.find(id);
  return it != compartments.end() && it->second.state == "ACTIVE";
}

Bucket*
OciTestServer::Impl::bucket_or_404(Call& c, const std::string& ns, const std::string& name)
{
  if (ns != options.namespace_name) {
    error(c,
          404,
          "NamespaceNotFound",
          "You do not have authorization to perform this request, or the requested "
          "resource could not be found.");
    return nullptr;
  }
  const auto it = buckets.find(name);
  if (it == buckets.end()) {
    error(c,
          404,
          "BucketNotFound",
          "Either the bucket named '" + name + "' does not exist in the namespace '" + ns +
            "' or you are not authorized to access it");
    return nullptr;
  }
  return &it->second;
}

BlobPtr
OciTestServer::Impl::receive_body(Call& c)
{
  if (c.reader == nullptr) {
    error(c, 400, "InvalidParameter", "a body is required");
    return nullptr;
  }
  if (c.req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos ||
      !c.req.has_header("Content-Length")) {
    drain(c.reader);
    error(c, 411, "LengthRequired", "Content-Length is required; chunked uploads are not supported");
    return nullptr;
  }
  const auto expected = std::stoull(c.req.get_header_value("Content-Length"));
  const auto fault = upload_faults.pick(c.req.method, c.req.path);
  if (fault && fault->kind == Fault::Kind::slow) {
    std::this_thread::sleep_for(fault->delay);
  }
  BlobWriter writer(options.storage_dir);
  std::uint64_t got = 0;
  bool cut = false;
  bool write_failed = false;
  const bool cut_midway = fault && fault->kind == Fault::Kind::drop_mid_body;
  const bool read_ok = (*c.reader)([&](const char* data, std::size_t len) {
    if (cut_midway && got + len > expected / 2) {
      cut = true;
      return false;
    }
    if (!writer.write(data, len)) {
      write_failed = true;
      return false;
    }
    got += len;
    return true;
  });
  if (cut) {
    // Leaving the rest unread and closing makes the kernel reset the
    // connection: the client sees it fail mid-body.
    c.res.set_header("Connection", "close");
    error(c, 500, "InternalServerError", "connection reset mid-body (injected)");
    return nullptr;
  }
  if (write_failed) {
    c.res.set_header("Connection", "close");
    error(c, 500, "InternalServerError", "test server storage failed");
    return nullptr;
  }
  if (!read_ok || got != expected) {
    c.res.set_header("Connection", "close");
    error(c,
          400,
          "InvalidParameter",
          "the body ended after " + std::to_string(got) + " of " + std::to_string(expected) + " bytes");
    return nullptr;
  }
  if (fault && fault->kind == Fault::Kind::status) {
    if (fault->retry_after >= 0) {
      c.res.set_header("Retry-After", std::to_string(fault->retry_after));
    }
    c.res.status = fault->status;
    c.res.set_content(fault->body, "application/json");
    return nullptr;
  }
  auto blob = writer.finish();
  if (c.req.has_header("Content-MD5")) {
    const auto actual = to_base64(blob->md5.data(), blob->md5.size());
    const auto claimed = c.req.get_header_value("Content-MD5");
    if (actual != claimed) {
      error(c,
            400,
            "UnmatchedContentMD5",
            "The computed MD5 of the request body (" + actual + ") does not match the Content-MD5 header (" + claimed +
              ")");
      return nullptr;
    }
  }
  return blob;
}

void
OciTestServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader)
{
  res.set_header("opc-request-id", random_hex(32));
  Call c{ req, res, reader, {}, {} };
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const Route* route = nullptr;
  for (const auto& r : routes) {
    if (r.method == method && match_route(r.pattern, req.path, c.args)) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    drain(reader);
    error(c, 404, "NotAuthorizedOrNotFound", "no such API: " + req.method + " " + req.path);
    return;
  }
  std::string operation = route->operation;
  if (req.method == "HEAD" && operation.rfind("Get", 0) == 0) {
    operation = "Head" + operation.substr(3);
  }

  IncomingRequest in;
  in.method = req.method;
  in.target = req.target;
  for (const auto& [k, v] : req.headers) {
    in.headers.emplace(k, v);
  }
  if (route->body == BodyKind::stream) {
    in.body_exempt = true;
  } else {
    if (reader != nullptr && !read_all(*reader, c.body)) {
      res.set_header("Connection", "close");
      error(c, 413, "RequestEntityTooLarge", "JSON body too large");
      return;
    }
    if (reader == nullptr) {
      c.body = req.body;
    }
    in.body_sha256 = sha256_b64(c.body);
  }
  const auto auth = verifier.verify(in, now());
  if (!auth.ok) {
    {
      const std::lock_guard lock(mutex);
      auth_failures.push_back(req.method + " " + req.path + ": " + auth.reason);
      ++counts[operation];
    }
    if (route->body == BodyKind::stream) {
      drain(reader);
    }
    error(c,
          401,
          "NotAuthenticated",
          "The required information to complete authentication was not provided or was incorrect.");
    return;
  }
  {
    const std::lock_guard lock(mutex);
    ++counts[operation];
  }
  try {
    route->handler(*this, c);
  } catch (const std::exception& e) {
    if (route->body == BodyKind::stream) {
      drain(reader);
    }
    error(c, 400, "InvalidParameter", std::string("bad request: ") + e.what());
  }
}

// --- public API ---

OciTestServer::OciTestServer(ServerOptions options) : m_impl(std::make_unique<Impl>(std::move(options)))
{
  auto& impl = *m_impl;
  if (!impl.options.cert_file.empty()) {
    impl.http = std::make_unique<TestHttpServer>(impl.options.cert_file, impl.options.key_file);
  } else {
    impl.http = std::make_unique<TestHttpServer>();
  }
  if (!impl.options.storage_dir.empty()) {
    std::filesystem::create_directories(impl.options.storage_dir);
  }
  impl.register_identity();
  impl.register_object_storage();
  impl.register_compute();

  auto& s = impl.http->routes();
  const int threads = impl.options.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  s.set_keep_alive_max_count(1000);
  s.set_keep_alive_timeout(30);
  s.set_read_timeout(30);
  s.set_write_timeout(30);
  Impl* p = m_impl.get();
  s.Get(".*", [p](const httplib::Request& req, httplib::Response& res) { p->dispatch(req, res, nullptr); });
  s.Delete(".*", [p](const httplib::Request& req, httplib::Response& res) { p->dispatch(req, res, nullptr); });
  s.Post(".*", [p](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    p->dispatch(req, res, &reader);
  });
  s.Put(".*", [p](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    p->dispatch(req, res, &reader);
  });
}

OciTestServer::~OciTestServer()
{
  stop();
}

void
OciTestServer::start()
{
  m_impl->http->start();
}

void
OciTestServer::stop()
{
  m_impl->http->stop();
}

std::string
OciTestServer::url() const
{
  return m_impl->http->url();
}

int
OciTestServer::port() const
{
  return m_impl->http->port();
}

const ServerOptions&
OciTestServer::options() const
{
  return m_impl->options;
}

void
OciTestServer::add_api_key(const std::string& key_id, const std::string& public_key_pem)
{
  m_impl->verifier.add_api_key(key_id, public_key_pem);
}

void
OciTestServer::add_session_token(const std::string& token, const std::string& public_key_pem)
{
  m_impl->verifier.add_session_token(token, public_key_pem);
}

void
OciTestServer::set_clock_offset(std::chrono::seconds offset)
{
  m_impl->clock_offset_s = offset.count();
}

std::string
OciTestServer::add_compartment(const std::string& parent_id, const std::string& name, bool active)
{
  const std::lock_guard lock(m_impl->mutex);
  Compartment c;
  c.id = m_impl->new_id("compartment");
  c.parent = parent_id;
  c.name = name;
  c.state = active ? "ACTIVE" : "DELETED";
  c.time_created = m_impl->timestamp(Clock::now());
  m_impl->compartment_order.push_back(c.id);
  const auto id = c.id;
  m_impl->compartments[id] = std::move(c);
  return id;
}

void
OciTestServer::add_bucket(const std::string& compartment_id, const std::string& name)
{
  const std::lock_guard lock(m_impl->mutex);
  Bucket b;
  b.name = name;
  b.compartment_id = compartment_id;
  b.etag = m_impl->etag();
  b.time_created = m_impl->timestamp(Clock::now());
  m_impl->buckets[name] = std::move(b);
}

std::string
OciTestServer::add_image(const std::string& compartment_id,
                         const std::string& display_name,
                         const std::map<std::string, std::string>& tags,
                         std::chrono::system_clock::time_point created,
                         const std::string& lifecycle_state)
{
  const std::lock_guard lock(m_impl->mutex);
  Image img;
  img.id = m_impl->new_id("image");
  img.compartment_id = compartment_id;
  img.display_name = display_name;
  img.tags = tags;
  img.created = created;
  img.time_created = m_impl->timestamp(created);
  img.state = lifecycle_state;
  img.launch_mode = "PARAVIRTUALIZED";
  img.seq = ++m_impl->seq;
  img.shapes = { "VM.Standard.E4.Flex", "VM.Standard.E5.Flex" };
  const auto id = img.id;
  m_impl->images[id] = std::move(img);
  return id;
}

FaultInjector&
OciTestServer::faults()
{
  return m_impl->http->faults();
}

FaultInjector&
OciTestServer::upload_faults()
{
  return m_impl->upload_faults;
}

void
OciTestServer::fail_next_import(const std::string& message)
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->next_import_failure = message;
}

std::optional<ObjectInfo>
OciTestServer::object(const std::string& bucket, const std::string& name) const
{
  const std::lock_guard lock(m_impl->mutex);
  const auto b = m_impl->buckets.find(bucket);
  if (b == m_impl->buckets.end()) {
    return std::nullopt;
  }
  const auto o = b->second.objects.find(name);
  if (o == b->second.objects.end()) {
    return std::nullopt;
  }
  ObjectInfo info;
  info.size = o->second.size;
  info.etag = o->second.etag;
  info.content_md5 = o->second.content_md5;
  info.multipart_md5 = o->second.multipart_md5;
  info.part_count = o->second.multipart_md5.empty() ? 0 : static_cast<int>(o->second.blobs.size());
  info.metadata = o->second.metadata;
  return info;
}

std::optional<std::string>
OciTestServer::object_content_md5(const std::string& bucket, const std::string& name) const
{
  std::vector<BlobPtr> blobs;
  {
    const std::lock_guard lock(m_impl->mutex);
    const auto b = m_impl->buckets.find(bucket);
    if (b == m_impl->buckets.end()) {
      return std::nullopt;
    }
    const auto o = b->second.objects.find(name);
    if (o == b->second.objects.end()) {
      return std::nullopt;
    }
    blobs = o->second.blobs;
  }
  return content_md5_hex(blobs);
}

std::vector<std::string>
OciTestServer::bucket_names() const
{
  const std::lock_guard lock(m_impl->mutex);
  std::vector<std::string> out;
  for (const auto& [name, b] : m_impl->buckets) {
    out.push_back(name);
  }
  return out;
}

std::vector<std::string>
OciTestServer::multipart_uploads(const std::string& bucket) const
{
  const std::lock_guard lock(m_impl->mutex);
  std::vector<std::string> out;
  const auto b = m_impl->buckets.find(bucket);
  if (b != m_impl->buckets.end()) {
    for (const auto& [id, u] : b->second.uploads) {
      out.push_back(id);
    }
  }
  return out;
}

std::vector<ImageInfo>
OciTestServer::images() const
{
  const std::lock_guard lock(m_impl->mutex);
  std::vector<ImageInfo> out;
  for (auto& [id, img] : m_impl->images) {
    ImageInfo info;
    info.id = img.id;
    info.compartment_id = img.compartment_id;
    info.display_name = img.display_name;
    info.lifecycle_state = img.state;
    info.launch_mode = img.launch_mode;
    info.source_image_type = img.source_image_type;
    info.source_object = img.source_object;
    info.freeform_tags = img.tags;
    info.shapes = img.shapes;
    for (const auto& [sid, s] : m_impl->schemas) {
      if (s.image_id == img.id) {
        info.capability_schema_json = s.schema_data.dump();
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

int
OciTestServer::count(const std::string& operation) const
{
  const std::lock_guard lock(m_impl->mutex);
  const auto it = m_impl->counts.find(operation);
  return it == m_impl->counts.end() ? 0 : it->second;
}

std::vector<int>
OciTestServer::uploaded_parts() const
{
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->uploaded_parts;
}

std::vector<int>
OciTestServer::take_uploaded_parts()
{
  const std::lock_guard lock(m_impl->mutex);
  return std::exchange(m_impl->uploaded_parts, {});
}

std::vector<std::string>
OciTestServer::auth_failures() const
{
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->auth_failures;
}

void
OciTestServer::reset_counters()
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->counts.clear();
  m_impl->uploaded_parts.clear();
  m_impl->auth_failures.clear();
}

} // namespace ocne::test::oci
