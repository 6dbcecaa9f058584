#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo, on a kernel with VDUSE: three containers attached to vduse-netsw
# through its CNI plugin, driven as a container runtime drives it. They ping
# each other through the switch; a capture of a ping is read back with
# tcpdump; iperf3 and the kernel's pktgen send through it; the switch shows
# its counters and the MAC table it learned. Then everything is taken down:
# nothing is left behind.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MESON_BUILD_ROOT:-$repo/build}
# shellcheck source=cni-runtime.sh
. "$repo/tools/cni-runtime.sh"
sw=$build/apps/vduse-netsw/vduse-netsw
ctl_bin=$build/apps/vduse-netsw-ctl/vduse-netsw-ctl
work=$(mktemp -d)
run_dir_made=0
[ -d /run/vduse-netsw ] || run_dir_made=1
export CNI_PATH=$build/apps/vduse-netsw-cni:/usr/lib/cni
names=(red green blue)
declare -A pid ip mac port
sw_pid=

step() { printf '\n== %s\n' "$*"; }
ctl() { "$ctl_bin" "$@"; }

# The example network, with the IPAM's leases kept in this run's directory.
network() {
	cni_network "$repo/config/cni/vduse-netsw.conflist" 0 |
		jq -c --arg data "$work/ipam" '.ipam.dataDir = $data'
}

cleanup() {
	local n
	for n in "${names[@]}"; do
		[ -n "${pid[$n]:-}" ] || continue
		network | cni DEL "demo-$n" "/proc/${pid[$n]}/ns/net" eth0 >/dev/null || true
		container_stop "${pid[$n]}"
	done
	if [ -n "$sw_pid" ]; then
		kill -TERM "$sw_pid" 2>/dev/null && wait "$sw_pid" || true
	fi
	rm -rf "$work"
	[ "$run_dir_made" = 0 ] || rmdir /run/vduse-netsw 2>/dev/null || true
}
trap cleanup EXIT

for m in vduse vdpa virtio_vdpa; do modprobe -q "$m" 2>/dev/null || true; done

step "vduse-netsw: a learning bridge with no port yet, serving its control socket"
"$sw" --no-huge -m 256 --no-pci --no-shconf -l 0-1 --log-level='*:error' \
	--log-level='netsw.*:info' -- --control /run/vduse-netsw/control.sock \
	>"$work/switch.log" 2>&1 &
sw_pid=$!
for _ in $(seq 150); do
	ctl show port summary all >/dev/null 2>&1 && break
	kill -0 "$sw_pid" || { cat "$work/switch.log"; exit 1; }
	sleep 0.2
done
ctl show port summary all

step "three containers (own network, PID, mount and UTS namespaces)"
for n in "${names[@]}"; do
	pid[$n]=$(container_start "$n")
	echo "$n: PID ${pid[$n]}, network namespace /proc/${pid[$n]}/ns/net"
done

step "CNI ADD for each, as a runtime calls the plugin (host-local hands out addresses)"
network | jq -M .
for n in "${names[@]}"; do
	network | cni ADD "demo-$n" "/proc/${pid[$n]}/ns/net" eth0 >"$work/$n.json"
	ip[$n]=$(jq -r '.ips[0].address | sub("/.*"; "")' "$work/$n.json")
	mac[$n]=$(jq -r '.interfaces[0].mac' "$work/$n.json")
	echo "$n: $(jq -c '{interfaces, ips}' "$work/$n.json")"
done
container_exec "${pid[red]}" ip -br addr show eth0
container_exec "${pid[red]}" ethtool -i eth0 | head -n 1
vdpa dev show
ctl show port summary all
for n in "${names[@]}"; do
	port[$n]=$(ctl --json show port info all |
		jq -r --arg m "${mac[$n]}" '.reply.ports[] | select(.mac == $m) | .name')
done

step "capture on red's port while every container pings the others"
ctl capture start "${port[red]}" both "$work/ping.pcapng" filter icmp
for a in "${names[@]}"; do
	for b in "${names[@]}"; do
		[ "$a" = "$b" ] && continue
		container_exec "${pid[$a]}" ping -c 2 -i 0.3 -W 3 "${ip[$b]}" | tail -n 2 | head -n 1 |
			sed "s/^/$a -> $b: /"
	done
done
ctl capture stop
tcpdump -nr "$work/ping.pcapng" 2>/dev/null | head -n 8

step "iperf3, red -> blue, 3 s"
container_exec "${pid[blue]}" iperf3 -s -1 -D
sleep 0.5
container_exec "${pid[red]}" iperf3 -c "${ip[blue]}" -t 3 -f m | grep -E 'sender|receiver'

step "the kernel's pktgen in green: 20 000 UDP frames of 64 bytes to blue"
modprobe pktgen
container_exec "${pid[green]}" sh -c '
	pg() { echo "$2" >"/proc/net/pktgen/$1"; }
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count 20000"
	pg eth0 "pkt_size 64"
	pg eth0 "dst '"${ip[blue]}"'"
	pg eth0 "dst_mac '"${mac[blue]}"'"
	pg pgctrl start
	grep -A2 "^Result" /proc/net/pktgen/eth0
	pg kpktgend_0 rem_device_all'
rmmod pktgen 2>/dev/null || true

step "switch counters and the MAC table it learned"
ctl show port stats all
ctl show mac table

step "CNI DEL for each, the containers stopped, the switch stopped (SIGTERM)"
for n in "${names[@]}"; do
	network | cni DEL "demo-$n" "/proc/${pid[$n]}/ns/net" eth0
	container_stop "${pid[$n]}"
	unset "pid[$n]"
done
kill -TERM "$sw_pid"
wait "$sw_pid"
sw_pid=
echo "vdpa devices left: $(vdpa dev show | grep -c . || true); ports' state files left:" \
	"$(find /run/vduse-netsw -name '*.state' 2>/dev/null | wc -l)"
