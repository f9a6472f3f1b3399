#include "tests/servers/kube/webhook_client.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace ocne::test::kube {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd
{
  int fd = -1;
  ~Fd()
  {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

struct SslCtxFree
{
  void
  operator()(SSL_CTX* c) const
  {
    SSL_CTX_free(c);
  }
};
struct SslFree
{
  void
  operator()(SSL* s) const
  {
    SSL_free(s);
  }
};
struct BioFree
{
  void
  operator()(BIO* b) const
  {
    BIO_free(b);
  }
};
struct X509Free
{
  void
  operator()(X509* x) const
  {
    X509_free(x);
  }
};

int
remaining_ms(Clock::time_point deadline)
{
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// Waits until fd is readable (or writable); false at the deadline.
bool
wait_fd(int fd, bool write, Clock::time_point deadline)
{
  for (;;) {
    pollfd p{ fd, static_cast<short>(write ? POLLOUT : POLLIN), 0 };
    const int ms = remaining_ms(deadline);
    if (ms == 0) {
      return false;
    }
    const int n = ::poll(&p, 1, ms);
    if (n > 0) {
      return true;
    }
    if (n < 0 && errno != EINTR) {
      return false;
    }
  }
}

// The DNS names and addresses a certificate is valid for, as Go lists them.
std::string
valid_names(X509* cert)
{
  std::string out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    std::string v;
    if (n->type == GEN_DNS) {
      v.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
               static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName)));
    } else if (n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == 4) {
      char buf[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, ASN1_STRING_get0_data(n->d.iPAddress), buf, sizeof buf);
      v = buf;
    }
    if (!v.empty()) {
      out += (out.empty() ? "" : ", ") + v;
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string
tls_error(SSL* ssl, const std::string& server_name)
{
  const long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) {
    return "remote error: tls: handshake failure";
  }
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH) {
    std::unique_ptr<X509, X509Free> peer(SSL_get1_peer_certificate(ssl));
    return "tls: failed to verify certificate: x509: certificate is valid for " +
           (peer ? valid_names(peer.get()) : std::string()) + ", not " + server_name;
  }
  if (verify == X509_V_ERR_CERT_HAS_EXPIRED) {
    return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
  }
  return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
}

// Reads the whole response (the request says Connection: close).
WebhookReply
read_reply(SSL* ssl, int fd, Clock::time_point deadline)
{
  WebhookReply r;
  std::string data;
  char buf[16384];
  for (;;) {
    const int n = SSL_read(ssl, buf, sizeof buf);
    if (n > 0) {
      data.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    const int err = SSL_get_error(ssl, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
        r.error = "context deadline exceeded";
        return r;
      }
      continue;
    }
    break; // closed (cleanly or not): parse what came
  }
  const auto head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    r.error = data.empty() ? "EOF" : "malformed HTTP response";
    return r;
  }
  const std::string head = data.substr(0, head_end);
  std::string body = data.substr(head_end + 4);
  const auto sp = head.find(' ');
  r.status = sp == std::string::npos ? 0 : std::atoi(head.c_str() + sp + 1);
  std::string lower;
  for (char c : head) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string out;
    std::size_t at = 0;
    for (;;) {
      const auto nl = body.find("\r\n", at);
      if (nl == std::string::npos) {
        break;
      }
      const std::size_t size = std::strtoul(body.substr(at, nl - at).c_str(), nullptr, 16);
      if (size == 0) {
        break;
      }
      out += body.substr(nl + 2, size);
      at = nl + 2 + size + 2;
    }
    body = std::move(out);
  } else if (const auto cl = lower.find("content-length:"); cl != std::string::npos) {
    const std::size_t size = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
    if (body.size() < size) {
      r.error = "unexpected EOF";
      return r;
    }
    body.resize(size);
  }
  r.body = std::move(body);
  return r;
}

// "connection refused", as Go spells errno texts.
std::string
errno_text(int e)
{
  std::string why = std::strerror(e);
  if (!why.empty()) {
    why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  }
  return why;
}

} // namespace

WebhookReply
post_webhook(const WebhookPost& post)
{
  WebhookReply r;
  const auto deadline = Clock::now() + post.timeout;
  const std::string address = post.connect_host + ":" + std::to_string(post.connect_port);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(post.connect_port));
  if (::inet_pton(AF_INET, post.connect_host.c_str(), &sa.sin_addr) != 1) {
    r.error = "dial tcp: lookup " + post.connect_host + ": no such host";
    return r;
  }
  Fd sock;
  sock.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (sock.fd < 0) {
    r.error = "dial tcp " + address + ": socket: " + std::strerror(errno);
    return r;
  }
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) {
      r.error = "dial tcp " + address + ": connect: " + errno_text(errno);
      return r;
    }
    if (!wait_fd(sock.fd, true, deadline)) {
      r.error = "dial tcp " + address + ": i/o timeout";
      return r;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (so_error != 0) {
      r.error = "dial tcp " + address + ": connect: " + errno_text(so_error);
      return r;
    }
  }

  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    r.error = "tls: cannot create a context";
    return r;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
  if (!post.ca_pem.empty()) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(post.ca_pem.data(), static_cast<int>(post.ca_pem.size())));
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, cert);
      X509_free(cert);
    }
    ERR_clear_error();
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), sock.fd);
  SSL_set_tlsext_host_name(ssl.get(), post.server_name.c_str());
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  in_addr ip{};
  if (::inet_pton(AF_INET, post.server_name.c_str(), &ip) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(param, post.server_name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, post.server_name.c_str(), 0);
  }
  for (;;) {
    const int n = SSL_connect(ssl.get());
    if (n == 1) {
      break;
    }
    const int err = SSL_get_error(ssl.get(), n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(sock.fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
        r.error = "net/http: TLS handshake timeout";
        return r;
      }
      continue;
    }
    r.error = tls_error(ssl.get(), post.server_name);
    ERR_clear_error();
    return r;
  }

  const std::string request = "POST " + post.path + " HTTP/1.1\r\nHost: " + post.server_name +
                              "\r\nUser-Agent: kube-apiserver-admission\r\nContent-Type: application/json\r\n"
                              "Accept: application/json, */*\r\nContent-Length: " +
                              std::to_string(post.body.size()) + "\r\nConnection: close\r\n\r\n" + post.body;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const int n = SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    const int err = SSL_get_error(ssl.get(), n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(sock.fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
        r.error = "context deadline exceeded";
        return r;
      }
      continue;
    }
    r.error = "write tcp " + address + ": broken pipe";
    ERR_clear_error();
    return r;
  }
  r = read_reply(ssl.get(), sock.fd, deadline);
  ERR_clear_error();
  return r;
}

} // namespace ocne::test::kube
