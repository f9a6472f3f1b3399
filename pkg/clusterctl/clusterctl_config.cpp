#include "pkg/clusterctl/clusterctl_config.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/k8s/yaml.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;

std::string
scalar_text(const json& value)
{
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_boolean() || value.is_number()) {
    return value.dump();
  }
  return "";
}

bool
upper_snake(const std::string& key)
{
  if (key.empty()) {
    return false;
  }
  for (const char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

} // namespace

std::vector<ImageOverride>
ClusterctlConfig::images_for(const Component& component) const
{
  std::vector<ImageOverride> out;
  for (const auto* key : { "all", component.label.c_str() }) {
    if (const auto it = images.find(std::string_view(key)); it != images.end()) {
      out.push_back(it->second);
    }
  }
  return out;
}

std::optional<ClusterctlProvider>
ClusterctlConfig::provider_for(const Component& component) const
{
  if (component.type == ProviderType::cert_manager) {
    if (cert_manager_url.empty()) {
      return std::nullopt;
    }
    return ClusterctlProvider{ "cert-manager", cert_manager_url, "CertManager" };
  }
  for (const auto& p : providers) {
    if (p.name == component.provider_name && p.type == to_string(component.type)) {
      return p;
    }
  }
  return std::nullopt;
}

std::filesystem::path
clusterctl_config_dir(const Environment& env)
{
  const auto xdg = env.get_nonempty("XDG_CONFIG_HOME");
  const std::filesystem::path base = xdg ? std::filesystem::path(*xdg) : env.home() / ".config";
  const auto modern = base / "cluster-api";
  std::error_code ec;
  if (std::filesystem::is_directory(modern, ec)) {
    return modern;
  }
  const auto legacy = env.home() / ".cluster-api";
  if (std::filesystem::is_directory(legacy, ec)) {
    return legacy;
  }
  return modern;
}

Result<ClusterctlConfig>
parse_clusterctl_config(std::string_view text, const std::filesystem::path& file)
{
  ClusterctlConfig out;
  out.file = file;
  out.config_dir = file.parent_path();
  OCNE_TRY_ASSIGN(auto doc, k8s::parse_yaml(text, file.string()));
  if (doc.is_null()) {
    return out;
  }
  if (!doc.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: expected a mapping at the top", file.string());
  }
  for (const auto& [key, value] : doc.items()) {
    if (key == "providers") {
      if (!value.is_array()) {
        return make_error(ErrorKind::invalid_input, "{}: providers must be a list", file.string());
      }
      for (const auto& p : value) {
        if (!p.is_object() || !p.contains("name") || !p.contains("url") || !p.contains("type")) {
          return make_error(
            ErrorKind::invalid_input, "{}: every providers entry needs name, url and type", file.string());
        }
        out.providers.push_back({ scalar_text(p["name"]), scalar_text(p["url"]), scalar_text(p["type"]) });
      }
    } else if (key == "cert-manager" && value.is_object()) {
      out.cert_manager_url = scalar_text(value.value("url", json()));
      out.cert_manager_version = scalar_text(value.value("version", json()));
    } else if (key == "images") {
      if (!value.is_object()) {
        return make_error(ErrorKind::invalid_input, "{}: images must be a mapping", file.string());
      }
      for (const auto& [label, rule] : value.items()) {
        if (!rule.is_object()) {
          return make_error(ErrorKind::invalid_input, "{}: images.{} must be a mapping", file.string(), label);
        }
        out.images[label] =
          ImageOverride{ "", scalar_text(rule.value("repository", json())), scalar_text(rule.value("tag", json())) };
      }
    } else if (key == "overridesFolder") {
      out.overrides_folder = scalar_text(value);
    } else if (upper_snake(key)) {
      out.variables[key] = scalar_text(value);
    }
  }
  return out;
}

Result<ClusterctlConfig>
load_clusterctl_config(const Environment& env)
{
  const auto dir = clusterctl_config_dir(env);
  const auto file = dir / "clusterctl.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    ClusterctlConfig empty;
    empty.config_dir = dir;
    return empty;
  }
  OCNE_TRY_ASSIGN(auto text, fs::read_file(file));
  OCNE_TRY_ASSIGN(auto config, parse_clusterctl_config(text, file));
  config.config_dir = dir;
  return config;
}

} // namespace ocne::clusterctl
