#include "providers/libvirt/options.hpp"

#include "pkg/config/values.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/boot_image.hpp"
#include "pkg/image/credentials.hpp"

namespace ocne::providers::libvirt {

namespace {

Result<NodeSize>
node_size(const config::NodeSize& in, std::string_view key)
{
  NodeSize out;
  if (in.cpu.is_set()) {
    if (*in.cpu <= 0 || *in.cpu > 1024) {
      return make_error(ErrorKind::invalid_input, "{}.cpu: {} is not a CPU count", key, *in.cpu);
    }
    out.cpus = static_cast<unsigned>(*in.cpu);
  }
  if (in.memory.is_set()) {
    auto bytes = config::parse_quantity(*in.memory);
    if (!bytes) {
      return tl::unexpected(bytes.error().with_context(std::string(key) + ".memory"));
    }
    out.memory_kib = *bytes / 1024;
  }
  if (in.storage.is_set()) {
    auto bytes = config::parse_quantity(*in.storage);
    if (!bytes) {
      return tl::unexpected(bytes.error().with_context(std::string(key) + ".storage"));
    }
    out.storage_bytes = *bytes;
  }
  return out;
}

} // namespace

namespace {

Result<Options>
map_config(const config::ClusterConfig& c, const Environment& env, const StateDir& state, bool for_start)
{
  Options o;
  const auto& lv = c.providers.libvirt;
  o.cluster_name = c.name.value_or("ocne");
  o.uri = lv.uri.value_or("qemu:///session");
  o.storage_pool = lv.storage_pool.value_or("images");
  o.network = lv.network.value_or("default");
  o.slirp_subnet = lv.slirp_subnet.value_or("192.18.255.0/24");
  o.boot_volume_name = lv.boot_volume_name.value_or("boot.qcow2");
  o.secure_boot = lv.secure_boot.value_or(false);
  o.smm = lv.smm.value_or(false);
  o.control_plane_nodes = static_cast<unsigned>(std::max<std::int64_t>(c.control_plane_nodes.value_or(1), 0));
  o.worker_nodes = static_cast<unsigned>(std::max<std::int64_t>(c.worker_nodes.value_or(0), 0));
  OCNE_TRY_ASSIGN(o.control_plane, node_size(lv.control_plane_node, "providers.libvirt.controlPlaneNode"));
  OCNE_TRY_ASSIGN(o.worker, node_size(lv.worker_node, "providers.libvirt.workerNode"));
  o.virtual_ip = c.virtual_ip.get();
  o.load_balancer = c.load_balancer.get();
  o.api_port = static_cast<unsigned>(c.kube_api_server_bind_port.value_or(6443));
  o.api_port_alt = static_cast<unsigned>(c.kube_api_server_bind_port_alt.value_or(6444));

  o.kubernetes_version = c.kubernetes_version.value_or(std::string(config::k_default_kubernetes_version));
  OCNE_TRY_ASSIGN(auto version, config::find_kube_version(o.kubernetes_version));
  o.kubernetes_full_version = version.full;
  o.etcd_tag = version.etcd;
  o.coredns_tag = version.coredns;
  o.pod_subnet = c.pod_subnet.value_or("10.244.0.0/16");
  o.service_subnet = c.service_subnet.value_or("10.96.0.0/12");
  o.kube_proxy_mode = c.kube_proxy_mode.value_or("iptables");
  o.cni = c.cni.get();
  o.cipher_suites = c.cipher_suites.get();
  o.container_registry = c.registry.value_or("container-registry.oracle.com");
  o.image_repository = o.container_registry + "/olcne";
  if (c.os_registry.is_set()) {
    o.os_registry = *c.os_registry;
  }
  o.os_tag = c.os_tag.value_or(o.kubernetes_version);
  const auto& ci = c.certificate_information;
  o.certificate_information = {
    ci.country.value_or("US"), ci.org.value_or("OCNE"), ci.org_unit.value_or("OCNE"), ci.state.value_or("TX")
  };
  o.proxy = { c.proxy.https_proxy.get(), c.proxy.http_proxy.get(), c.proxy.no_proxy.get() };
  o.password_hash = c.password.get();

  o.home = env.home();
  o.kube_dir = env.home() / ".kube";
  o.state = state;
  if (!for_start) {
    return o;
  }

  const fs::Path base = c.directory.is_set() ? fs::Path(*c.directory) : env.cwd();
  if (!c.ssh_public_key.get().empty()) {
    o.ssh_public_key = *c.ssh_public_key;
  } else if (!c.ssh_public_key_path.get().empty()) {
    const auto path = fs::resolve_path(*c.ssh_public_key_path, base, env.home());
    auto key = fs::read_file(path, 1 << 20);
    if (!key) {
      return tl::unexpected(key.error().with_context("sshPublicKeyPath"));
    }
    o.ssh_public_key = *key;
  }
  const auto extra_path =
    c.extra_ignition.get().empty() ? fs::Path() : fs::resolve_path(*c.extra_ignition, base, env.home());
  OCNE_TRY_ASSIGN(o.extra_ignition, ignition::load_extra_ignition(extra_path, c.extra_ignition_inline.get()));

  const std::string image = c.boot_volume_container_image.get();
  const std::string version_name = o.kubernetes_version;
  if (str::starts_with(image, "file://")) {
    const fs::Path file = fs::resolve_path(image.substr(7), base, env.home());
    o.boot_image = [file](std::string_view, ProgressSink&) -> Result<fs::Path> { return file; };
  } else if (!image.empty()) {
    image::SourceOptions source;
    source.cwd = base;
    source.home = env.home();
    source.blob_dir = state.images_dir() / "blobs";
    source.registry.auth_files = image::default_auth_files(env);
    const fs::Path images_dir = state.images_dir();
    o.boot_image = [image, version_name, images_dir, source](std::string_view arch,
                                                             ProgressSink& progress) -> Result<fs::Path> {
      OCNE_TRY_ASSIGN(auto parsed_arch, image::parse_arch(arch));
      image::BootImageOptions options;
      options.source = image;
      options.version = version_name;
      options.arch = parsed_arch;
      options.images_dir = images_dir;
      options.source_options = source;
      OCNE_TRY_ASSIGN(auto boot, image::ensure_boot_image(options, progress));
      return boot.path;
    };
  }
  return o;
}

} // namespace

Result<Options>
options_from_config(const config::ClusterConfig& config, const Environment& env, const StateDir& state)
{
  return map_config(config, env, state, true);
}

Result<Options>
delete_options_from_config(const config::ClusterConfig& config, const Environment& env, const StateDir& state)
{
  return map_config(config, env, state, false);
}

} // namespace ocne::providers::libvirt
