#include "pkg/cluster_templates/cluster_template.hpp"

#include "pkg/cluster_templates/node_ignition.hpp"
#include "pkg/cluster_templates/shapes.hpp"
#include "pkg/config/values.hpp"
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

std::string
placeholder(std::string_view name)
{
  return fmt::format("${{{}}}", name);
}

struct Resolved
{
  std::string value;
  std::vector<std::string> notes;
};

// providers.oci.compartment: an OCID as it is, a path through the resolver.
Result<Resolved>
resolve_compartment(const config::ClusterConfig& c, ResourceResolver& resolver)
{
  const auto& compartment = c.providers.oci.compartment.get();
  if (compartment.empty()) {
    return Resolved{ placeholder("OCI_COMPARTMENT_ID"),
                     { "${OCI_COMPARTMENT_ID}: providers.oci.compartment is not set" } };
  }
  if (str::starts_with(compartment, "ocid1.")) {
    return Resolved{ compartment, {} };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.resolve_compartment(compartment));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{ placeholder("OCI_COMPARTMENT_ID"),
                   { fmt::format("${{OCI_COMPARTMENT_ID}}: the OCID of compartment {} is not known ({})",
                                 str::quote(compartment),
                                 lookup.reason) } };
}

// The image for one architecture: providers.oci.images.<arch>, else the
// newest tagged image in the compartment.
Result<Resolved>
resolve_oci_image(const config::ClusterConfig& c,
                  const config::KubeVersion& kube,
                  const std::string& compartment_id,
                  std::string_view arch,
                  ResourceResolver& resolver)
{
  const auto& configured = arch == "arm64" ? c.providers.oci.images.arm64.get() : c.providers.oci.images.amd64.get();
  if (!configured.empty()) {
    return Resolved{ configured, {} };
  }
  const auto name = fmt::format("OCI_IMAGE_ID_{}", str::to_lower(arch) == "arm64" ? "ARM64" : "AMD64");
  if (str::starts_with(compartment_id, "${")) {
    return Resolved{ placeholder(name),
                     { fmt::format("${{{}}}: providers.oci.images.{} is not set, and without the compartment's OCID "
                                   "the image cannot be looked up",
                                   name,
                                   arch) } };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.find_oci_image(compartment_id, kube.minor, arch));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{ placeholder(name),
                   { fmt::format("${{{}}}: providers.oci.images.{} is not set and no {} image for Kubernetes {} was "
                                 "found ({})",
                                 name,
                                 arch,
                                 arch,
                                 kube.minor,
                                 lookup.reason) } };
}

Result<Resolved>
resolve_oxide_image(const config::ClusterConfig& c, ResourceResolver& resolver)
{
  const auto& ox = c.providers.oxide;
  const auto& name = ox.images.amd64.get().empty() ? ox.image_name.get() : ox.images.amd64.get();
  const auto key = ox.images.amd64.get().empty() ? "providers.oxide.imageName" : "providers.oxide.images.amd64";
  if (config::is_uuid(name)) {
    return Resolved{ name, {} };
  }
  if (name.empty()) {
    return Resolved{
      placeholder("OXIDE_IMAGE_ID"),
      { "${OXIDE_IMAGE_ID}: neither providers.oxide.images.amd64 nor providers.oxide.imageName is set" }
    };
  }
  OCNE_TRY_ASSIGN(auto lookup, resolver.find_oxide_image(ox.project.get(), name));
  if (lookup.value) {
    return Resolved{ *lookup.value, {} };
  }
  return Resolved{
    placeholder("OXIDE_IMAGE_ID"),
    { fmt::format(
      "${{OXIDE_IMAGE_ID}}: the UUID of image {} ({}) is not known ({})", str::quote(name), key, lookup.reason) }
  };
}

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
build_ignition(const config::ClusterConfig& c, Provider provider, const std::vector<std::string>& keys)
{
  NodeIgnitionOptions o;
  o.platform = provider == Provider::oci ? NodeIgnitionOptions::Platform::oci : NodeIgnitionOptions::Platform::oxide;
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
  if (provider == Provider::oci) {
    o.no_proxy_extra.emplace_back("169.254.169.254"); // the instance metadata service
  }
  o.ssh_keys = keys;
  o.password_hash = c.password.get();
  OCNE_TRY_ASSIGN(o.extra, extra_ignition(c));
  return node_ignition(o);
}

Result<std::pair<std::string, std::string>>
template_text(const config::ClusterConfig& c, Provider provider)
{
  const auto& override_path =
    provider == Provider::oci ? c.providers.oci.template_.get() : c.providers.oxide.template_.get();
  if (!override_path.empty()) {
    auto text = fs::read_file(override_path, 16 << 20);
    if (!text) {
      return make_error(text.error().with_context(fmt::format("providers.{}.template", to_string(provider))));
    }
    return std::pair{ std::move(*text), override_path };
  }
  const auto name = fmt::format("capi-{}.yaml", to_string(provider));
  const auto text = embedded::find("templates/" + name);
  if (!text) {
    return make_error(ErrorKind::internal, "the built-in template {} is missing from this build", name);
  }
  return std::pair{ std::string(*text), name };
}

} // namespace

Result<Provider>
parse_provider(std::string_view name)
{
  if (name == "oci") {
    return Provider::oci;
  }
  if (name == "oxide") {
    return Provider::oxide;
  }
  return make_error(ErrorKind::invalid_input,
                    "templates not implemented for provider {} (use oci or oxide)",
                    name.empty() ? std::string("''") : std::string(name));
}

Result<ClusterTemplate>
render_cluster_template(const config::ClusterConfig& c, Provider provider, ResourceResolver& resolver)
{
  OCNE_TRY_ASSIGN(const auto kube, config::find_kube_version(c.kubernetes_version.get()));
  OCNE_TRY_ASSIGN(auto source, template_text(c, provider));
  OCNE_TRY_ASSIGN(auto keys, ssh_keys(c));
  OCNE_TRY_ASSIGN(auto ignition, build_ignition(c, provider, keys));

  ClusterTemplate out;
  out.ignition_bytes = ignition.size();
  if (ignition.size() > k_additional_config_limit) {
    return make_error(ErrorKind::invalid_input,
                      "the nodes' Ignition config is {} bytes, over the {} that Cluster API accepts; make "
                      "extraIgnition or extraIgnitionInline smaller",
                      ignition.size(),
                      k_additional_config_limit);
  }

  TemplateContext ctx{ c, provider, kube, {}, {}, {}, {}, std::move(ignition), std::move(keys) };
  if (provider == Provider::oci) {
    OCNE_TRY_ASSIGN(auto compartment, resolve_compartment(c, resolver));
    ctx.compartment_id = compartment.value;
    out.placeholders = compartment.notes;
    const auto cp_arch = shape_architecture(c.providers.oci.control_plane_shape.shape.get());
    const auto worker_arch = shape_architecture(c.providers.oci.worker_shape.shape.get());
    OCNE_TRY_ASSIGN(auto cp_image, resolve_oci_image(c, kube, ctx.compartment_id, cp_arch, resolver));
    ctx.control_plane_image = cp_image.value;
    out.placeholders.insert(out.placeholders.end(), cp_image.notes.begin(), cp_image.notes.end());
    if (worker_arch == cp_arch) {
      ctx.worker_image = ctx.control_plane_image;
    } else {
      OCNE_TRY_ASSIGN(auto worker_image, resolve_oci_image(c, kube, ctx.compartment_id, worker_arch, resolver));
      ctx.worker_image = worker_image.value;
      out.placeholders.insert(out.placeholders.end(), worker_image.notes.begin(), worker_image.notes.end());
    }
  } else {
    OCNE_TRY_ASSIGN(auto image, resolve_oxide_image(c, resolver));
    ctx.oxide_image = image.value;
    out.placeholders = image.notes;
    const auto estimate = ctx.ignition.size() + k_capi_ignition_overhead;
    if (estimate > k_oxide_user_data_limit) {
      out.warnings.push_back(fmt::format(
        "a control plane node's bootstrap data will be about {} bytes ({} of Ignition from ocne plus about {} that "
        "Cluster API adds), over Oxide's limit of {} bytes of user data; make extraIgnition smaller",
        estimate,
        ctx.ignition.size(),
        k_capi_ignition_overhead,
        k_oxide_user_data_limit));
    }
  }

  const auto variables = template_variables(ctx);
  auto rendered = tmpl::render(source.first, variables, { source.second });
  if (!rendered) {
    return make_error(rendered.error());
  }
  out.yaml = std::move(*rendered);
  if (out.yaml.empty() || out.yaml.back() != '\n') {
    out.yaml += '\n';
  }
  const auto& override_path =
    provider == Provider::oci ? c.providers.oci.template_.get() : c.providers.oxide.template_.get();
  out.source = override_path.empty() ? source.second + " (built in)" : source.second;
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
