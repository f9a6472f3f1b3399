#pragma once

// The scripts and unit files ocne writes onto nodes (internal to pkg/ignition).

#include <string>
#include <string_view>

namespace ocne::ignition::assets {

std::string_view ocne_bootstrap_script();
std::string_view kubeadm_upgrade_hook();
std::string keepalived_conf(std::string_view net_interface, std::string_view address);
std::string check_apiserver_script(std::string_view net_interface, std::string_view address, unsigned port);
std::string_view keepalived_state_script();
std::string nginx_conf(unsigned listen_port, unsigned backend_port);
std::string_view nginx_pull_script();
std::string_view nginx_start_script();
std::string_view nginx_unit();
std::string refresh_path_unit(std::string_view watched_file);
std::string refresh_service_unit(std::string_view unit_to_reload);

} // namespace ocne::ignition::assets
