#include "providers/oci/dhcp_hooks.hpp"

namespace ocne::providers::oci {

namespace {

constexpr const char* k_dispatcher = R"SH(#!/bin/bash
# Installed by "ocne image create --type oci".
# NetworkManager runs dispatcher scripts with the interface and the event.
# Its own DHCP client does not run dhclient hooks, so this script does: each
# DHCP option NetworkManager received (DHCP4_HOST_NAME=...) is exported as
# dhclient names it (new_host_name=...), then every hook in
# /etc/dhcp/dhclient.d/NAME.sh is sourced and its NAME_config function runs
# (NAME_restore when the interface goes down). DHCLIENT_HOOK_DIR moves the
# hook folder, for tests.
interface=$1
event=$2
hook_dir=${DHCLIENT_HOOK_DIR:-/etc/dhcp/dhclient.d}
[ -d "$hook_dir" ] || exit 0
case "$event" in
  up|dhcp4-change|dhcp6-change) step=config ;;
  down) step=restore ;;
  *) exit 0 ;;
esac
while IFS= read -r line; do
  key=${line%%=*}
  case "$key" in
    DHCP4_*|DHCP6_*)
      option=${key#DHCP?_}
      option=${option,,}
      [[ "$option" =~ ^[a-z0-9_]+$ ]] && export "new_${option}=${line#*=}"
      ;;
  esac
done < <(env)
export interface reason="$event"
for hook in "$hook_dir"/*.sh; do
  [ -f "$hook" ] || continue
  name=$(basename "$hook" .sh)
  # shellcheck disable=SC1090
  . "$hook"
  if declare -F "${name}_${step}" > /dev/null; then
    "${name}_${step}"
  fi
done
exit 0
)SH";

constexpr const char* k_hook = R"SH(# Installed by "ocne image create --type oci".
# dhclient hook (also run by /etc/NetworkManager/dispatcher.d/11-dhclient):
# applies what the OCI virtual cloud network's DHCP server sends through
# /etc/oci-dhclient.sh, which reads the exported new_* variables.
oci_config() {
  if [ -x /etc/oci-dhclient.sh ]; then
    /etc/oci-dhclient.sh config
  fi
}

oci_restore() {
  :
}
)SH";

constexpr const char* k_apply = R"SH(#!/bin/bash
# Installed by "ocne image create --type oci".
# Sets the host name from the DHCP answer of the OCI virtual cloud network
# (new_host_name and new_domain_name, exported by the dhclient hook) and
# records it in /etc/hosts with the address (new_ip_address). Set
# PRESERVE_HOSTINFO=1 (or more) in /etc/oci-hostname.conf to keep the host
# name this machine has. (OCI_HOSTNAME_CONF and OCI_HOSTS_FILE move the two
# files, for tests.)
[ "${1:-config}" = config ] || exit 0
conf=${OCI_HOSTNAME_CONF:-/etc/oci-hostname.conf}
hosts=${OCI_HOSTS_FILE:-/etc/hosts}
keep=0
if [ -r "$conf" ]; then
  keep=$(sed -n 's/^[[:space:]]*PRESERVE_HOSTINFO=\([0-9][0-9]*\).*/\1/p' "$conf" | tail -n 1)
fi
[ "${keep:-0}" -ge 1 ] && exit 0
short=${new_host_name%%.*}
[ -n "$short" ] || exit 0
domain=${new_domain_name%% *}
full=$short
[ -n "$domain" ] && full=$short.$domain
if [ "$(hostname)" != "$full" ]; then
  hostnamectl set-hostname "$full" 2> /dev/null || hostname "$full"
fi
if [ -n "$new_ip_address" ] && ! grep -qw -- "$full" "$hosts" 2> /dev/null; then
  printf '%s %s %s\n' "$new_ip_address" "$full" "$short" >> "$hosts"
fi
exit 0
)SH";

} // namespace

std::vector<image::ExtraFile>
dhcp_hooks()
{
  return {
    image::ExtraFile{ "etc/oci-dhclient.sh", k_apply, 0755 },
    image::ExtraFile{ "etc/dhcp/dhclient.d/oci.sh", k_hook, 0755 },
    image::ExtraFile{ "etc/NetworkManager/dispatcher.d/11-dhclient", k_dispatcher, 0755 },
  };
}

} // namespace ocne::providers::oci
