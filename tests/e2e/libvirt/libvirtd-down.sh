#!/bin/bash
# Stops what libvirtd-up.sh STATE_DIR started: domains and networks first
# (QEMU and dnsmasq outlive libvirtd), then the daemons, leftover processes
# in the network namespace, and the namespace itself.
set -u
state=${1:?usage: libvirtd-down.sh STATE_DIR}
uri="qemu:///system?socket=$state/sock/libvirt-sock"
netns=$(cat "$state/netns" 2>/dev/null || true)
v() { timeout 20 virsh -q -c "$uri" "$@" 2>/dev/null; }
if v version >/dev/null; then
  for d in $(v list --name); do v destroy "$d" >/dev/null; done
  for n in $(v net-list --name); do v net-destroy "$n" >/dev/null; done
fi
for daemon in libvirtd virtlogd; do
  if [ -f "$state/$daemon.pid" ]; then
    kill "$(cat "$state/$daemon.pid")" 2>/dev/null || true
  fi
done
sleep 0.5
if [ -n "$netns" ] && ip netns list | grep -qw "$netns"; then
  for pid in $(ip netns pids "$netns"); do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in $(ip netns pids "$netns"); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns delete "$netns"
fi
exit 0
