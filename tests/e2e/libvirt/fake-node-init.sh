#!/bin/busybox sh
# /init of the fake OCK node in the libvirt test image. It plays the node:
# reads its Ignition config from fw_cfg like Ignition does, applies it, takes
# the network up with DHCP, and on the first control-plane node serves the
# Kubernetes API (ocne-kube-test-server) on port 6443 with certificates from
# the cluster CA it received, also on the virtual IP (as keepalived would),
# playing the workload controllers and a kubelet that is Ready once flannel
# is rolled out; and, for `cluster start -P oci|oxide` with this node's cluster as
# the ephemeral management cluster, the Cluster API controllers with a
# workload cluster on port 7443 (ocne-kube-test-server --capi).
# It reports what it got on the serial console every few seconds:
#   OCNE-FAKE-NODE hostname=<h> action=<init|join> sha256=<of the config> ...
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done

cfg=/sys/firmware/qemu_fw_cfg/by_name/opt/com.coreos/config/raw
for i in $(seq 1 50); do [ -r "$cfg" ] && break; sleep 0.2; done
if [ ! -r "$cfg" ]; then
  while true; do echo "OCNE-FAKE-NODE error=no-ignition-in-fw_cfg"; sleep 2; done
fi
cat "$cfg" > /run/ignition.json
sha=$(sha256sum /run/ignition.json | cut -d' ' -f1)
/bin/ocne-fake-ignition /run/ignition.json /

host=$(cat /etc/hostname 2>/dev/null)
hostname "$host"
dropin=/etc/systemd/system/ocne.service.d/bootstrap.conf
action=$(sed -n 's/^Environment=ACTION=//p' "$dropin")
nic=$(sed -n 's/^Environment=NET_INTERFACE=//p' "$dropin")

# Loopback: the API server's own webhook pods (capi_webhook.hpp) listen on 127.0.0.1.
ip link set lo up
for dev in /sys/class/net/eth*; do
  n=$(basename "$dev")
  ip link set "$n" up
  udhcpc -i "$n" -n -q -t 20 -T 1 -s /bin/udhcpc.sh >/dev/null 2>&1 &
done
wait

vip=$(sed -n '/virtual_ipaddress {/{n;p}' /etc/keepalived/keepalived.conf 2>/dev/null | tr -d ' ')
if [ "$action" = init ]; then
  sans="--san 127.0.0.1"
  if [ -n "$vip" ]; then
    # keepalived's job on a real node: the VIP on the interface in its subnet.
    prefix=${vip%.*}
    for dev in /sys/class/net/eth*; do
      n=$(basename "$dev")
      if ip -4 -o addr show dev "$n" | grep -q " $prefix\."; then ip addr add "$vip/32" dev "$n"; fi
    done
    sans="$sans --san $vip"
  fi
  # A test can make a workload never become available (its Pod waits in
  # ImagePullBackOff) by writing its namespace/name here through extraIgnition.
  stall=""
  [ -r /etc/ocne-test/stall ] && stall="--stall $(cat /etc/ocne-test/stall)"
  for san in $(sed -n '/certSANs:/,/^[^ -]/s/^ *- //p' /etc/kubernetes/kubeadm.conf); do sans="$sans --san $san"; done
  # As a management cluster (the ephemeral cluster of `cluster start -P
  # oci|oxide`), it also serves the workload cluster Cluster API "creates",
  # on port 7443 of the virtual IP, which the host reaches on the libvirt
  # network (the first NIC is user networking, for the API's port forward).
  # The node does not know the cloud: either one's CCM makes nodes Ready.
  capi=""
  [ -n "$vip" ] && capi="--capi any --capi-port 7443 --capi-url https://$vip:7443"
  /bin/ocne-kube-test-server --listen 0.0.0.0 --port 6443 \
    --ca-cert /etc/kubernetes/pki/ca.crt --ca-key /etc/kubernetes/pki/ca.key \
    $sans --node "$host" --controllers --cni kube-flannel/kube-flannel-ds $stall $capi > /run/kube-server.log 2>&1 &
fi

while true; do
  ips=$(ip -4 -o addr show | awk '$2 != "lo" {print $4}' | tr '\n' ',')
  api=""
  [ "$action" = init ] && api=" api=$(head -c 200 /run/kube-server.log | tr '\n' ' ')"
  echo "OCNE-FAKE-NODE hostname=$host action=$action nic=$nic sha256=$sha ips=$ips$api"
  sleep 2
done
