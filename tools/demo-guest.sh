#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo, inside the guest: two containers' network namespaces whose eth0
# are VDUSE virtio-net ports, and a third host behind a "physical NIC" (a
# veth driven by DPDK's net_af_packet), bridged by vduse-netsw in userspace:
# they reach each other, the switch learns their MACs, and the containers
# survive a kill of the switch.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sw=${MESON_BUILD_ROOT:-$repo/build}/apps/vduse-netsw/vduse-netsw
ctl=/run/vduse-netsw.sock

step() { printf '\n== %s\n' "$*"; }

step "network namespaces 'red' and 'blue' (two containers), and 'lan' behind a NIC"
ip netns add red
ip netns add blue
ip netns add lan
# The NIC: a veth whose switch end nic0 DPDK drives through AF_PACKET.
ip link add nic0 type veth peer name eth0 netns lan
sysctl -qw net.ipv6.conf.nic0.disable_ipv6=1
ip link set nic0 up
ip netns exec lan ethtool -K eth0 tx off >/dev/null # AF_PACKET on a veth: see the user guide
ip -n lan link set eth0 address 02:00:00:00:0c:01
ip -n lan addr add 10.10.0.3/24 dev eth0
ip -n lan link set eth0 up

# start_switch: the README's command; returns once it forwards.
start_switch() {
	"$sw" --no-huge -m 256 --no-pci --no-shconf -l 0-1 --log-level='*:error' --log-level='netsw.*:info' \
		--vdev net_af_packet0,iface=nic0 -- --control "$ctl" \
		--vduse red0,netns=red,ifname=eth0,mac=02:00:00:00:0a:01 \
		--vduse blue0,netns=blue,ifname=eth0,mac=02:00:00:00:0b:01 >/run/switch.log 2>&1 &
	sw_pid=$!
	for _ in $(seq 150); do
		grep -q '^vduse-netsw: forwarding' /run/switch.log && break
		sleep 0.2
	done
	grep -v '^vduse: ' /run/switch.log
}

step "vduse-netsw: two VDUSE ports, each the eth0 of one namespace, and the NIC; bridge engine"
start_switch
vdpa dev show

step "the kernel's virtio_net made them ordinary netdevs"
ip netns exec red ethtool -i eth0 | head -n 2
ip -n red addr add 10.10.0.1/24 dev eth0
ip -n blue addr add 10.10.0.2/24 dev eth0
ip -n red link set eth0 up
ip -n blue link set eth0 up
ip -n red -br link show eth0
ip -n blue -br link show eth0

step "red pings blue, and both ping lan behind the NIC, through the switch"
ip netns exec red ping -c 3 -i 0.3 10.10.0.2
ip netns exec red ping -c 2 -i 0.3 10.10.0.3
ip netns exec blue ping -c 2 -i 0.3 10.10.0.3

step "the ports and the MAC table the bridge learned (control socket)"
printf 'show port summary all\nshow mac table\n' | socat -t 5 - "UNIX-CONNECT:$ctl"

step "the switch is killed (SIGKILL) and started again: it takes the devices back"
ifindex=$(ip netns exec red cat /sys/class/net/eth0/ifindex)
kill -KILL "$sw_pid"
wait "$sw_pid" 2>/dev/null || true
start_switch
echo "red's eth0: ifindex $ifindex before, $(ip netns exec red cat /sys/class/net/eth0/ifindex) after"
ip netns exec red ping -c 3 -i 0.3 10.10.0.2

step "switch counters (control socket: show port stats all)"
echo "show port stats all" | socat -t 5 - "UNIX-CONNECT:$ctl"
echo "show mac table" | socat -t 5 - "UNIX-CONNECT:$ctl"

step "SIGTERM: the switch detaches and destroys its devices"
kill -TERM "$sw_pid"
wait "$sw_pid"
echo "vdpa devices left: $(vdpa dev show | wc -l)"
