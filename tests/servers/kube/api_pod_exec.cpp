// pods/<name>/exec upgraded to a WebSocket, as the API server (and the
// kubelet behind it) speak it: v5.channel.k8s.io or v4.channel.k8s.io, one
// channel byte per binary message (0 stdin, 1 stdout, 2 stderr, 3 status,
// 4 resize, 255 close of a stream in v5), and a metav1.Status on channel 3
// at the end.

#include "tests/servers/kube/api_server.hpp"

#include <algorithm>

namespace ocne::test::kube {

namespace {

std::string
lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string>
split_list(const std::string& text)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    auto item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      out.push_back(item);
    }
    start = end + 1;
  }
  return out;
}

std::string
status_json(int code, const std::vector<std::string>& command)
{
  if (code == 0) {
    return R"({"metadata":{},"status":"Success"})";
  }
  std::string joined;
  for (const auto& c : command) {
    joined += (joined.empty() ? "" : " ") + c;
  }
  Json status = { { "metadata", Json::object() },
                  { "status", "Failure" },
                  { "message",
                    "command terminated with non-zero exit code: error executing command [" + joined + "], exit code " +
                      std::to_string(code) },
                  { "reason", "NonZeroExitCode" },
                  { "details",
                    { { "causes", { { { "reason", "ExitCode" }, { "message", std::to_string(code) } } } } } } };
  return status.dump();
}

class Session : public ExecIo
{
public:
  Session(WebSocket& ws, bool v5) : m_ws(ws), m_v5(v5)
  {
  }

  void
  out(std::string_view data) override
  {
    send(1, data);
  }
  void
  err(std::string_view data) override
  {
    send(2, data);
  }

  Input
  next() override
  {
    while (true) {
      auto message = m_ws.read();
      if (!message) {
        return { Input::Kind::end, {}, 0, 0 };
      }
      if (message->data.empty()) {
        continue;
      }
      const int channel = static_cast<unsigned char>(message->data[0]);
      std::string data = message->data.substr(1);
      if (channel == 0) {
        return { Input::Kind::data, std::move(data), 0, 0 };
      }
      if (channel == 4) {
        try {
          const auto size = Json::parse(data);
          return { Input::Kind::resize, {}, size.at("Width").get<int>(), size.at("Height").get<int>() };
        } catch (const std::exception&) {
          continue; // the kubelet ignores a bad size
        }
      }
      if (channel == 255 && m_v5 && !data.empty() && data[0] == 0) {
        return { Input::Kind::end, {}, 0, 0 };
      }
    }
  }

  void
  send(int channel, std::string_view data)
  {
    std::string frame(1, static_cast<char>(channel));
    frame.append(data);
    m_ws.send_binary(frame);
  }

private:
  WebSocket& m_ws;
  bool m_v5;
};

} // namespace

void
ApiServer::set_exec_responder(ExecResponder responder)
{
  const std::lock_guard lock(m_exec_mutex);
  m_exec_responder = std::move(responder);
}

void
ApiServer::set_exec_protocols(std::vector<std::string> protocols)
{
  const std::lock_guard lock(m_exec_mutex);
  m_exec_protocols = std::move(protocols);
}

std::vector<ExecCall>
ApiServer::exec_calls() const
{
  const std::lock_guard lock(m_exec_mutex);
  return m_exec_calls;
}

bool
ApiServer::handle_pod_exec(const HttpRequest& req, HttpResponse& res)
{
  const auto parts = split_path(req.path);
  if (parts.size() != 7 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces" || parts[4] != "pods" ||
      parts[6] != "exec") {
    return false;
  }
  if (req.method != "GET" && req.method != "POST") {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  ExecCall call;
  call.ns = parts[3];
  call.pod = parts[5];
  for (const auto& [k, v] : req.query) {
    if (k == "command") {
      call.command.push_back(v);
    }
  }
  call.container = req.query_param("container").value_or("");
  call.stdin = req.query_param("stdin").value_or("") == "true" || req.query_param("stdin").value_or("") == "1";
  call.tty = req.query_param("tty").value_or("") == "true" || req.query_param("tty").value_or("") == "1";
  {
    const std::lock_guard lock(m_mutex);
    const ObjectPtr pod = find({ "", "pods", call.ns, call.pod });
    if (!pod) {
      throw err_not_found("", "pods", call.pod);
    }
    std::vector<std::string> containers;
    if (const Json* spec = child(*pod, "spec"); spec != nullptr && child(*spec, "containers") != nullptr) {
      for (const auto& c : *child(*spec, "containers")) {
        containers.push_back(string_at(c, "name"));
      }
    }
    if (call.container.empty()) {
      if (containers.size() != 1) {
        throw err_bad_request("a container name must be specified for pod " + call.pod);
      }
      call.container = containers.front();
    }
    if (std::find(containers.begin(), containers.end(), call.container) == containers.end()) {
      throw err_bad_request("container " + call.container + " is not valid for pod " + call.pod);
    }
    const Json* status = child(*pod, "status");
    if (status == nullptr || string_at(*status, "phase") != "Running") {
      throw err_bad_request("unable to upgrade connection: pod " + call.pod + " is not running");
    }
  }
  if (call.command.empty()) {
    throw err_bad_request("you must specify at least 1 command");
  }
  if (lower(req.header("upgrade")) != "websocket" ||
      lower(req.header("connection")).find("upgrade") == std::string::npos || req.header("sec-websocket-key").empty()) {
    throw err_bad_request("Upgrade request required");
  }
  if (req.header("sec-websocket-version") != "13") {
    throw err_bad_request("unsupported WebSocket version");
  }
  const auto offered = split_list(req.header("sec-websocket-protocol"));
  ExecResponder responder;
  {
    const std::lock_guard lock(m_exec_mutex);
    for (const auto& p : offered) {
      if (std::find(m_exec_protocols.begin(), m_exec_protocols.end(), p) != m_exec_protocols.end()) {
        call.protocol = p;
        break;
      }
    }
    responder = m_exec_responder;
    if (!call.protocol.empty()) {
      m_exec_calls.push_back(call);
    }
  }
  if (call.protocol.empty()) {
    throw err_bad_request("unable to upgrade connection: none of the requested subprotocols is supported");
  }
  res.status = 101;
  res.set_header("Upgrade", "websocket");
  res.set_header("Connection", "Upgrade");
  res.set_header("Sec-WebSocket-Accept", websocket_accept(req.header("sec-websocket-key")));
  res.set_header("Sec-WebSocket-Protocol", call.protocol);
  res.upgrade = [call, responder](RawConnection& raw) {
    WebSocket ws(raw);
    Session session(ws, call.protocol == "v5.channel.k8s.io");
    int code = 127;
    if (responder) {
      code = responder(call, session);
    } else {
      session.err("exec: \"" + call.command.front() + "\": executable file not found in $PATH\n");
    }
    session.send(3, status_json(code, call.command));
    ws.close(1000);
    // Wait for the client's close (or its going away).
    while (!ws.closed_by_peer() && ws.read()) {
    }
  };
  return true;
}

} // namespace ocne::test::kube
