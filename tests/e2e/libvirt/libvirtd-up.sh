#!/bin/bash
# Starts a private libvirt daemon (libvirtd + virtlogd, QEMU as root) for the
# tests, isolated from the host:
#   - a private network namespace: the NAT bridge, dnsmasq and iptables rules
#     stay off the host's network;
#   - a private mount namespace: /etc/libvirt, /run/libvirt, /var/lib/libvirt,
#     /var/log/libvirt and /etc/passwd are per-run copies under STATE_DIR, so
#     the host's libvirt (if any) and its users are never touched.
# The daemon's socket is STATE_DIR/sock/libvirt-sock; connect with
#   qemu:///system?socket=STATE_DIR/sock/libvirt-sock
# and run anything that must reach the guests' addresses inside the network
# namespace (ip netns exec <netns> ...).
#
# Usage: libvirtd-up.sh STATE_DIR [CACHE_DIR]
# Prints KEY=VALUE lines (URI, NETNS, SOCKET, STATE_DIR). Exit 77 = cannot run
# here (reason on stderr), anything else non-zero = failure.
set -euo pipefail

state=${1:?usage: libvirtd-up.sh STATE_DIR [CACHE_DIR]}
cache=${2:-$state/cache}
skip() { echo "libvirtd-up: $*" >&2; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network and mount namespaces, QEMU as root)"
for tool in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img dnsmasq ip unshare iptables; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || skip "$tool is not installed (scripts/packages/libvirt.txt)"
done

mkdir -p "$state" "$cache"
state=$(cd "$state" && pwd)
cache=$(cd "$cache" && pwd)
netns="ocne-lv-$$-$RANDOM"
mkdir -p "$state"/{sock,run,lib/images,log/qemu,etc/qemu/networks/autostart,etc/storage}

# libvirt resolves its build-time default QEMU user at start even when
# qemu.conf names another; give it one in a private /etc/passwd.
cp /etc/passwd "$state/passwd"
cp /etc/group "$state/group"
grep -q '^libvirt-qemu:' "$state/group" || echo 'libvirt-qemu:x:64055:' >> "$state/group"
grep -q '^libvirt-qemu:' "$state/passwd" ||
  echo 'libvirt-qemu:x:64055:64055:libvirt qemu:/var/lib/libvirt:/usr/sbin/nologin' >> "$state/passwd"

cat > "$state/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$state/sock"
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
CONF
# QEMU as root: /dev/kvm is root-only here, so as libvirt-qemu every start
# re-probes QEMU for over a minute (see research/libvirt.md).
cat > "$state/etc/qemu.conf" <<CONF
user = "root"
group = "root"
security_driver = "none"
dynamic_ownership = 0
CONF
cat > "$state/etc/virtlogd.conf" <<CONF
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
CONF

ip netns add "$netns" || skip "cannot create a network namespace (ip netns add failed)"
echo "$netns" > "$state/netns"
ip netns exec "$netns" ip link set lo up

# Inside the new mount namespace: bind the private folders, then start the
# daemons; they keep the namespace alive after this shell exits.
# Whether mount namespaces are allowed here (a container may refuse them):
# only that is a missing capability; a daemon that then fails to start is a
# broken setup (exit 1 with its log).
ip netns exec "$netns" unshare --mount --propagation private true 2>/dev/null ||
  { ip netns delete "$netns"; skip "cannot make a private mount namespace (unshare --mount refused)"; }
ip netns exec "$netns" unshare --mount --propagation private /bin/bash -e -c "
  mount --bind '$state/etc' /etc/libvirt
  mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
  mount --bind '$state/run' /run/libvirt
  mount --bind '$state/lib' /var/lib/libvirt
  mount --bind '$state/log' /var/log/libvirt
  mount --bind '$cache' /var/cache/libvirt
  mount --bind '$state/passwd' /etc/passwd
  mount --bind '$state/group' /etc/group
  /usr/sbin/virtlogd -d -p '$state/virtlogd.pid' -f /etc/libvirt/virtlogd.conf
  /usr/sbin/libvirtd -d -p '$state/libvirtd.pid' -f /etc/libvirt/libvirtd.conf
" || {
  echo "libvirtd-up: cannot start virtlogd/libvirtd in the private namespaces; libvirtd's log:" >&2
  tail -20 "$state/log/libvirtd.log" >&2 || true
  ip netns delete "$netns"
  exit 1
}

uri="qemu:///system?socket=$state/sock/libvirt-sock"
# The first start probes QEMU's capabilities (several seconds); later starts
# read them from the cache.
for _ in $(seq 1 300); do
  virsh -q -c "$uri" version >/dev/null 2>&1 && break
  sleep 0.1
done
virsh -q -c "$uri" version >/dev/null 2>&1 || {
  echo "libvirtd-up: the daemon did not answer on $uri; its log:" >&2
  tail -20 "$state/log/libvirtd.log" >&2 || true
  exit 1
}

# A host as libvirt installs it: the NAT network "default".
cat > "$state/default-net.xml" <<XML
<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.122.2' end='192.168.122.199'/></dhcp>
  </ip>
</network>
XML
virsh -q -c "$uri" net-define "$state/default-net.xml" >/dev/null
virsh -q -c "$uri" net-start default >/dev/null

echo "URI=$uri"
echo "NETNS=$netns"
echo "SOCKET=$state/sock/libvirt-sock"
echo "STATE_DIR=$state"
