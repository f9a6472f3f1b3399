#include "tests/support/http_server.hpp"

#include <stdexcept>

namespace ocne::test {

TestHttpServer::TestHttpServer() : m_server(std::make_unique<httplib::Server>())
{
  install_fault_hook();
}

TestHttpServer::TestHttpServer(const std::string& cert_file,
                               const std::string& key_file,
                               const std::string& client_ca_file)
  : m_server(std::make_unique<httplib::SSLServer>(cert_file.c_str(),
                                                  key_file.c_str(),
                                                  client_ca_file.empty() ? nullptr : client_ca_file.c_str())),
    m_tls(true)
{
  if (!m_server->is_valid()) {
    throw std::runtime_error("TLS test server: bad certificate or key");
  }
  install_fault_hook();
}

TestHttpServer::~TestHttpServer()
{
  stop();
}

void
TestHttpServer::install_fault_hook()
{
  m_server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    ++m_requests;
    auto fault = m_faults.pick(req.method, req.path);
    if (!fault) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    switch (fault->kind) {
      case Fault::Kind::slow:
        std::this_thread::sleep_for(fault->delay);
        return httplib::Server::HandlerResponse::Unhandled;
      case Fault::Kind::status:
        // The pre-routing hook runs before the request body is read, so the
        // connection cannot be reused: tell the client to close it.
        res.set_header("Connection", "close");
        res.status = fault->status;
        if (fault->retry_after >= 0) {
          res.set_header("Retry-After", std::to_string(fault->retry_after));
        }
        res.set_content(fault->body, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      case Fault::Kind::drop_mid_body:
        res.set_header("Connection", "close");
        res.status = 200;
        // Promise 1 MiB, send 16 bytes, then give up: the client sees the
        // connection close mid-body.
        res.set_content_provider(
          1 << 20, "application/octet-stream", [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            if (offset == 0) {
              sink.write("partial-response", 16);
              return true;
            }
            return false;
          });
        return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

void
TestHttpServer::start()
{
  m_port = m_server->bind_to_any_port("127.0.0.1");
  if (m_port <= 0) {
    throw std::runtime_error("test server: cannot bind 127.0.0.1");
  }
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  for (int i = 0; i < 500 && !m_server->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void
TestHttpServer::stop()
{
  if (m_thread.joinable()) {
    m_server->stop();
    m_thread.join();
  }
}

std::string
TestHttpServer::url() const
{
  return (m_tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(m_port);
}

int
TestHttpServer::request_count() const
{
  return m_requests.load();
}

} // namespace ocne::test
