#include "tests/servers/kube/https_server.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

constexpr std::size_t k_max_header_bytes = 1 << 20;
constexpr std::size_t k_max_body_bytes = 64u << 20;
constexpr int k_idle_timeout_ms = 120'000;

std::string
to_lower(std::string_view s)
{
  std::string out(s);
  std::transform(
    out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int
hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string
percent_decode(std::string_view s, bool plus_is_space)
{
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

const char*
reason_phrase(int status)
{
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

std::string
openssl_error()
{
  const unsigned long e = ERR_get_error();
  if (e == 0) {
    return "unknown error";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct BioDeleter
{
  void
  operator()(BIO* b) const
  {
    BIO_free(b);
  }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr
mem_bio(const std::string& pem)
{
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

} // namespace

std::string
HttpRequest::header(std::string_view name) const
{
  const auto lower = to_lower(name);
  for (const auto& [k, v] : headers) {
    if (k == lower) {
      return v;
    }
  }
  return {};
}

std::optional<std::string>
HttpRequest::query_param(std::string_view name) const
{
  for (const auto& [k, v] : query) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

void
HttpResponse::set_header(std::string name, std::string value)
{
  for (auto& [k, v] : headers) {
    if (to_lower(k) == to_lower(name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

// One client connection: a socket and, with TLS, its SSL object.
struct HttpsServer::Connection
{
  int fd = -1;
  SSL* ssl = nullptr;
  std::string remote;
  std::atomic<bool> done{ false };
  std::atomic<bool> dropped{ false };
  std::string buffer; // bytes read but not consumed yet

  ~Connection()
  {
    if (ssl != nullptr) {
      SSL_free(ssl);
    }
    if (fd >= 0) {
      ::close(fd);
    }
  }

  // Reads some bytes into buffer; false on EOF or error.
  bool
  fill()
  {
    char buf[16384];
    if (ssl != nullptr) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) {
        return false;
      }
      buffer.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      return false;
    }
    buffer.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  bool
  pending() const
  {
    return !buffer.empty() || (ssl != nullptr && SSL_pending(ssl) > 0);
  }

  // Waits until data can be read; false on timeout or hang-up without data.
  bool
  wait_readable(int timeout_ms) const
  {
    if (pending()) {
      return true;
    }
    pollfd p{ fd, POLLIN, 0 };
    const int r = ::poll(&p, 1, timeout_ms);
    return r > 0;
  }

  bool
  send_all(std::string_view data)
  {
    while (!data.empty()) {
      if (ssl != nullptr) {
        const int n = SSL_write(ssl, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
        if (n <= 0) {
          return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
      } else {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) {
          if (n < 0 && errno == EINTR) {
            continue;
          }
          return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
      }
    }
    return true;
  }

  // Hang-up check that does not block: a client sends nothing while it reads
  // a streamed answer, so anything readable means it closed.
  bool
  peer_closed() const
  {
    if (dropped.load()) {
      return true;
    }
    pollfd p{ fd, POLLIN | POLLRDHUP, 0 };
    if (::poll(&p, 1, 0) <= 0) {
      return false;
    }
    return (p.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLIN)) != 0;
  }

  void
  reset()
  {
    linger l{ 1, 0 };
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::shutdown(fd, SHUT_RDWR);
    dropped = true;
  }
};

namespace {

class ChunkWriter : public StreamWriter
{
public:
  ChunkWriter(HttpsServer::Connection& conn, const std::atomic<bool>& stopping) : m_conn(conn), m_stopping(stopping)
  {
  }

  bool
  write(std::string_view chunk) override
  {
    if (m_failed || chunk.empty()) {
      return !m_failed;
    }
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    std::string frame(size);
    frame.append(chunk);
    frame += "\r\n";
    m_failed = !m_conn.send_all(frame);
    return !m_failed;
  }

  bool
  closed() override
  {
    return m_failed || m_aborted || m_stopping.load() || m_conn.peer_closed();
  }

  void
  abort() override
  {
    m_aborted = true;
    m_conn.reset();
  }

  bool
  ok() const
  {
    return !m_failed && !m_aborted && !m_conn.dropped.load();
  }

private:
  HttpsServer::Connection& m_conn;
  const std::atomic<bool>& m_stopping;
  bool m_failed = false;
  bool m_aborted = false;
};

} // namespace

HttpsServer::HttpsServer(TlsFiles tls, Handler handler) : m_handler(std::move(handler))
{
  if (tls.cert_pem.empty()) {
    return;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    throw std::runtime_error("tls: " + openssl_error());
  }
  m_ssl_ctx = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  // Clients resume sessions on new connections; with client certificates
  // requested, OpenSSL refuses that unless the sessions have a context.
  static const unsigned char k_session_context[] = "ocne-kube-test-server";
  SSL_CTX_set_session_id_context(ctx, k_session_context, sizeof k_session_context - 1);

  auto bio = mem_bio(tls.cert_pem);
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr || SSL_CTX_use_certificate(ctx, leaf) != 1) {
    X509_free(leaf);
    throw std::runtime_error("tls: cannot use the serving certificate: " + openssl_error());
  }
  X509_free(leaf);
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    SSL_CTX_add_extra_chain_cert(ctx, extra); // takes ownership
  }
  ERR_clear_error();
  auto key_bio = mem_bio(tls.key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr || SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    EVP_PKEY_free(key);
    throw std::runtime_error("tls: the private key does not match the serving certificate: " + openssl_error());
  }
  EVP_PKEY_free(key);

  if (!tls.client_ca_pem.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    auto ca_bio = mem_bio(tls.client_ca_pem);
    while (X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, ca);
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
    ERR_clear_error();
    SSL_CTX_set_client_CA_list(ctx, names);
    // Ask for a certificate, verify it when given, accept clients without
    // one (they may carry a bearer token), like kube-apiserver does.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
}

HttpsServer::~HttpsServer()
{
  stop();
  if (m_ssl_ctx != nullptr) {
    SSL_CTX_free(static_cast<SSL_CTX*>(m_ssl_ctx));
  }
}

void
HttpsServer::start(const std::string& address, int port)
{
  // Writes to a socket the client closed must fail, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  const bool v6 = address.find(':') != std::string::npos;
  m_listen_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_listen_fd < 0) {
    throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc = -1;
  if (v6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, address.c_str(), &sa.sin6_addr) != 1) {
      throw std::runtime_error("listen address " + address + " is not an IP address");
    }
    rc = ::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
      throw std::runtime_error("listen address " + address + " is not an IP address");
    }
    rc = ::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  if (rc != 0 || ::listen(m_listen_fd, 128) != 0) {
    const std::string why = std::strerror(errno);
    ::close(m_listen_fd);
    m_listen_fd = -1;
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " + why);
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&ss), &len);
  m_port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  m_stopping = false;
  m_accept_thread = std::thread([this] { accept_loop(); });
}

void
HttpsServer::stop()
{
  if (!m_accept_thread.joinable()) {
    return;
  }
  m_stopping = true;
  m_accept_thread.join();
  ::close(m_listen_fd);
  m_listen_fd = -1;
  drop_connections();
  reap(true);
}

void
HttpsServer::drop_connections()
{
  const std::lock_guard lock(m_mutex);
  for (auto& [conn, thread] : m_connections) {
    if (!conn->done.load()) {
      conn->reset();
    }
  }
}

int
HttpsServer::open_connections() const
{
  const std::lock_guard lock(m_mutex);
  int n = 0;
  for (const auto& [conn, thread] : m_connections) {
    n += conn->done.load() ? 0 : 1;
  }
  return n;
}

void
HttpsServer::reap(bool all)
{
  std::vector<std::thread> finished;
  {
    const std::lock_guard lock(m_mutex);
    for (auto it = m_connections.begin(); it != m_connections.end();) {
      if (all || it->first->done.load()) {
        finished.push_back(std::move(it->second));
        it = m_connections.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& t : finished) {
    if (t.joinable()) {
      t.join();
    }
  }
}

void
HttpsServer::accept_loop()
{
  while (!m_stopping.load()) {
    pollfd p{ m_listen_fd, POLLIN, 0 };
    if (::poll(&p, 1, 100) <= 0) {
      reap(false);
      continue;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = ::accept4(m_listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    // Watch streams and chunked answers are many small writes: without
    // TCP_NODELAY, Nagle holds each one back until the client's delayed ACK.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_shared<Connection>();
    conn->fd = fd;
    char host[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, host, sizeof host);
    } else {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, host, sizeof host);
    }
    conn->remote = host;
    const std::lock_guard lock(m_mutex);
    m_connections.emplace_back(conn, std::thread([this, conn] {
                                 serve(conn);
                                 conn->done = true;
                               }));
  }
}

namespace {

// Parses "METHOD target HTTP/1.1" and the header block (without the blank line).
bool
parse_head(std::string_view head, HttpRequest& req)
{
  const auto line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) {
    return false;
  }
  req.method = std::string(request_line.substr(0, sp1));
  req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  const auto q = req.target.find('?');
  req.path = percent_decode(std::string_view(req.target).substr(0, q), false);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(req.target).substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const auto part = query.substr(0, amp);
      if (!part.empty()) {
        const auto eq = part.find('=');
        req.query.emplace_back(percent_decode(part.substr(0, eq), true),
                               eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) {
        break;
      }
      query.remove_prefix(amp + 1);
    }
  }
  std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    const auto line = rest.substr(0, end);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      req.headers.emplace_back(to_lower(line.substr(0, colon)), std::string(value));
    }
    if (end == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(end + 2);
  }
  return true;
}

} // namespace

void
HttpsServer::serve(const std::shared_ptr<Connection>& conn)
{
  if (m_ssl_ctx != nullptr) {
    conn->ssl = SSL_new(static_cast<SSL_CTX*>(m_ssl_ctx));
    SSL_set_fd(conn->ssl, conn->fd);
    timeval tv{ 10, 0 };
    ::setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_accept(conn->ssl) != 1) {
      ERR_clear_error();
      return;
    }
    timeval none{ 0, 0 };
    ::setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  }
  HttpRequest identity;
  identity.remote_address = conn->remote;
  if (conn->ssl != nullptr) {
    if (X509* peer = SSL_get1_peer_certificate(conn->ssl)) {
      identity.client_verified = SSL_get_verify_result(conn->ssl) == X509_V_OK;
      X509_NAME* subject = X509_get_subject_name(peer);
      for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
        X509_NAME_ENTRY* e = X509_NAME_get_entry(subject, i);
        const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(e);
        std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                          static_cast<std::size_t>(ASN1_STRING_length(data)));
        if (nid == NID_commonName) {
          identity.client_cn = value;
        } else if (nid == NID_organizationName) {
          identity.client_orgs.push_back(value);
        }
      }
      X509_free(peer);
    }
  }

  while (!m_stopping.load() && !conn->dropped.load()) {
    // Head.
    std::size_t head_end = std::string::npos;
    while ((head_end = conn->buffer.find("\r\n\r\n")) == std::string::npos) {
      if (conn->buffer.size() > k_max_header_bytes || !conn->wait_readable(k_idle_timeout_ms) || !conn->fill()) {
        return;
      }
    }
    HttpRequest req = identity;
    if (!parse_head(std::string_view(conn->buffer).substr(0, head_end), req)) {
      conn->send_all("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    conn->buffer.erase(0, head_end + 4);
    if (to_lower(req.header("expect")) == "100-continue") {
      conn->send_all("HTTP/1.1 100 Continue\r\n\r\n");
    }
    // Body.
    if (to_lower(req.header("transfer-encoding")).find("chunked") != std::string::npos) {
      while (true) {
        std::size_t eol;
        while ((eol = conn->buffer.find("\r\n")) == std::string::npos) {
          if (!conn->fill()) {
            return;
          }
        }
        const std::size_t size = std::strtoul(conn->buffer.substr(0, eol).c_str(), nullptr, 16);
        conn->buffer.erase(0, eol + 2);
        if (req.body.size() + size > k_max_body_bytes) {
          return;
        }
        while (conn->buffer.size() < size + 2) {
          if (!conn->fill()) {
            return;
          }
        }
        req.body.append(conn->buffer, 0, size);
        conn->buffer.erase(0, size + 2);
        if (size == 0) {
          break; // (trailers are not supported; clients do not send them)
        }
      }
    } else if (const auto cl = req.header("content-length"); !cl.empty()) {
      const std::size_t size = std::strtoul(cl.c_str(), nullptr, 10);
      if (size > k_max_body_bytes) {
        conn->send_all("HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      while (conn->buffer.size() < size) {
        if (!conn->fill()) {
          return;
        }
      }
      req.body = conn->buffer.substr(0, size);
      conn->buffer.erase(0, size);
    }

    HttpResponse res;
    try {
      m_handler(req, res);
    } catch (const std::exception& e) {
      res = HttpResponse();
      res.status = 500;
      res.body = std::string(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")") +
                 "internal error" + R"(","reason":"InternalError","code":500})";
      res.set_header("Content-Type", "application/json");
    }
    if (res.abort == HttpResponse::Abort::reset) {
      conn->reset();
      return;
    }
    const bool close = res.close || to_lower(req.header("connection")) == "close";
    std::string head = "HTTP/1.1 " + std::to_string(res.status) + " " + reason_phrase(res.status) + "\r\n";
    for (const auto& [k, v] : res.headers) {
      head += k + ": " + v + "\r\n";
    }
    if (close) {
      head += "Connection: close\r\n";
    }
    if (res.upgrade) {
      if (!conn->send_all(head + "\r\n")) {
        return;
      }
      struct Raw : RawConnection
      {
        Connection& c;
        explicit Raw(Connection& conn_) : c(conn_)
        {
        }
        bool
        read_some(std::string& out) override
        {
          if (c.buffer.empty() && !c.fill()) {
            return false;
          }
          out += c.buffer;
          c.buffer.clear();
          return true;
        }
        bool
        write_all(std::string_view data) override
        {
          return c.send_all(data);
        }
      } raw(*conn);
      res.upgrade(raw);
      if (conn->ssl != nullptr) {
        SSL_shutdown(conn->ssl);
      }
      return;
    }
    if (res.stream) {
      head += "Transfer-Encoding: chunked\r\n\r\n";
      if (!conn->send_all(head)) {
        return;
      }
      ChunkWriter writer(*conn, m_stopping);
      res.stream(writer);
      if (!writer.ok() || !conn->send_all("0\r\n\r\n")) {
        return;
      }
    } else if (res.abort == HttpResponse::Abort::drop_mid_body) {
      // Promise more than is sent, then hang up.
      head += "Content-Length: " + std::to_string(std::max<std::size_t>(res.body.size(), 64) * 2) + "\r\n\r\n";
      conn->send_all(head);
      conn->send_all(std::string_view(res.body).substr(0, res.body.size() / 2));
      conn->reset();
      return;
    } else {
      head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n\r\n";
      if (!conn->send_all(head + res.body)) {
        return;
      }
    }
    if (close) {
      if (conn->ssl != nullptr) {
        SSL_shutdown(conn->ssl);
      }
      return;
    }
  }
}

} // namespace ocne::test::kube
