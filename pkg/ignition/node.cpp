#include "pkg/ignition/node.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/ignition/assets.hpp"
#include "pkg/ignition/ostree.hpp"

namespace ocne::ignition {

Status
add_common(Config& config, const CommonOptions& options)
{
  OCNE_TRY_ASSIGN(auto os, parse_ostree_reference(options.os_registry));
  OCNE_TRY(config.add_file(
    { .path = "/etc/ocne/update.yaml",
      .contents = fmt::format("registry: {}\ntag: {}\ntransport: {}\n", os.image, options.os_tag, os.transport),
      .mode = 0400 }));
  OCNE_TRY(config.add_file(
    { .path = "/etc/ocne/ocne.sh", .contents = std::string(assets::ocne_bootstrap_script()), .mode = 0555 }));
  config.enable_unit("ocne-update.service");
  config.enable_unit("ocne.service");
  // The drop-in must end with a newline (a unit parser on the node rejects
  // a last line without one).
  OCNE_TRY(
    config.add_dropin("ocne.service",
                      { .name = "bootstrap.conf",
                        .contents = fmt::format("[Service]\nEnvironment=ACTION={}\nEnvironment=NET_INTERFACE={}\n",
                                                options.join ? "join" : "init",
                                                options.net_interface) }));
  config.enable_unit("crio.service");
  config.enable_unit("kubelet.service");
  OCNE_TRY(
    config.add_file({ .path = "/etc/containers/registries.conf",
                      .contents = fmt::format("unqualified-search-registries = [\"{}\"]\n", options.container_registry),
                      .mode = 0644 }));
  OCNE_TRY(config.add_file({ .path = "/etc/ocne/ocne-kubeadm-upgrade.sh",
                             .contents = std::string(assets::kubeadm_upgrade_hook()),
                             .mode = 0555 }));
  OCNE_TRY(config.add_directory({ .path = std::string(k_patches_dir), .mode = 0755 }));
  return {};
}

Status
add_kubeadm_init(Config& config, const InitOptions& options, const pki::ClusterPki& pki)
{
  OCNE_TRY(config.add_file(
    { .path = "/etc/kubernetes/kubeadm.conf", .contents = init_configuration_yaml(options).reveal(), .mode = 0600 }));
  struct Item
  {
    const char* path;
    const std::string* contents;
    unsigned mode;
  };
  const Item items[] = {
    { "/etc/kubernetes/pki/ca.crt", &pki.ca.cert_pem, 0644 },
    { "/etc/kubernetes/pki/ca.key", &pki.ca.key_pem.reveal(), 0600 },
    { "/etc/kubernetes/pki/etcd/ca.crt", &pki.etcd_ca.cert_pem, 0644 },
    { "/etc/kubernetes/pki/etcd/ca.key", &pki.etcd_ca.key_pem.reveal(), 0600 },
    { "/etc/kubernetes/pki/front-proxy-ca.crt", &pki.front_proxy_ca.cert_pem, 0644 },
    { "/etc/kubernetes/pki/front-proxy-ca.key", &pki.front_proxy_ca.key_pem.reveal(), 0600 },
    { "/etc/kubernetes/pki/sa.key", &pki.service_account_key.reveal(), 0600 },
    { "/etc/kubernetes/pki/sa.pub", &pki.service_account_pub, 0644 },
  };
  for (const auto& item : items) {
    if (item.contents->empty()) {
      return make_error(ErrorKind::internal, "the cluster PKI has no content for {}", item.path);
    }
    OCNE_TRY(config.add_file({ .path = item.path, .contents = *item.contents, .mode = item.mode }));
  }
  return {};
}

Status
add_kubeadm_join(Config& config, const JoinOptions& options)
{
  if (options.ca_cert_hash.empty() || options.bootstrap_token.empty()) {
    return make_error(ErrorKind::internal, "a join configuration needs the bootstrap token and the CA hash");
  }
  if (options.control_plane && options.certificate_key.empty()) {
    return make_error(ErrorKind::internal, "a control-plane join needs the certificate key");
  }
  return config.add_file(
    { .path = "/etc/kubernetes/kubeadm.conf", .contents = join_configuration_yaml(options).reveal(), .mode = 0600 });
}

Status
add_virtual_ip(Config& config, const VirtualIpOptions& options)
{
  if (options.address.empty() || options.net_interface.empty()) {
    return make_error(ErrorKind::internal, "the virtual IP assets need the address and the interface");
  }
  OCNE_TRY(config.add_group({ .name = "nginx_script", .system = true }));
  OCNE_TRY(config.add_user({ .name = "nginx_script",
                             .shell = "/sbin/nologin",
                             .primary_group = "nginx_script",
                             .no_create_home = true,
                             .system = true }));
  OCNE_TRY(config.add_file({ .path = "/etc/keepalived/keepalived.conf",
                             .contents = assets::keepalived_conf(options.net_interface, options.address),
                             .mode = 0644,
                             .user = "keepalived_script" }));
  OCNE_TRY(config.add_file(
    { .path = "/etc/keepalived/check_apiserver.sh",
      .contents = assets::check_apiserver_script(options.net_interface, options.address, options.api_port),
      .mode = 0755 }));
  OCNE_TRY(config.add_file({ .path = "/etc/keepalived/keepalived_state.sh",
                             .contents = std::string(assets::keepalived_state_script()),
                             .mode = 0755 }));
  OCNE_TRY(config.add_file({ .path = "/etc/keepalived/log", .contents = "", .mode = 0644 }));
  OCNE_TRY(config.add_file({ .path = "/etc/ocne/nginx/nginx.conf",
                             .contents = assets::nginx_conf(options.api_port, options.backend_port),
                             .mode = 0644,
                             .user = "nginx_script" }));
  OCNE_TRY(config.add_file({ .path = "/etc/ocne/nginx/image", .contents = options.nginx_image + "\n", .mode = 0644 }));
  OCNE_TRY(config.add_file(
    { .path = "/etc/ocne/nginx/pull_ocne_nginx", .contents = std::string(assets::nginx_pull_script()), .mode = 0755 }));
  OCNE_TRY(config.add_file({ .path = "/etc/ocne/nginx/start_ocne_nginx",
                             .contents = std::string(assets::nginx_start_script()),
                             .mode = 0755 }));
  Unit nginx{ .name = "ocne-nginx.service", .enabled = true, .contents = std::string(assets::nginx_unit()) };
  if (!options.proxy_dropin.empty()) {
    nginx.dropins.push_back({ .name = "proxy.conf", .contents = options.proxy_dropin });
  }
  OCNE_TRY(config.add_unit(std::move(nginx)));
  OCNE_TRY(config.add_unit(
    { .name = "ocne-nginx-refresh.service", .contents = assets::refresh_service_unit("ocne-nginx.service") }));
  OCNE_TRY(config.add_unit({ .name = "ocne-nginx-refresh.path",
                             .enabled = true,
                             .contents = assets::refresh_path_unit("/etc/ocne/nginx/nginx.conf") }));
  config.enable_unit("keepalived.service");
  OCNE_TRY(config.add_unit(
    { .name = "keepalived-refresh.service", .contents = assets::refresh_service_unit("keepalived.service") }));
  OCNE_TRY(config.add_unit({ .name = "keepalived-refresh.path",
                             .enabled = true,
                             .contents = assets::refresh_path_unit("/etc/keepalived/keepalived.conf") }));
  return {};
}

Status
add_nic(Config& config, const NicOptions& options)
{
  const char* def = options.default_route ? "yes" : "no";
  return config.add_file({ .path = "/etc/sysconfig/network-scripts/ifcfg-" + options.name,
                           .contents = fmt::format("TYPE=Ethernet\n"
                                                   "PROXY_METHOD=none\n"
                                                   "BROWSER_ONLY=no\n"
                                                   "BOOTPROTO=dhcp\n"
                                                   "DEFROUTE={0}\n"
                                                   "IPV4_FAILURE_FATAL=no\n"
                                                   "IPV6INIT=yes\n"
                                                   "IPV6_AUTOCONF=yes\n"
                                                   "IPV6_DEFROUTE={0}\n"
                                                   "IPV6_FAILURE_FATAL=no\n"
                                                   "IPV6_ADDR_GEN_MODE=eui64\n"
                                                   "NAME={1}\n"
                                                   "DEVICE={1}\n"
                                                   "ONBOOT=yes\n",
                                                   def,
                                                   options.name),
                           .mode = 0444 });
}

std::string
proxy_dropin(const ProxyOptions& options)
{
  if (options.https_proxy.empty() && options.http_proxy.empty()) {
    return {};
  }
  std::string out = "[Service]\n";
  auto add = [&](const char* upper, const char* lower, const std::string& value) {
    if (!value.empty()) {
      out += fmt::format("Environment=\"{}={}\"\nEnvironment=\"{}={}\"\n", upper, value, lower, value);
    }
  };
  add("HTTPS_PROXY", "https_proxy", options.https_proxy);
  add("HTTP_PROXY", "http_proxy", options.http_proxy);
  add("NO_PROXY", "no_proxy", options.no_proxy);
  return out;
}

Status
add_proxy(Config& config, const ProxyOptions& options)
{
  const auto dropin = proxy_dropin(options);
  if (dropin.empty()) {
    return {};
  }
  for (const auto* unit : { "crio.service", "kubelet.service", "ocne-update.service", "rpm-ostreed.service" }) {
    OCNE_TRY(config.add_dropin(unit, { .name = "proxy.conf", .contents = dropin }));
  }
  return {};
}

Status
add_hostname(Config& config, const std::string& hostname)
{
  return config.add_file({ .path = "/etc/hostname", .contents = hostname + "\n", .mode = 0644 });
}

Status
add_ocne_user(Config& config, const UserOptions& options)
{
  User user{
    .name = "ocne", .groups = { "wheel" }, .password_hash = options.password_hash, .shell = "/usr/bin/rescue.sh"
  };
  for (const auto& line : str::split(options.ssh_public_key, '\n')) {
    const auto key = std::string(str::trim(line));
    if (!key.empty() && key.front() != '#' &&
        std::find(user.ssh_authorized_keys.begin(), user.ssh_authorized_keys.end(), key) ==
          user.ssh_authorized_keys.end()) {
      user.ssh_authorized_keys.push_back(key);
    }
  }
  return config.add_user(std::move(user));
}

} // namespace ocne::ignition
