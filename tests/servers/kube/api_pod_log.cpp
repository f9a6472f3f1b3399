// GET pods/<name>/log, answered as the API server and kubelet answer it:
// the container must be named when the pod has several, must exist, must
// have started (or, with previous=true, have a terminated instance), and
// the body is the log text.

#include "tests/servers/kube/api_server.hpp"

#include <algorithm>

namespace ocne::test::kube {

namespace {

std::vector<std::string>
container_names(const Json& pod, const char* field)
{
  std::vector<std::string> names;
  const Json* spec = child(pod, "spec");
  const Json* list = spec != nullptr ? child(*spec, field) : nullptr;
  if (list != nullptr && list->is_array()) {
    for (const auto& c : *list) {
      names.push_back(string_at(c, "name"));
    }
  }
  return names;
}

std::string
bracketed(const std::vector<std::string>& names)
{
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i > 0 ? " " : "") + names[i];
  }
  return out + "]";
}

// The container's status from status.containerStatuses or initContainerStatuses.
const Json*
container_status(const Json& pod, const std::string& container)
{
  const Json* status = child(pod, "status");
  if (status == nullptr) {
    return nullptr;
  }
  for (const char* field : { "containerStatuses", "initContainerStatuses" }) {
    const Json* list = child(*status, field);
    if (list == nullptr || !list->is_array()) {
      continue;
    }
    for (const auto& s : *list) {
      if (string_at(s, "name") == container) {
        return &s;
      }
    }
  }
  return nullptr;
}

std::string
tail(const std::string& text, long lines)
{
  if (lines < 0) {
    return text;
  }
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') {
    --pos;
  }
  long seen = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++seen == lines) {
      return text.substr(pos);
    }
    --pos;
  }
  return lines == 0 ? std::string() : text;
}

long
number_param(const HttpRequest& req, const char* name)
{
  const auto v = req.query_param(name);
  if (!v) {
    return -1;
  }
  try {
    std::size_t used = 0;
    const long n = std::stol(*v, &used);
    if (used == v->size() && n >= 0) {
      return n;
    }
  } catch (const std::exception&) {
  }
  throw err_bad_request(std::string("invalid value for ") + name + ": " + *v);
}

} // namespace

bool
ApiServer::handle_pod_log(const HttpRequest& req, HttpResponse& res)
{
  const auto parts = split_path(req.path);
  if (parts.size() != 7 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces" || parts[4] != "pods" ||
      parts[6] != "log") {
    return false;
  }
  if (req.method != "GET") {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  const std::string& ns = parts[3];
  const std::string& name = parts[5];
  std::string container = req.query_param("container").value_or("");
  const bool previous = req.query_param("previous").value_or("") == "true";
  const long tail_lines = number_param(req, "tailLines");
  const long limit_bytes = number_param(req, "limitBytes");
  std::string text;
  {
    const std::lock_guard lock(m_mutex);
    const ObjectPtr pod = find({ "", "pods", ns, name });
    if (!pod) {
      throw err_not_found("", "pods", name);
    }
    const auto containers = container_names(*pod, "containers");
    const auto init = container_names(*pod, "initContainers");
    if (container.empty()) {
      if (containers.size() != 1) {
        std::string message =
          "a container name must be specified for pod " + name + ", choose one of: " + bracketed(containers);
        if (!init.empty()) {
          message += " or one of the init containers: " + bracketed(init);
        }
        throw err_bad_request(message);
      }
      container = containers.front();
    }
    if (std::find(containers.begin(), containers.end(), container) == containers.end() &&
        std::find(init.begin(), init.end(), container) == init.end()) {
      throw err_bad_request("container " + container + " is not valid for pod " + name);
    }
    if (string_at(*child(*pod, "spec"), "nodeName").empty()) {
      throw err_bad_request("pod " + name + " does not have a host assigned");
    }
    const Json* status = container_status(*pod, container);
    if (previous) {
      const Json* last = status != nullptr ? child(*status, "lastState") : nullptr;
      if (last == nullptr || child(*last, "terminated") == nullptr) {
        throw err_bad_request("previous terminated container \"" + container + "\" in pod \"" + name + "\" not found");
      }
    } else {
      const Json* state = status != nullptr ? child(*status, "state") : nullptr;
      if (state == nullptr || child(*state, "waiting") != nullptr) {
        const Json* waiting = state != nullptr ? child(*state, "waiting") : nullptr;
        const std::string reason = waiting != nullptr ? string_at(*waiting, "reason") : "ContainerCreating";
        throw err_bad_request("container \"" + container + "\" in pod \"" + name +
                              "\" is waiting to start: " + (reason.empty() ? "ContainerCreating" : reason));
      }
    }
    if (const auto it = m_logs.find({ ns, name, container, previous }); it != m_logs.end()) {
      text = it->second;
    }
  }
  text = tail(text, tail_lines);
  if (limit_bytes >= 0 && static_cast<std::size_t>(limit_bytes) < text.size()) {
    text.resize(static_cast<std::size_t>(limit_bytes));
  }
  res.status = 200;
  res.set_header("Content-Type", "text/plain");
  res.body = std::move(text);
  return true;
}

void
ApiServer::set_pod_log(const std::string& ns,
                       const std::string& pod,
                       const std::string& container,
                       const std::string& text,
                       bool previous)
{
  const std::lock_guard lock(m_mutex);
  m_logs[{ ns, pod, container, previous }] = text;
}

} // namespace ocne::test::kube
