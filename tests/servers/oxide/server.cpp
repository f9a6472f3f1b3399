// The Oxide test server's front door: routing by the OpenAPI spec, bearer
// auth, the api-version header, spec validation of every request and
// response, and the Oxide error body.

#include "tests/servers/oxide/server_impl.hpp"
#include "tests/support/shared_dir.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace ocne::test {

namespace oxide_server {

std::string
new_uuid()
{
  static std::mutex mutex;
  static std::mt19937_64 rng{ std::random_device{}() };
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    const std::lock_guard lock(mutex);
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // variant 1
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                     hi >> 32,
                     (hi >> 16) & 0xffff,
                     hi & 0xffff,
                     lo >> 48,
                     lo & 0xffffffffffffULL);
}

std::string
now_rfc3339()
{
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                     tm.tm_year + 1900,
                     tm.tm_mon + 1,
                     tm.tm_mday,
                     tm.tm_hour,
                     tm.tm_min,
                     tm.tm_sec,
                     micros);
}

bool
is_uuid(const std::string& s)
{
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

} // namespace oxide_server

using namespace oxide_server;

namespace {

std::string
to_hex(const std::string& s)
{
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool
from_hex(const std::string& s, std::string& out)
{
  if (s.size() % 2 != 0) {
    return false;
  }
  out.clear();
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const auto hi = std::string("0123456789abcdef").find(s[i]);
    const auto lo = std::string("0123456789abcdef").find(s[i + 1]);
    if (hi == std::string::npos || lo == std::string::npos) {
      return false;
    }
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

// "2026072800.0.0" -> {2026072800, 0, 0}; empty on a malformed value.
std::vector<std::uint64_t>
parse_version(const std::string& v)
{
  std::vector<std::uint64_t> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = v.find('.', start);
    const auto piece = v.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (piece.empty() || piece.size() > 18 || piece.find_first_not_of("0123456789") != std::string::npos) {
      return {};
    }
    parts.push_back(std::stoull(piece));
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return parts.size() == 3 ? parts : std::vector<std::uint64_t>{};
}

std::string
join(const std::vector<std::string>& parts, const std::string& sep)
{
  std::string out;
  for (const auto& p : parts) {
    out += (out.empty() ? "" : sep) + p;
  }
  return out;
}

} // namespace

std::string
encode_page_token(const std::string& sort, const std::string& scope, const std::string& last)
{
  return to_hex(sort + "|" + scope + "|" + last);
}

bool
decode_page_token(const std::string& token, std::string& sort, std::string& scope, std::string& last)
{
  std::string text;
  if (!from_hex(token, text)) {
    return false;
  }
  const auto a = text.find('|');
  const auto b = a == std::string::npos ? std::string::npos : text.find('|', a + 1);
  if (b == std::string::npos) {
    return false;
  }
  sort = text.substr(0, a);
  scope = text.substr(a + 1, b - a - 1);
  last = text.substr(b + 1);
  return true;
}

OxideServer::Impl::Impl(OxideServerOptions opts) : options(std::move(opts))
{
  if (options.spec_path.empty()) {
    auto shared = shared_dir();
    if (!shared) {
      throw std::runtime_error("oxide test server: ../shared is absent; cannot load the Oxide OpenAPI spec");
    }
    options.spec_path = *shared / "specs" / "oxide-nexus.json";
  }
  if (options.storage_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    options.storage_dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  auto loaded = openapi::Spec::load(options.spec_path);
  if (!loaded) {
    throw std::runtime_error("oxide test server: " + loaded.error().message());
  }
  spec = *loaded;
  if (options.max_api_version.empty()) {
    options.max_api_version = spec->version();
  }
  validator =
    std::make_unique<openapi::Validator>(spec, openapi::ValidateOptions{ .strict_properties = options.strict });
  validate = options.validate;
  user_id = new_uuid();
  silo_id = new_uuid();
  register_handlers();
  install_routes();
  if (!options.project.empty()) {
    const std::lock_guard lock(mutex);
    add_project_locked(options.project, "seeded by the test server");
  }
}

void
OxideServer::Impl::install_routes()
{
  auto& server = http.routes();
  // Enough workers for 8 uploaders plus control calls on keep-alive connections.
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.set_keep_alive_max_count(100000);
  // The loopback limit for benchmarks: a body read and thrown away.
  server.Post("/__test/sink",
              [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
                std::uint64_t total = 0;
                reader([&](const char*, std::size_t n) {
                  total += n;
                  return true;
                });
                res.status = 200;
                res.set_content(fmt::format("{{\"bytes\":{}}}", total), "application/json");
              });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);
  server.Patch(".*", handler);
}

void
OxideServer::Impl::serve(const httplib::Request& req, httplib::Response& res)
{
  const std::string request_id = new_uuid();
  res.set_header("x-request-id", request_id);
  auto send = [&](int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  };
  auto error_body = [&](const ApiError& e) {
    json body = { { "request_id", request_id }, { "message", e.message } };
    if (!e.code.empty()) {
      body["error_code"] = e.code;
    }
    return body;
  };

  const auto match = spec->find(req.method, req.path);
  if (!match) {
    const bool known = spec->has_path(req.path);
    send(known ? 405 : 404,
         json{ { "request_id", request_id }, { "message", known ? "Method Not Allowed" : "Not Found" } });
    return;
  }
  const auto& op = *match->operation;
  std::optional<int> fault_status;
  {
    const std::lock_guard lock(mutex);
    ++counts[op.operation_id];
    if (auto f = operation_faults.find(op.operation_id); f != operation_faults.end()) {
      if (f->second.remaining > 0) {
        --f->second.remaining;
        fault_status = f->second.status;
      } else if (f->second.probability > 0 &&
                 std::uniform_real_distribution<double>(0.0, 1.0)(fault_rng) < f->second.probability) {
        fault_status = f->second.status;
      }
      if (fault_status) {
        ++operation_faults_injected;
      }
    }
  }

  // Everything that leaves from here on is checked against the spec.
  auto respond = [&](int status, const json& body, bool empty) {
    const std::string text = empty ? std::string() : body.dump();
    if (validate) {
      auto errors = validator->check_response(op, status, empty ? "" : "application/json", text);
      if (!errors.empty()) {
        const std::lock_guard lock(mutex);
        violations.push_back(op.operation_id + ": response: " + join(errors, "; "));
        send(500,
             json{ { "request_id", request_id },
                   { "error_code", "Internal" },
                   { "message", "test server response violates the Oxide API spec: " + errors.front() } });
        return;
      }
    }
    res.status = status;
    if (!empty) {
      res.set_content(text, "application/json");
    }
  };

  if (fault_status) {
    const std::string code = *fault_status == 503 ? "ServiceNotAvailable" : "Internal";
    respond(*fault_status, error_body({ *fault_status, code, "injected fault" }), false);
    return;
  }
  if (op.operation_id != "ping") {
    const auto auth = req.get_header_value("Authorization");
    if (auth != "Bearer " + options.token) {
      respond(401, error_body({ 401, "Unauthorized", "credentials missing or invalid" }), false);
      return;
    }
  }
  if (req.has_header("api-version")) {
    const auto value = req.get_header_value("api-version");
    const auto wanted = parse_version(value);
    if (wanted.empty()) {
      respond(400, error_body({ 400, "", "bad value for header \"api-version\": \"" + value + "\"" }), false);
      return;
    }
    if (wanted > parse_version(options.max_api_version)) {
      // dropshot's wording (versioning.rs).
      respond(400, error_body({ 400, "", "server does not support this API version: " + value }), false);
      return;
    }
  }

  openapi::Query query(req.params.begin(), req.params.end());
  if (validate) {
    auto errors = validator->check_request(*match, query, req.get_header_value("Content-Type"), req.body);
    if (!errors.empty()) {
      {
        const std::lock_guard lock(mutex);
        violations.push_back(op.operation_id + ": request: " + join(errors, "; "));
      }
      respond(400, error_body({ 400, "", "request does not match the Oxide API: " + errors.front() }), false);
      return;
    }
  }

  Ctx ctx;
  ctx.match = &*match;
  ctx.query = &query;
  if (!req.body.empty()) {
    try {
      ctx.body = json::parse(req.body);
    } catch (const json::exception& e) {
      respond(400, error_body({ 400, "", std::string("unable to parse JSON body: ") + e.what() }), false);
      return;
    }
  }
  const auto handler = handlers.find(op.operation_id);
  if (handler == handlers.end()) {
    respond(501, error_body({ 501, "", op.operation_id + " is not implemented by the ocne Oxide test server" }), false);
    return;
  }
  Outcome<Reply> outcome = [&]() -> Outcome<Reply> {
    try {
      return handler->second(ctx);
    } catch (const json::exception& e) {
      // Only reachable with validation off: a body of the wrong shape.
      return invalid_request(std::string("unable to parse JSON body: ") + e.what());
    }
  }();
  if (!outcome) {
    respond(outcome.error().status, error_body(outcome.error()), false);
    return;
  }
  respond(outcome->status, outcome->body, outcome->empty_body);
}

Outcome<Project*>
OxideServer::Impl::project_by_key(const std::string& key)
{
  if (is_uuid(key)) {
    auto it = projects.find(key);
    if (it == projects.end()) {
      return not_found("project", key, true);
    }
    return &it->second;
  }
  for (auto& [id, p] : projects) {
    if (p.name == key) {
      return &p;
    }
  }
  return not_found("project", key, false);
}

Outcome<Project*>
OxideServer::Impl::project_param(Ctx& ctx, bool required)
{
  const auto key = ctx.param("project");
  if (!key) {
    if (required) {
      return invalid_request("missing required query parameter \"project\"");
    }
    return nullptr;
  }
  return project_by_key(*key);
}

Outcome<Vpc*>
OxideServer::Impl::vpc_param(Ctx& ctx, const std::string& key)
{
  return child(vpcs, ctx, "vpc", key);
}

Outcome<void>
OxideServer::Impl::check_name(const json& value, const std::string& label) const
{
  // The spec's Name schema is the rule, even when request validation is off.
  auto errors = validator->check_schema(value, "Name");
  if (!errors.empty()) {
    return invalid_value(label,
                         "names must begin with a lower case ASCII letter, be composed exclusively of "
                         "lowercase ASCII, uppercase ASCII, numbers, and '-', may not end with a '-', and "
                         "be at most 63 characters long");
  }
  return {};
}

void
OxideServer::Impl::add_project_locked(const std::string& name, const std::string& description)
{
  Project p;
  p.id = new_uuid();
  p.name = name;
  p.description = description;
  p.time_created = p.time_modified = now_rfc3339();
  projects[p.id] = p;
  // Oxide gives every new project a "default" VPC with a "default" subnet.
  add_vpc_locked(p.id, "default", "default");
}

Vpc&
OxideServer::Impl::add_vpc_locked(const std::string& project_id, const std::string& name, const std::string& dns)
{
  Vpc v;
  v.id = new_uuid();
  v.name = name;
  v.description = "";
  v.project_id = project_id;
  v.dns_name = dns;
  v.ipv6_prefix = fmt::format("fd00:{:x}::/48", vpcs.size() + 1);
  v.system_router_id = new_uuid();
  v.time_created = v.time_modified = now_rfc3339();
  // The default rules Oxide installs in a new VPC.
  auto rule = [&](const std::string& rule_name, const std::string& desc, json filters) {
    return json{ { "id", new_uuid() },
                 { "name", rule_name },
                 { "description", desc },
                 { "action", "allow" },
                 { "direction", "inbound" },
                 { "filters", std::move(filters) },
                 { "priority", 65534 },
                 { "status", "enabled" },
                 { "targets", json::array({ json{ { "type", "vpc" }, { "value", name } } }) },
                 { "time_created", v.time_created },
                 { "time_modified", v.time_created },
                 { "vpc_id", v.id } };
  };
  v.firewall_rules = json::array(
    { rule("allow-internal-inbound",
           "allow inbound traffic to all instances within the VPC if originated within the VPC",
           json{ { "hosts", json::array({ json{ { "type", "vpc" }, { "value", name } } }) } }),
      rule("allow-ssh",
           "allow inbound TCP connections on port 22 from anywhere",
           json{ { "ports", json::array({ "22" }) }, { "protocols", json::array({ json{ { "type", "tcp" } } }) } }),
      rule("allow-icmp",
           "allow inbound ICMP traffic from anywhere",
           json{ { "protocols", json::array({ json{ { "type", "icmp" }, { "value", nullptr } } }) } }) });
  auto& stored = vpcs[v.id] = v;
  Subnet s;
  s.id = new_uuid();
  s.name = "default";
  s.description = "The default subnet for " + name;
  s.vpc_id = v.id;
  s.ipv4_block = "172.30.0.0/22";
  s.ipv6_block = fmt::format("fd00:{:x}::/64", vpcs.size());
  s.time_created = s.time_modified = v.time_created;
  subnets[s.id] = s;
  return stored;
}

void
OxideServer::Impl::refresh_states_locked()
{
  const auto now = Clock::now();
  for (auto& [id, d] : disks) {
    if (d.state == "creating" && now >= d.ready_at) {
      d.state = "import_ready";
    }
  }
}

OxideServer::OxideServer(OxideServerOptions options) : m_impl(std::make_unique<Impl>(std::move(options)))
{
}

OxideServer::~OxideServer()
{
  stop();
}

void
OxideServer::start()
{
  m_impl->http.start();
}

void
OxideServer::stop()
{
  m_impl->http.stop();
}

std::string
OxideServer::url() const
{
  return m_impl->http.url();
}

int
OxideServer::port() const
{
  return m_impl->http.port();
}

FaultInjector&
OxideServer::faults()
{
  return m_impl->http.faults();
}

const OxideServerOptions&
OxideServer::options() const
{
  return m_impl->options;
}

void
OxideServer::fail_operation(const std::string& operation_id, int count, int status)
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->operation_faults[operation_id] = Impl::OperationFault{ count, 0.0, status };
}

void
OxideServer::fail_operation_randomly(const std::string& operation_id,
                                     double probability,
                                     int status,
                                     std::uint64_t seed)
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->fault_rng.seed(seed);
  m_impl->operation_faults[operation_id] = Impl::OperationFault{ 0, probability, status };
}

void
OxideServer::clear_operation_faults()
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->operation_faults.clear();
}

int
OxideServer::operation_faults_injected() const
{
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->operation_faults_injected;
}

void
OxideServer::set_validation(bool on)
{
  m_impl->validate = on;
}

std::vector<std::string>
OxideServer::violations() const
{
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->violations;
}

void
OxideServer::clear_violations()
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->violations.clear();
}

std::map<std::string, int>
OxideServer::operation_counts() const
{
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->counts;
}

int
OxideServer::count(const std::string& operation_id) const
{
  const std::lock_guard lock(m_impl->mutex);
  auto it = m_impl->counts.find(operation_id);
  return it == m_impl->counts.end() ? 0 : it->second;
}

void
OxideServer::add_project(const std::string& name)
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->add_project_locked(name, "");
}

void
OxideServer::add_instance(const std::string& project, const std::string& name, const std::string& run_state)
{
  const std::lock_guard lock(m_impl->mutex);
  auto p = m_impl->project_by_key(project);
  if (!p) {
    throw std::runtime_error("add_instance: " + p.error().message);
  }
  Instance i;
  i.id = new_uuid();
  i.name = name;
  i.hostname = name;
  i.project_id = (*p)->id;
  i.run_state = run_state;
  i.time_created = i.time_modified = i.time_run_state_updated = now_rfc3339();
  m_impl->instances[i.id] = i;
}

std::string
OxideServer::add_image(const std::string& project, const std::string& name, std::uint64_t size)
{
  const std::lock_guard lock(m_impl->mutex);
  auto p = m_impl->project_by_key(project);
  if (!p) {
    throw std::runtime_error("add_image: " + p.error().message);
  }
  Image i;
  i.id = new_uuid();
  i.name = name;
  i.description = "seeded by the test";
  i.os = "ock";
  i.version = name;
  i.project_id = (*p)->id;
  i.size = size;
  i.time_created = i.time_modified = now_rfc3339();
  m_impl->images[i.id] = i;
  return i.id;
}

std::vector<OxideDiskInfo>
OxideServer::disks() const
{
  const std::lock_guard lock(m_impl->mutex);
  m_impl->refresh_states_locked();
  std::vector<OxideDiskInfo> out;
  for (const auto& [id, d] : m_impl->disks) {
    out.push_back({ d.id,
                    d.name,
                    m_impl->projects.count(d.project_id) ? m_impl->projects.at(d.project_id).name : "",
                    d.state,
                    d.size,
                    d.block_size,
                    d.bytes_written });
  }
  return out;
}

std::vector<OxideImageInfo>
OxideServer::images() const
{
  const std::lock_guard lock(m_impl->mutex);
  std::vector<OxideImageInfo> out;
  for (const auto& [id, i] : m_impl->images) {
    const std::string project =
      !i.project_id.empty() && m_impl->projects.count(i.project_id) ? m_impl->projects.at(i.project_id).name : "";
    out.push_back({ i.id, i.name, project, i.description, i.version, i.size });
  }
  return out;
}

std::vector<std::string>
OxideServer::snapshot_names() const
{
  const std::lock_guard lock(m_impl->mutex);
  std::vector<std::string> out;
  for (const auto& [id, s] : m_impl->snapshots) {
    out.push_back(s.name);
  }
  return out;
}

namespace {

template<typename T>
std::shared_ptr<BlockStore>
store_of(const std::map<std::string, T>& items, const std::string& key)
{
  for (const auto& [id, item] : items) {
    if (id == key || item.name == key) {
      return item.store;
    }
  }
  return nullptr;
}

} // namespace

std::optional<std::string>
OxideServer::content_digest(const std::string& id_or_name) const
{
  std::shared_ptr<BlockStore> store;
  {
    const std::lock_guard lock(m_impl->mutex);
    store = store_of(m_impl->disks, id_or_name);
    store = store ? store : store_of(m_impl->snapshots, id_or_name);
    store = store ? store : store_of(m_impl->images, id_or_name);
  }
  if (!store) {
    return std::nullopt;
  }
  return store->digest();
}

std::optional<std::string>
OxideServer::read_content(const std::string& id_or_name, std::uint64_t offset, std::size_t length) const
{
  std::shared_ptr<BlockStore> store;
  {
    const std::lock_guard lock(m_impl->mutex);
    store = store_of(m_impl->disks, id_or_name);
    store = store ? store : store_of(m_impl->snapshots, id_or_name);
    store = store ? store : store_of(m_impl->images, id_or_name);
  }
  if (!store) {
    return std::nullopt;
  }
  return store->read(offset, length);
}

Fault
oxide_fault(int status, int retry_after)
{
  Fault f;
  f.kind = Fault::Kind::status;
  f.status = status;
  f.retry_after = retry_after;
  const std::string code = status == 503 ? "ServiceNotAvailable" : status == 429 ? "TooManyRequests" : "Internal";
  f.body = json{ { "request_id", "injected-fault" }, { "error_code", code }, { "message", "injected fault" } }.dump();
  return f;
}

std::string
content_digest_of_file(const std::filesystem::path& raw_file, std::uint64_t disk_size)
{
  const int fd = ::open(raw_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("content_digest_of_file: cannot open " + raw_file.string());
  }
  struct stat st
  {};
  ::fstat(fd, &st);
  auto digest = sparse_digest(fd, static_cast<std::uint64_t>(st.st_size), disk_size);
  ::close(fd);
  return digest;
}

} // namespace ocne::test
