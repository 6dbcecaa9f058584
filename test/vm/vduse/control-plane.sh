#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# lib/vduse against the upstream kernel: a virtio-net device created, attached
# to virtio_vdpa, negotiated to DRIVER_OK with both rings mapped, its link
# switched through the config space, then detached and destroyed; then bound
# to vhost_vdpa instead, and offered every optional feature.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=vdutest0
mac=02:5e:00:00:00:01
start_probe main --name "$name" --mac "$mac" --mtu 1500
out=$workdir/main.out

netdev=$(awk '$1 == "netdev" { print $2 }' "$out")
[ -n "$netdev" ] || fail "no netdev name printed"
[ -d "/sys/class/net/$netdev" ] || fail "netdev $netdev does not exist"
ok "netdev $netdev"

[ "$(cat "/sys/class/net/$netdev/address")" = "$mac" ] ||
	fail "MAC of $netdev is $(cat "/sys/class/net/$netdev/address"), not $mac"
[ "$(cat "/sys/class/net/$netdev/mtu")" = 1500 ] ||
	fail "MTU of $netdev is $(cat "/sys/class/net/$netdev/mtu"), not 1500"
ok "MAC $mac and MTU 1500"

grep -qx 'status 0x0f' "$out" || fail "device status is not DRIVER_OK|FEATURES_OK|DRIVER|ACK"
for q in 0 1; do
	grep -Eq "^queue $q started: size [1-9][0-9]* desc 0x[0-9a-f]+ avail 0x[0-9a-f]+ used 0x[0-9a-f]+ avail_idx [0-9]+ used_idx [0-9]+ kick_fd yes" "$out" ||
		fail "queue $q was not started with its rings mapped"
done
ok "status DRIVER_OK, both queues started with readable rings"

check_buffers "$out" "$netdev" "$mac"

kill -USR1 "$probe_pid"
link_has "$netdev" NO-CARRIER || fail "link down did not reach $netdev"
ok "link down: NO-CARRIER"
kill -USR2 "$probe_pid"
link_has "$netdev" LOWER_UP || fail "link up did not reach $netdev"
ok "link up: LOWER_UP"

vdpa dev show | grep -q "^$name:" || fail "vdpa dev show does not list $name"
stop_probe
grep -q '^destroyed' "$out" || fail "vdu-probe did not report the device destroyed"
[ -z "$(vdpa dev show)" ] || fail "vdpa devices remain: $(vdpa dev show)"
[ ! -e "/dev/vduse/$name" ] || fail "/dev/vduse/$name still exists"
[ ! -e "/sys/class/net/$netdev" ] || fail "netdev $netdev still exists"
ok "detached and destroyed"

# The same device for a VM: moved from virtio_vdpa to vhost_vdpa.
modprobe vhost_vdpa || fail "modprobe vhost_vdpa failed"
start_probe vhost --name "$name" --mac "$mac" --vhost
drv=$(basename "$(readlink "/sys/bus/vdpa/devices/$name/driver")")
[ "$drv" = vhost_vdpa ] || fail "device bound to '$drv', not vhost_vdpa"
ls /sys/bus/vdpa/devices/"$name"/vhost-vdpa-* >/dev/null 2>&1 || fail "no vhost-vdpa char device"
! grep -q '^netdev' "$workdir/vhost.out" || fail "a netdev was reported for a vhost device"
ok "bound to vhost_vdpa"
stop_probe
[ -z "$(vdpa dev show)" ] || fail "vdpa devices remain: $(vdpa dev show)"
ok "vhost device destroyed"

# Every optional feature offered: the kernel takes the device and virtio_net accepts them all.
optional=0x1c0000030009983 # VDU_NET_OPTIONAL_FEATURES
start_probe features --name "$name" --mac "$mac" --features "$optional"
negotiated=$(awk '$3 == "features" && $4 == "negotiated:" { print $5 }' "$workdir/features.err" | tail -n1)
[ -n "$negotiated" ] || fail "no feature negotiation logged"
[ $((negotiated & optional)) -eq $((optional)) ] ||
	fail "driver accepted $negotiated, not all of $optional"
ok "all optional features negotiated ($negotiated)"
stop_probe
