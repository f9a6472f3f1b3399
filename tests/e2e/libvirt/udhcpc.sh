#!/bin/sh
# busybox udhcpc hook of the fake node: configure the lease.
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then ip route add default via "${router%% *}" dev "$interface" 2>/dev/null; fi
    ;;
esac
exit 0
