#include "pkg/cluster_templates/cluster_template.hpp"

#include "pkg/cluster_templates/node_ignition.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/embedded.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/template/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace ocne::cluster_templates {
namespace {

Result<std::vector<std::string>>
ssh_keys(const config::ClusterConfig& c)
{
  std::string text = c.ssh_public_key.get();
  if (text.empty() && !c.ssh_public_key_path.get().empty()) {
    auto read = fs::read_file(c.ssh_public_key_path.get(), 1 << 20);
    if (!read) {
      return make_error(read.error().with_context("sshPublicKeyPath"));
    }
    text = std::move(*read);
  }
  std::vector<std::string> keys;
  for (const auto& line : str::split(text, '\n')) {
    const auto key = str::trim(line);
    if (!key.empty() && key.front() != '#') {
      keys.emplace_back(key);
    }
  }
  return keys;
}

// extraIgnition (a file, or a folder whose files are merged in name order)
// then extraIgnitionInline.
Result<std::vector<NodeIgnitionOptions::Extra>>
extra_ignition(const config::ClusterConfig& c)
{
  std::vector<NodeIgnitionOptions::Extra> out;
  const auto& path = c.extra_ignition.get();
  if (!path.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) {
          files.push_back(entry.path());
        }
      }
      if (ec) {
        return make_error(ErrorKind::io, "extraIgnition {}: {}", path, ec.message());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.emplace_back(path);
    }
    for (const auto& f : files) {
      auto text = fs::read_file(f, 1 << 20);
      if (!text) {
        return make_error(text.error().with_context("extraIgnition"));
      }
      out.push_back({ fmt::format("extraIgnition {}", f.string()), std::move(*text) });
    }
  }
  if (!c.extra_ignition_inline.get().empty()) {
    out.push_back({ "extraIgnitionInline", c.extra_ignition_inline.get() });
  }
  return out;
}

Result<std::string>
build_ignition(const config::ClusterConfig& c, const NodeExtras& extras, const std::vector<std::string>& keys)
{
  NodeIgnitionOptions o;
  o.cloud_files = extras.files;
  o.cloud_dropins = extras.dropins;
  o.registry = c.registry.get();
  o.os_registry = c.os_registry.get();
  o.os_tag = c.os_tag.get();
  o.https_proxy = c.proxy.https_proxy.get();
  o.http_proxy = c.proxy.http_proxy.get();
  o.no_proxy = c.proxy.no_proxy.get();
  for (const auto* list : { &c.service_subnet.get(), &c.pod_subnet.get() }) {
    for (const auto& cidr : str::split_trimmed(*list, ',')) {
      o.no_proxy_extra.push_back(cidr);
    }
  }
  o.no_proxy_extra.insert(o.no_proxy_extra.end(), extras.no_proxy.begin(), extras.no_proxy.end());
  o.ssh_keys = keys;
  o.password_hash = c.password.get();
  OCNE_TRY_ASSIGN(o.extra, extra_ignition(c));
  return node_ignition(o);
}

Result<std::pair<std::string, std::string>>
template_text(const config::ClusterConfig& c, const CloudTemplate& cloud)
{
  const auto override_path = cloud.template_override(c);
  if (!override_path.empty()) {
    auto text = fs::read_file(override_path, 16 << 20);
    if (!text) {
      return make_error(text.error().with_context(fmt::format("providers.{}.template", cloud.name())));
    }
    return std::pair{ std::move(*text), override_path };
  }
  const auto name = fmt::format("capi-{}.yaml", cloud.name());
  const auto text = embedded::find("templates/" + name);
  if (!text) {
    return make_error(ErrorKind::internal, "the built-in template {} is missing from this build", name);
  }
  return std::pair{ std::string(*text), name };
}

} // namespace

Result<ClusterTemplate>
render_cluster_template(const config::ClusterConfig& c, const CloudTemplate& cloud)
{
  OCNE_TRY_ASSIGN(const auto kube, config::find_kube_version(c.kubernetes_version.get()));
  OCNE_TRY_ASSIGN(auto source, template_text(c, cloud));
  OCNE_TRY_ASSIGN(auto keys, ssh_keys(c));
  auto extras = cloud.node_extras();
  OCNE_TRY_ASSIGN(auto ignition, build_ignition(c, extras, keys));

  ClusterTemplate out;
  out.ignition_bytes = ignition.size();
  if (ignition.size() > k_additional_config_limit) {
    return make_error(ErrorKind::invalid_input,
                      "the nodes' Ignition config is {} bytes, over the {} that Cluster API accepts; make "
                      "extraIgnition or extraIgnitionInline smaller",
                      ignition.size(),
                      k_additional_config_limit);
  }

  OCNE_TRY_ASSIGN(auto found, cloud.look_up(c, kube, ignition.size()));
  out.placeholders = std::move(found.placeholders);
  out.warnings = std::move(found.warnings);
  out.images_found = std::move(found.images_found);
  const TemplateContext ctx{ c,
                             kube,
                             cloud.namespace_of(c),
                             std::move(ignition),
                             std::move(keys),
                             std::move(extras.kubelet_args),
                             std::move(found.values) };
  const auto variables = template_variables(ctx, cloud.variables());
  auto rendered = tmpl::render(source.first, variables, { source.second });
  if (!rendered) {
    return make_error(rendered.error());
  }
  out.yaml = std::move(*rendered);
  if (out.yaml.empty() || out.yaml.back() != '\n') {
    out.yaml += '\n';
  }
  out.source = cloud.template_override(c).empty() ? source.second + " (built in)" : source.second;
  return out;
}

std::vector<std::string>
find_placeholders(std::string_view yaml)
{
  std::set<std::string> names;
  std::size_t pos = 0;
  while ((pos = yaml.find("${", pos)) != std::string_view::npos) {
    auto end = pos + 2;
    if (pos > 0 && yaml[pos - 1] == '$') {
      pos = end; // "$${" is an escaped "${", as in clusterctl
      continue;
    }
    while (end < yaml.size() && (std::isalnum(static_cast<unsigned char>(yaml[end])) != 0 || yaml[end] == '_')) {
      ++end;
    }
    if (end < yaml.size() && yaml[end] == '}' && end > pos + 2) {
      names.insert(std::string(yaml.substr(pos, end + 1 - pos)));
    }
    pos = end;
  }
  return { names.begin(), names.end() };
}

} // namespace ocne::cluster_templates
