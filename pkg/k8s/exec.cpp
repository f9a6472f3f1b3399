// The one file that includes Boost.Beast (see exec.hpp).

#include "pkg/k8s/exec.hpp"

#include "pkg/http/url.hpp"
#include "pkg/k8s/base64.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
#include <deque>

namespace ocne::k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct Endpoint
{
  std::string host;
  std::string port;
  std::string prefix; // a path prefix of the server URL
};

Result<Endpoint>
parse_server(const std::string& server)
{
  const std::string scheme = "https://";
  if (server.rfind(scheme, 0) != 0) {
    return make_error(ErrorKind::invalid_input, "exec needs an https server (got {})", server);
  }
  auto rest = server.substr(scheme.size());
  Endpoint e;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    e.prefix = rest.substr(slash);
    while (!e.prefix.empty() && e.prefix.back() == '/') {
      e.prefix.pop_back();
    }
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    e.host = rest.substr(1, close - 1);
    e.port = close + 1 < rest.size() && rest[close + 1] == ':' ? rest.substr(close + 2) : "443";
  } else {
    const auto colon = rest.rfind(':');
    e.host = colon == std::string::npos ? rest : rest.substr(0, colon);
    e.port = colon == std::string::npos ? "443" : rest.substr(colon + 1);
  }
  return e;
}

std::string
exec_target(const Endpoint& e, const ExecRequest& r)
{
  http::QueryParams q;
  for (const auto& c : r.command) {
    q.emplace_back("command", c);
  }
  if (!r.container.empty()) {
    q.emplace_back("container", r.container);
  }
  q.emplace_back("stdout", "true");
  q.emplace_back("stderr", r.tty ? "false" : "true");
  if (r.stdin) {
    q.emplace_back("stdin", "true");
  }
  if (r.tty) {
    q.emplace_back("tty", "true");
  }
  return http::join_url("",
                        e.prefix + "/api/v1/namespaces/" + http::url_encode(r.namespace_) + "/pods/" +
                          http::url_encode(r.pod) + "/exec",
                        q);
}

} // namespace

struct ExecSession::Impl
{
  asio::io_context io;
  asio::ssl::context tls{ asio::ssl::context::tls_client };
  std::unique_ptr<websocket::stream<asio::ssl::stream<tcp::socket>>> ws;
  std::string protocol;
  std::optional<int> exit_code;
  bool closed = false;
  beast::flat_buffer buffer;

  Status
  send(int channel, std::string_view data)
  {
    std::string frame(1, static_cast<char>(channel));
    frame.append(data);
    beast::error_code ec;
    ws->binary(true);
    ws->write(asio::buffer(frame), ec);
    if (ec) {
      return make_error(ErrorKind::transient, "exec: sending: {}", ec.message());
    }
    return {};
  }
};

namespace {

Error
probe_refusal(ExecSession::Impl& impl,
              const Endpoint& endpoint,
              const std::string& target,
              const std::string& token,
              const std::string& basic,
              const std::string& what,
              const std::string& offered)
{
  beast::error_code ec;
  asio::ssl::stream<tcp::socket> stream(impl.io, impl.tls);
  tcp::resolver resolver(impl.io);
  const auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (!ec) {
    asio::connect(stream.next_layer(), results, ec);
  }
  SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str());
  if (!ec) {
    stream.handshake(asio::ssl::stream_base::client, ec);
  }
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, target, 11);
  req.set(beast::http::field::host, endpoint.host + ":" + endpoint.port);
  req.set(beast::http::field::accept, "application/json");
  if (!token.empty()) {
    req.set(beast::http::field::authorization, "Bearer " + token);
  } else if (!basic.empty()) {
    req.set(beast::http::field::authorization, "Basic " + basic);
  }
  beast::http::response<beast::http::string_body> res;
  beast::flat_buffer buffer;
  if (!ec) {
    beast::http::write(stream, req, ec);
  }
  if (!ec) {
    beast::http::read(stream, buffer, res, ec);
  }
  if (ec) {
    return Error(ErrorKind::transient, fmt::format("{}: the server refused the WebSocket upgrade", what));
  }
  std::string message;
  try {
    message = nlohmann::json::parse(res.body()).value("message", "");
  } catch (const std::exception&) {
  }
  const auto code = res.result_int();
  if (code == 400 && message.find("Upgrade request required") != std::string::npos) {
    return Error(ErrorKind::unavailable, fmt::format("{}: the server speaks none of {}", what, offered));
  }
  const auto kind = code == 404                  ? ErrorKind::not_found
                    : code == 401 || code == 403 ? ErrorKind::auth
                    : code == 400                ? ErrorKind::invalid_input
                                                 : ErrorKind::transient;
  return Error(kind, fmt::format("{}: {}", what, message.empty() ? "HTTP " + std::to_string(code) : message));
}

} // namespace

ExecSession::ExecSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}

ExecSession::~ExecSession()
{
  close();
}

Result<std::unique_ptr<ExecSession>>
ExecSession::open(const ClusterAccess& access, const ExecRequest& request)
{
  if (request.command.empty()) {
    return make_error(ErrorKind::invalid_input, "exec in {}/{}: no command", request.namespace_, request.pod);
  }
  OCNE_TRY_ASSIGN(auto endpoint, parse_server(access.server));
  auto impl = std::make_unique<Impl>();
  const auto what = fmt::format("exec in {}/{}", request.namespace_, request.pod);
  beast::error_code ec;
  auto& tls = impl->tls;
  if (access.insecure_skip_tls_verify) {
    tls.set_verify_mode(asio::ssl::verify_none);
  } else {
    tls.set_verify_mode(asio::ssl::verify_peer);
    if (access.ca_pem.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.add_certificate_authority(asio::buffer(access.ca_pem), ec);
    }
    if (ec) {
      return make_error(ErrorKind::auth, "{}: the cluster's CA certificate: {}", what, ec.message());
    }
    tls.set_verify_callback(
      asio::ssl::host_name_verification(access.tls_server_name.empty() ? endpoint.host : access.tls_server_name));
  }
  if (!access.client_cert_pem.empty()) {
    tls.use_certificate_chain(asio::buffer(access.client_cert_pem), ec);
    if (!ec) {
      const auto key = access.client_key_pem.reveal();
      tls.use_private_key(asio::buffer(key), asio::ssl::context::pem, ec);
    }
    if (ec) {
      // The message names no key material.
      return make_error(ErrorKind::auth, "{}: the kubeconfig's client certificate or key: {}", what, ec.message());
    }
  }
  impl->ws = std::make_unique<websocket::stream<asio::ssl::stream<tcp::socket>>>(impl->io, tls);
  auto& ws = *impl->ws;
  tcp::resolver resolver(impl->io);
  const auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (!ec) {
    asio::connect(beast::get_lowest_layer(ws), results, ec);
  }
  if (ec) {
    return make_error(ErrorKind::transient, "{}: connecting to {}: {}", what, access.server, ec.message());
  }
  const auto sni = access.tls_server_name.empty() ? endpoint.host : access.tls_server_name;
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), sni.c_str());
  ws.next_layer().handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    return make_error(ErrorKind::auth, "{}: TLS with {}: {}", what, access.server, ec.message());
  }
  std::string offered;
  for (const auto& p : request.protocols) {
    offered += (offered.empty() ? "" : ", ") + p;
  }
  const std::string token = access.token.empty() ? std::string() : access.token.reveal();
  const std::string basic =
    access.username.empty() ? std::string() : base64_encode(access.username + ":" + access.password.reveal());
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, offered);
    req.set(beast::http::field::user_agent, "ocne");
    if (!token.empty()) {
      req.set(beast::http::field::authorization, "Bearer " + token);
    } else if (!basic.empty()) {
      req.set(beast::http::field::authorization, "Basic " + basic);
    }
  }));
  websocket::response_type response;
  const auto host = endpoint.host + ":" + endpoint.port;
  const auto target = exec_target(endpoint, request);
  ws.handshake(response, host, target, ec);
  if (ec == websocket::error::upgrade_declined) {
    // Beast keeps the refusal's body to itself: ask again without the
    // upgrade to learn why (a missing pod or container is refused the same
    // way; only a refused subprotocol gets "Upgrade request required").
    return make_error(probe_refusal(*impl, endpoint, target, token, basic, what, offered));
  }
  if (ec) {
    return make_error(ErrorKind::transient, "{}: {}", what, ec.message());
  }
  impl->protocol = std::string(response[beast::http::field::sec_websocket_protocol]);
  if (std::find(request.protocols.begin(), request.protocols.end(), impl->protocol) == request.protocols.end()) {
    return make_error(ErrorKind::unavailable,
                      "{}: the server speaks none of {} (it chose {})",
                      what,
                      offered,
                      impl->protocol.empty() ? std::string("none") : impl->protocol);
  }
  ws.binary(true);
  return std::unique_ptr<ExecSession>(new ExecSession(std::move(impl)));
}

const std::string&
ExecSession::protocol() const
{
  return m_impl->protocol;
}

Status
ExecSession::write_stdin(std::string_view data)
{
  return m_impl->send(0, data);
}

Status
ExecSession::close_stdin()
{
  if (m_impl->protocol != "v5.channel.k8s.io") {
    return {};
  }
  return m_impl->send(255, std::string(1, '\0'));
}

Status
ExecSession::resize(int columns, int rows)
{
  return m_impl->send(4, nlohmann::json{ { "Width", columns }, { "Height", rows } }.dump());
}

Result<std::optional<ExecFrame>>
ExecSession::read()
{
  auto& impl = *m_impl;
  while (!impl.closed) {
    impl.buffer.clear();
    beast::error_code ec;
    impl.ws->read(impl.buffer, ec);
    if (ec == websocket::error::closed || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      impl.closed = true;
      break;
    }
    if (ec) {
      return make_error(ErrorKind::transient, "exec: reading: {}", ec.message());
    }
    auto data = beast::buffers_to_string(impl.buffer.data());
    if (data.empty()) {
      continue; // v4/v5 servers send an empty frame per channel at the start
    }
    const int channel = static_cast<unsigned char>(data[0]);
    data.erase(0, 1);
    if (channel == 3) {
      OCNE_TRY_ASSIGN(auto code, exit_code_from_status(data));
      impl.exit_code = code;
      continue;
    }
    if (channel == 1 || channel == 2) {
      if (data.empty()) {
        continue;
      }
      return std::optional<ExecFrame>(ExecFrame{ channel, std::move(data) });
    }
  }
  if (!impl.exit_code) {
    return make_error(ErrorKind::transient, "exec: the connection ended before the command's status");
  }
  return std::optional<ExecFrame>();
}

std::optional<int>
ExecSession::exit_code() const
{
  return m_impl->exit_code;
}

void
ExecSession::close()
{
  if (!m_impl || m_impl->closed || !m_impl->ws) {
    return;
  }
  m_impl->closed = true;
  beast::error_code ec;
  m_impl->ws->close(websocket::close_code::normal, ec);
}

Result<int>
ExecSession::pump(const PumpIo& io)
{
  auto& impl = *m_impl;
  auto& ws = *impl.ws;
  std::optional<Error> failure;
  std::deque<std::string> queue; // frames to send, one write at a time
  bool writing = false;
  bool finished = false;
  std::function<void()> write_next = [&] {
    if (writing || queue.empty() || finished) {
      return;
    }
    writing = true;
    ws.async_write(asio::buffer(queue.front()), [&](beast::error_code ec, std::size_t) {
      writing = false;
      queue.pop_front();
      if (ec && !finished) {
        failure = Error(ErrorKind::transient, "exec: sending: " + ec.message());
        finished = true;
        beast::get_lowest_layer(ws).cancel();
        return;
      }
      write_next();
    });
  };
  auto send = [&](int channel, std::string_view data) {
    std::string frame(1, static_cast<char>(channel));
    frame.append(data);
    queue.push_back(std::move(frame));
    write_next();
  };
  auto end_input = [&] {
    if (impl.protocol == "v5.channel.k8s.io") {
      send(255, std::string(1, '\0'));
    }
  };

  // Input: a pipe or terminal is read as it comes; a regular file (which
  // epoll refuses) is sent whole.
  std::unique_ptr<asio::posix::stream_descriptor> input;
  std::array<char, 16384> input_buffer{};
  std::function<void()> read_input = [&] {
    input->async_read_some(asio::buffer(input_buffer), [&](beast::error_code ec, std::size_t n) {
      if (finished) {
        return;
      }
      if (ec) {
        end_input();
        return;
      }
      send(0, std::string_view(input_buffer.data(), n));
      read_input();
    });
  };
  if (io.input_fd >= 0) {
    const int fd = ::dup(io.input_fd);
    input = std::make_unique<asio::posix::stream_descriptor>(impl.io);
    beast::error_code ec;
    input->assign(fd, ec);
    if (ec) {
      input.reset();
      std::string all;
      for (ssize_t n; (n = ::read(fd, input_buffer.data(), input_buffer.size())) > 0;) {
        all.append(input_buffer.data(), static_cast<std::size_t>(n));
      }
      ::close(fd);
      if (!all.empty()) {
        send(0, all);
      }
      end_input();
    } else {
      read_input();
    }
  }

  std::function<void()> read_output = [&] {
    impl.buffer.clear();
    ws.async_read(impl.buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec != websocket::error::closed && ec != asio::error::eof && ec != asio::ssl::error::stream_truncated &&
            !failure && !finished) {
          failure = Error(ErrorKind::transient, "exec: reading: " + ec.message());
        }
        finished = true;
        impl.closed = true;
        if (input) {
          input->cancel();
        }
        return;
      }
      auto data = beast::buffers_to_string(impl.buffer.data());
      if (!data.empty()) {
        const int channel = static_cast<unsigned char>(data[0]);
        data.erase(0, 1);
        if (channel == 3) {
          auto code = exit_code_from_status(data);
          if (code) {
            impl.exit_code = *code;
          } else {
            failure = code.error();
          }
        } else if ((channel == 1 || channel == 2) && !data.empty() && io.output) {
          io.output(channel, data);
        }
      }
      read_output();
    });
  };
  read_output();

  // Resizes and stop requests are looked at ten times a second.
  asio::steady_timer timer(impl.io);
  std::function<void()> tick = [&] {
    timer.expires_after(std::chrono::milliseconds(100));
    timer.async_wait([&](beast::error_code ec) {
      if (ec || finished) {
        return;
      }
      if (io.take_resize) {
        if (auto size = io.take_resize()) {
          send(4, nlohmann::json{ { "Width", size->first }, { "Height", size->second } }.dump());
        }
      }
      if (io.stop && io.stop()) {
        failure = Error(ErrorKind::cancelled, "interrupted");
        finished = true;
        beast::get_lowest_layer(ws).cancel();
        if (input) {
          input->cancel();
        }
        return;
      }
      tick();
    });
  };
  tick();
  impl.io.restart();
  impl.io.run();
  if (failure) {
    return make_error(*failure);
  }
  if (!impl.exit_code) {
    return make_error(ErrorKind::transient, "exec: the connection ended before the command's status");
  }
  return *impl.exit_code;
}

Result<int>
exit_code_from_status(std::string_view status_json)
{
  nlohmann::json status;
  try {
    status = nlohmann::json::parse(status_json);
  } catch (const std::exception&) {
    return make_error(ErrorKind::internal, "exec: the final status is not JSON");
  }
  if (status.value("status", "") == "Success") {
    return 0;
  }
  if (status.value("reason", "") == "NonZeroExitCode" && status.contains("details")) {
    for (const auto& cause : status["details"].value("causes", nlohmann::json::array())) {
      if (cause.value("reason", "") == "ExitCode") {
        try {
          return std::stoi(cause.value("message", ""));
        } catch (const std::exception&) {
        }
      }
    }
  }
  return make_error(ErrorKind::internal, "exec: {}", status.value("message", std::string(status_json)));
}

Result<ExecResult>
exec_collect(const ClusterAccess& access, const ExecRequest& request, std::string_view input)
{
  OCNE_TRY_ASSIGN(auto session, ExecSession::open(access, request));
  if (request.stdin) {
    if (!input.empty()) {
      OCNE_TRY(session->write_stdin(input));
    }
    OCNE_TRY(session->close_stdin());
  }
  ExecResult result;
  while (true) {
    OCNE_TRY_ASSIGN(auto frame, session->read());
    if (!frame) {
      break;
    }
    (frame->channel == 1 ? result.out : result.err) += frame->data;
  }
  result.exit_code = *session->exit_code();
  return result;
}

} // namespace ocne::k8s
