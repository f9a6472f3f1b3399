#include "pkg/ignition/assets.hpp"

#include <fmt/core.h>

namespace ocne::ignition::assets {

std::string_view
ocne_bootstrap_script()
{
  return R"ocne(#!/bin/bash
# Written by ocne: joins this node to its cluster with kubeadm on first boot.
# ocne.service runs it with ACTION (init or join) and NET_INTERFACE set.
set -euo pipefail

if [ -f /etc/ocne/reset-kubeadm ]; then
  kubeadm reset -f || true
  rm -f /etc/ocne/reset-kubeadm /etc/kubernetes/kubelet.conf
fi

if [ -f /etc/kubernetes/kubelet.conf ]; then
  echo "ocne: node is bootstrapped already"
  exit 0
fi

# kubeadm.conf names the node address NODE_IP; DHCP may still be running.
node_ip=""
for _ in $(seq 1 120); do
  node_ip=$(ip -o addr show dev "${NET_INTERFACE}" scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
  if [ -n "$node_ip" ]; then
    break
  fi
  sleep 1
done
if [ -z "$node_ip" ]; then
  echo "ocne: ${NET_INTERFACE} got no address" >&2
  exit 1
fi

systemctl enable --now crio.service
systemctl enable kubelet.service
sed -i "s/NODE_IP/${node_ip}/g" /etc/kubernetes/kubeadm.conf

case "${ACTION:-}" in
  init) exec kubeadm init --config /etc/kubernetes/kubeadm.conf --upload-certs ;;
  join) exec kubeadm join --config /etc/kubernetes/kubeadm.conf ;;
  *)
    echo "ocne: ACTION is '${ACTION:-}', expected init or join" >&2
    exit 1
    ;;
esac
)ocne";
}

std::string_view
kubeadm_upgrade_hook()
{
  return R"ocne(#!/bin/sh
# Called by the OCK update flow before kubeadm upgrade; ocne adds nothing.
exit 0
)ocne";
}

std::string
keepalived_conf(std::string_view net_interface, std::string_view address)
{
  return fmt::format(R"ocne(! Written by ocne. The peer list is kept up to date in the cluster.
global_defs {{
    router_id LVS_DEVEL
    enable_script_security
}}

vrrp_script check_apiserver {{
    script "/etc/keepalived/check_apiserver.sh"
    interval 5
    weight 0
    fall 10
    rise 2
}}

vrrp_instance VI_1 {{
    state BACKUP
    interface {}
    virtual_router_id 51
    priority 50
    unicast_peer {{
    }}
    virtual_ipaddress {{
        {}
    }}
    track_script {{
        check_apiserver
    }}
    notify "/etc/keepalived/keepalived_state.sh"
}}
)ocne",
                     net_interface,
                     address);
}

std::string
check_apiserver_script(std::string_view net_interface, std::string_view address, unsigned port)
{
  return fmt::format(R"ocne(#!/bin/sh
# Written by ocne: keepalived's health check for the Kubernetes API virtual IP.
VIP="{1}"
PORT={2}
NIC="{0}"
LOG=/etc/keepalived/log

if ! ip -o addr show | grep -q " $VIP/"; then
  # Until the peers are known, a VIP that answers elsewhere belongs to
  # another node: stay backup.
  peers=$(sed -n '/unicast_peer {{/,/}}/p' /etc/keepalived/keepalived.conf | grep -vc -e unicast_peer -e '}}')
  if [ "$peers" -eq 0 ] && arping -q -c 1 -w 1 -I "$NIC" "$VIP" 2>/dev/null && \
     curl -sk --max-time 2 -o /dev/null "https://$VIP:$PORT/"; then
    exit 1
  fi
fi

if ! netstat -ltn 2>/dev/null | grep -q ":$PORT "; then
  echo "$(date) nothing listens on port $PORT" >> "$LOG"
  exit 1
fi
exit 0
)ocne",
                     net_interface,
                     address,
                     port);
}

std::string_view
keepalived_state_script()
{
  return R"ocne(#!/bin/sh
# Written by ocne: records keepalived state changes (type, name, state).
echo "$(date) $*" >> /etc/keepalived/log
)ocne";
}

std::string
nginx_conf(unsigned listen_port, unsigned backend_port)
{
  return fmt::format(R"ocne(# Written by ocne: forwards the Kubernetes API port to the local API server.
events {{
    worker_connections 2048;
}}

stream {{
    upstream kubernetes_api {{
        least_conn;
        server localhost:{1} max_fails=1 fail_timeout=10s;
    }}

    server {{
        listen {0};
        listen [::]:{0};
        proxy_pass kubernetes_api;
        proxy_connect_timeout 1s;
    }}
}}
)ocne",
                     listen_port,
                     backend_port);
}

std::string_view
nginx_pull_script()
{
  return R"ocne(#!/bin/sh
# Written by ocne: fetches the API proxy image.
set -e
exec crictl pull "$(cat /etc/ocne/nginx/image)"
)ocne";
}

std::string_view
nginx_start_script()
{
  return R"ocne(#!/bin/sh
# Written by ocne: runs the API proxy on the host network.
set -e
exec podman run --name ocne-nginx --replace --network=host \
  -v /etc/ocne/nginx:/etc/nginx:ro "$(cat /etc/ocne/nginx/image)"
)ocne";
}

std::string_view
nginx_unit()
{
  return R"ocne([Unit]
Description=Kubernetes API proxy for the ocne virtual IP
Wants=network-online.target
After=network-online.target crio.service
Before=keepalived.service

[Service]
ExecStartPre=/etc/ocne/nginx/pull_ocne_nginx
ExecStart=/etc/ocne/nginx/start_ocne_nginx
ExecReload=/usr/bin/podman exec ocne-nginx nginx -s reload
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
)ocne";
}

std::string
refresh_path_unit(std::string_view watched_file)
{
  return fmt::format(R"ocne([Unit]
Description=Watch {0}

[Path]
PathChanged={0}

[Install]
WantedBy=multi-user.target
)ocne",
                     watched_file);
}

std::string
refresh_service_unit(std::string_view unit_to_reload)
{
  return fmt::format(R"ocne([Unit]
Description=Reload {0} after its configuration changed

[Service]
Type=oneshot
ExecStart=/usr/bin/systemctl reload {0}
)ocne",
                     unit_to_reload);
}

} // namespace ocne::ignition::assets
