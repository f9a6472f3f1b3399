// The objects an upgrade hop writes: template copies (never an edit of a
// template) and the JSON patches of the pools.

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/strings.hpp"
#include "providers/capi/upgrade_plan.hpp"
#include "providers/capi/upgrade_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;
using pointer = json::json_pointer;

// What depends on the version in a kubeadm config: the node Ignition (its
// update.yaml names the OS tag), and in the control plane's the versions
// and tags kubeadm gets.
constexpr const char* k_control_plane_parts[] = {
  "/spec/kubeadmConfigSpec/ignition/containerLinuxConfig/additionalConfig",
  "/spec/kubeadmConfigSpec/clusterConfiguration/kubernetesVersion",
  "/spec/kubeadmConfigSpec/clusterConfiguration/etcd/local/imageTag",
  "/spec/kubeadmConfigSpec/clusterConfiguration/dns/imageTag",
};
constexpr const char* k_bootstrap_parts[] = {
  "/spec/template/spec/ignition/containerLinuxConfig/additionalConfig",
};

// On infrastructure template copies: the architecture of their image.
constexpr const char* k_arch_annotation = "ocne.oracle.com/architecture";
constexpr const char* k_arch_annotation_pointer = "ocne.oracle.com~1architecture";

bool
has(const json& object, const std::string& at)
{
  return object.contains(pointer(at));
}

std::string
name_of(const json& object)
{
  return k8s::string_at(object, "/metadata/name");
}

// The rendered object of a kind whose name is base (nullptr: none).
const json*
rendered_named(const std::vector<json>& rendered, const std::string& kind, const std::string& base)
{
  for (const auto& o : rendered) {
    if (o.value("kind", "") == kind && (base.empty() || name_of(o) == base)) {
      return &o;
    }
  }
  return nullptr;
}

// "imageId" (OCI) or "imageID" (Oxide) of spec.template.spec.
std::string
image_key(const json& tmpl)
{
  for (const char* key : { "/spec/template/spec/imageId", "/spec/template/spec/imageID" }) {
    if (has(tmpl, key)) {
      return key;
    }
  }
  return "";
}

json
copy_metadata(const json& tmpl, const std::string& name, const std::string& ns, const std::string& minor)
{
  json labels = tmpl["metadata"].value("labels", json::object());
  labels[k_upgrade_label] = minor;
  return { { "name", name }, { "namespace", ns }, { "labels", labels } };
}

} // namespace

Result<Pools>
read_pools(k8s::Client& management, const std::string& ns, const std::string& cluster)
{
  Pools pools;
  OCNE_TRY_ASSIGN(pools.core, clusterctl::core_version(management));
  OCNE_TRY_ASSIGN(auto c, management.get({ "cluster.x-k8s.io/" + pools.core, "Cluster", ns, cluster }));
  auto kcp = clusterctl::referenced(management, c["spec"].value("controlPlaneRef", json()), ns);
  if (!kcp) {
    return make_error(ErrorKind::not_found,
                      "the control plane of Cluster {}/{} cannot be read in {}",
                      ns,
                      cluster,
                      management.describe());
  }
  pools.control_plane = std::move(*kcp);
  k8s::ListOptions mine;
  mine.namespace_ = ns;
  mine.label_selector = "cluster.x-k8s.io/cluster-name=" + cluster;
  OCNE_TRY_ASSIGN(auto mds, management.list({ "cluster.x-k8s.io", pools.core, "MachineDeployment" }, mine));
  pools.deployments = std::move(mds.items);
  std::sort(pools.deployments.begin(), pools.deployments.end(), [](const json& a, const json& b) {
    return name_of(a) < name_of(b);
  });
  return pools;
}

std::string
infra_ref_pointer(const json& pool)
{
  if (pool.value("kind", "") != "KubeadmControlPlane") {
    return "/spec/template/spec/infrastructureRef";
  }
  return has(pool, "/spec/machineTemplate/spec/infrastructureRef") ? "/spec/machineTemplate/spec/infrastructureRef"
                                                                   : "/spec/machineTemplate/infrastructureRef";
}

std::string
base_name(const std::string& name)
{
  static const std::regex k_suffix("-v1-[0-9]+$");
  return std::regex_replace(name, k_suffix, "");
}

std::string
copy_name(const std::string& name, const std::string& minor)
{
  return base_name(name) + "-v" + str::replace_all(minor, ".", "-");
}

Result<std::vector<TemplateCopy>>
template_copies(k8s::Client& management,
                const Pools& pools,
                const std::string& ns,
                const std::string& minor,
                const KnownImages& images,
                const KnownImages& start_images,
                const std::vector<json>& rendered)
{
  std::vector<TemplateCopy> out;
  std::set<std::string> seen;
  std::vector<const json*> all{ &pools.control_plane };
  for (const auto& md : pools.deployments) {
    all.push_back(&md);
  }
  const auto arch_of = [&](const std::string& image, const std::string& what) -> Result<std::string> {
    for (const auto* known : { &start_images, &images }) {
      for (const auto& [arch, id] : *known) {
        if (id == image) {
          return arch;
        }
      }
    }
    if (images.size() == 1) {
      return images.begin()->first;
    }
    return make_error(ErrorKind::invalid_input,
                      "{} boots image {}, which is not one cluster start recorded: cannot tell its architecture",
                      what,
                      image);
  };
  for (const auto* pool : all) {
    const std::string pool_what = fmt::format("{} {}/{}", pool->value("kind", ""), ns, name_of(*pool));
    const json ref = pool->value(pointer(infra_ref_pointer(*pool)), json());
    auto tmpl = clusterctl::referenced(management, ref, ns);
    if (!tmpl) {
      return make_error(ErrorKind::not_found,
                        "{} names the template {} {}, which cannot be read",
                        pool_what,
                        ref.value("kind", "?"),
                        ref.value("name", "?"));
    }
    const std::string new_name = copy_name(name_of(*tmpl), minor);
    if (seen.insert(tmpl->value("kind", "") + "/" + new_name).second) {
      const std::string key = image_key(*tmpl);
      if (key.empty()) {
        return make_error(ErrorKind::invalid_input,
                          "{} {}/{} has no image (spec.template.spec.imageId or imageID)",
                          tmpl->value("kind", ""),
                          ns,
                          name_of(*tmpl));
      }
      // A copy of an earlier hop says its architecture; an original boots
      // an image cluster start recorded.
      std::string arch = k8s::string_at(*tmpl, "/metadata/annotations/" + std::string(k_arch_annotation_pointer));
      if (arch.empty()) {
        OCNE_TRY_ASSIGN(arch,
                        arch_of(tmpl->at(pointer(key)).get<std::string>(),
                                fmt::format("{} {}/{}", tmpl->value("kind", ""), ns, name_of(*tmpl))));
      }
      const auto image = images.find(arch);
      if (image == images.end()) {
        return make_error(ErrorKind::not_found,
                          "no {} boot image for {} (architecture of {} {}/{})",
                          minor,
                          arch,
                          tmpl->value("kind", ""),
                          ns,
                          name_of(*tmpl));
      }
      json copy = { { "apiVersion", (*tmpl)["apiVersion"] },
                    { "kind", (*tmpl)["kind"] },
                    { "metadata", copy_metadata(*tmpl, new_name, ns, minor) },
                    { "spec", (*tmpl)["spec"] } };
      copy[pointer(key)] = image->second;
      copy["metadata"]["annotations"] = { { k_arch_annotation, arch } };
      out.push_back({ fmt::format("{} {}/{}", tmpl->value("kind", ""), ns, new_name),
                      tmpl->value("kind", "") + "/" + name_of(*tmpl),
                      std::move(copy) });
    }
    if (pool->value("kind", "") == "KubeadmControlPlane") {
      continue;
    }
    const json bref = pool->value(pointer(k_bootstrap_ref_pointer), json());
    auto config = clusterctl::referenced(management, bref, ns);
    if (!config) {
      return make_error(ErrorKind::not_found,
                        "{} names the bootstrap template {} {}, which cannot be read",
                        pool_what,
                        bref.value("kind", "?"),
                        bref.value("name", "?"));
    }
    const std::string config_name = copy_name(name_of(*config), minor);
    if (!seen.insert(config->value("kind", "") + "/" + config_name).second) {
      continue;
    }
    json copy = { { "apiVersion", (*config)["apiVersion"] },
                  { "kind", (*config)["kind"] },
                  { "metadata", copy_metadata(*config, config_name, ns, minor) },
                  { "spec", (*config)["spec"] } };
    if (const json* r = rendered_named(rendered, config->value("kind", ""), base_name(name_of(*config)))) {
      for (const char* part : k_bootstrap_parts) {
        if (has(copy, part) && has(*r, part)) {
          copy[pointer(part)] = r->at(pointer(part));
        }
      }
    }
    out.push_back({ fmt::format("{} {}/{}", config->value("kind", ""), ns, config_name),
                    config->value("kind", "") + "/" + name_of(*config),
                    std::move(copy) });
  }
  return out;
}

Result<bool>
ensure_copy(k8s::Client& management, const TemplateCopy& copy)
{
  const auto ref = k8s::ObjectRef::of(copy.object);
  OCNE_TRY_ASSIGN(auto live, management.find(ref));
  if (!live) {
    auto created = management.create(copy.object);
    if (created) {
      return true;
    }
    if (created.error().kind() != ErrorKind::conflict) {
      return tl::unexpected(created.error());
    }
    OCNE_TRY_ASSIGN(live, management.find(ref)); // made meanwhile (a retried request)
    if (!live) {
      return tl::unexpected(created.error());
    }
  }
  if ((*live)["spec"] != copy.object["spec"]) {
    return make_error(ErrorKind::conflict,
                      "{} exists but differs from the copy this upgrade makes (the copy of {} with the new image); "
                      "Cluster API templates are never edited: delete or rename it, then run the upgrade again",
                      copy.what,
                      copy.old_name);
  }
  return false;
}

json
control_plane_patch(const json& kcp,
                    const std::string& version,
                    const std::string& minor,
                    const std::vector<json>& rendered)
{
  json ops = json::array();
  const std::string current = k8s::string_at(kcp, "/spec/version");
  const std::string name_at = infra_ref_pointer(kcp) + "/name";
  const std::string name = k8s::string_at(kcp, name_at);
  if (current != version) {
    ops.push_back({ { "op", "replace" }, { "path", "/spec/version" }, { "value", version } });
  }
  if (copy_name(name, minor) != name) {
    ops.push_back({ { "op", "replace" }, { "path", name_at }, { "value", copy_name(name, minor) } });
  }
  if (const json* r = rendered_named(rendered, "KubeadmControlPlane", "")) {
    for (const char* part : k_control_plane_parts) {
      if (has(kcp, part) && has(*r, part) && kcp.at(pointer(part)) != r->at(pointer(part))) {
        ops.push_back({ { "op", "replace" }, { "path", part }, { "value", r->at(pointer(part)) } });
      }
    }
  }
  if (!ops.empty()) {
    ops.insert(ops.begin(), json{ { "op", "test" }, { "path", "/spec/version" }, { "value", current } });
  }
  return ops;
}

json
deployment_patch(const json& md, const std::string& version, const std::string& minor)
{
  json ops = json::array();
  const std::string current = k8s::string_at(md, "/spec/template/spec/version");
  if (current != version) {
    ops.push_back({ { "op", "replace" }, { "path", "/spec/template/spec/version" }, { "value", version } });
  }
  for (const std::string& at : { infra_ref_pointer(md) + "/name", std::string(k_bootstrap_ref_pointer) + "/name" }) {
    const std::string name = k8s::string_at(md, at);
    if (!name.empty() && copy_name(name, minor) != name) {
      ops.push_back({ { "op", "replace" }, { "path", at }, { "value", copy_name(name, minor) } });
    }
  }
  if (!ops.empty()) {
    ops.insert(ops.begin(), json{ { "op", "test" }, { "path", "/spec/template/spec/version" }, { "value", current } });
  }
  return ops;
}

} // namespace ocne::providers::capi
