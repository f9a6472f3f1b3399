#include "tests/support/components_release.hpp"

#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/registry/registry.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/shared_dir.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace ocne::test {

namespace {

using json = nlohmann::json;

std::string
read_or_throw(const std::filesystem::path& path)
{
  auto text = fs::read_file(path);
  if (!text) {
    throw std::runtime_error(text.error().message());
  }
  return *text;
}

void
strip_ignition(json& node)
{
  if (node.is_object()) {
    if (node.contains("properties") && node["properties"].is_object()) {
      auto& props = node["properties"];
      if (props.contains("ignition") && props["ignition"].contains("properties")) {
        props["ignition"]["properties"].erase("variant");
        props["ignition"]["properties"].erase("version");
      }
    }
    for (auto& [key, value] : node.items()) {
      strip_ignition(value);
    }
  } else if (node.is_array()) {
    for (auto& item : node) {
      strip_ignition(item);
    }
  }
}

} // namespace

std::string
shared_component(const std::string& name)
{
  return read_or_throw(shared_path("components") / name);
}

std::string
without_ignition_fields(const std::string& text)
{
  auto objects = k8s::parse_yaml_stream(text, "components");
  if (!objects) {
    throw std::runtime_error(objects.error().message());
  }
  std::string out;
  for (auto& object : *objects) {
    if (object.value("kind", "") == "CustomResourceDefinition") {
      strip_ignition(object);
    }
    out += "---\n" + k8s::to_yaml(object);
  }
  return out;
}

std::vector<std::string>
stack_names()
{
  std::vector<std::string> names;
  for (const auto* cloud : providers::all()) {
    if (cloud->stack() != nullptr) {
      names.emplace_back(cloud->name());
    }
  }
  return names;
}

const clusterctl::Stack&
stack_of(const std::string& provider)
{
  const auto* cloud = providers::find(provider);
  if (cloud == nullptr || cloud->stack() == nullptr) {
    throw std::runtime_error("no stack " + provider);
  }
  return *cloud->stack();
}

std::map<std::string, std::string>
stack_release_files(const std::string& provider)
{
  const auto* stack = &stack_of(provider);
  std::map<std::string, std::string> files;
  const auto fixture = [](const std::string& name) { return read_or_throw(fixture_path("components") / name); };
  for (const auto& c : stack->components) {
    const std::string dir = c.label + "/" + c.version + "/";
    if (c.label == "cert-manager") {
      files[dir + c.components] =
        shared_component("cert-manager-v1.19.4-crds.yaml") + "\n" + fixture("cert-manager-workloads.yaml");
    } else if (c.label == "cluster-api" && c.version == "v1.10.8") {
      files[dir + c.components] = shared_component("capi-ocne-v1.10.8-core-components.yaml");
      files[dir + c.metadata] = shared_component("capi-v1.10.8-metadata.yaml");
    } else if (c.label == "cluster-api") {
      files[dir + c.components] = shared_component("capi-upstream-v1.13.5-core-components.yaml");
      files[dir + c.metadata] = shared_component("capi-upstream-v1.13.5-metadata.yaml");
    } else if (c.label == "bootstrap-kubeadm") {
      files[dir + c.components] =
        without_ignition_fields(shared_component("capi-ocne-v1.10.8-bootstrap-components.yaml"));
      files[dir + c.metadata] = shared_component("capi-v1.10.8-metadata.yaml");
    } else if (c.label == "control-plane-kubeadm") {
      files[dir + c.components] =
        without_ignition_fields(shared_component("capi-ocne-v1.10.8-control-plane-components.yaml"));
      files[dir + c.metadata] = shared_component("capi-v1.10.8-metadata.yaml");
    } else if (c.label == "infrastructure-oci") {
      files[dir + c.components] = shared_component("capoci-v0.21.0-infrastructure-components.yaml");
      files[dir + c.metadata] = shared_component("capoci-v0.21.0-metadata.yaml");
    } else if (c.label == "infrastructure-oxide") {
      files[dir + c.components] = shared_component("capox-infrastructure-components.yaml");
      files[dir + c.metadata] = fixture("capox-metadata.yaml");
    } else {
      throw std::runtime_error("no fixture for " + c.label);
    }
  }
  return files;
}

std::filesystem::path
write_stack_release(const std::string& provider, const std::filesystem::path& folder)
{
  for (const auto& [rel, text] : stack_release_files(provider)) {
    const auto path = folder / rel;
    std::filesystem::create_directories(path.parent_path());
    auto written = fs::write_file_atomic(path, text);
    if (!written) {
      throw std::runtime_error(written.error().message());
    }
  }
  return folder;
}

std::map<std::string, std::string>
stack_release_paths(const std::string& provider)
{
  const auto* stack = &stack_of(provider);
  const auto files = stack_release_files(provider);
  std::map<std::string, std::string> out;
  for (const auto& c : stack->components) {
    const std::string base = c.release_url.substr(std::string("https://github.com").size());
    for (const auto& file : { c.components, c.metadata }) {
      if (!file.empty()) {
        out[base + "/" + file] = files.at(c.label + "/" + c.version + "/" + file);
      }
    }
  }
  return out;
}

int
ReleaseRequests::count(const std::string& suffix)
{
  const std::lock_guard lock(mutex);
  int n = 0;
  for (const auto& p : paths) {
    n += p.ends_with(suffix) ? 1 : 0;
  }
  return n;
}

std::shared_ptr<ReleaseRequests>
serve_release(TestHttpServer& server, std::map<std::string, std::string> files)
{
  auto seen = std::make_shared<ReleaseRequests>();
  auto shared_files = std::make_shared<const std::map<std::string, std::string>>(std::move(files));
  const auto note = [seen](const httplib::Request& req) {
    const std::lock_guard lock(seen->mutex);
    seen->paths.push_back(req.path);
    seen->authorizations.push_back(req.get_header_value("Authorization"));
  };
  server.routes().Get(R"(/objects/.*)", [shared_files, note](const httplib::Request& req, httplib::Response& res) {
    note(req);
    const auto it = shared_files->find(req.path.substr(std::string("/objects").size()));
    if (it == shared_files->end()) {
      res.status = 404;
      res.set_content("Not Found", "text/plain");
      return;
    }
    res.set_content(it->second, "application/octet-stream");
  });
  server.routes().Get(R"(/.*/releases/download/.*)",
                      [shared_files, note](const httplib::Request& req, httplib::Response& res) {
                        note(req);
                        if (!shared_files->contains(req.path)) {
                          res.status = 404;
                          res.set_content("Not Found", "text/plain");
                          return;
                        }
                        res.status = 302;
                        res.set_header("Location", "/objects" + req.path);
                      });
  return seen;
}

} // namespace ocne::test
