#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Containers on the switch through its CNI plugin, in a guest with VDUSE,
# the plugin driven exactly as a runtime drives it (tools/cni-runtime.sh),
# with Debian's host-local IPAM; containers of Debian's podman on its CNI
# backend; and "port add vduse ... netns=" by name, by process id and by
# path.
#
#   cni.sh SWITCH_BINARY CNI_PLUGIN
set -euo pipefail
sw_bin=${1:?switch binary}
plugin=${2:?CNI plugin}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../../../tools/cni-runtime.sh
. "$repo/tools/cni-runtime.sh"
work=$(mktemp -d)
ctl=$work/ctl.sock
export CNI_PATH=$work/plugins:/usr/lib/cni
mkdir -p "$work/plugins"
ln -s "$plugin" "$work/plugins/vduse-netsw-cni"
sw_pid=

fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/switch.log" ] && { echo "--- switch log"; tail -n 60 "$work/switch.log"; } >&2
	exit 1
}

start_switch() {
	"$sw_bin" --no-huge -m 256 --no-pci --no-shconf -l 0-1 --log-level='*:error' \
		--log-level='netsw.*:info' -- --control "$ctl" --state-dir "$work/state" \
		>>"$work/switch.log" 2>&1 &
	sw_pid=$!
	for _ in $(seq 150); do
		[ -S "$ctl" ] && control "show port summary all" >/dev/null 2>&1 && return 0
		kill -0 "$sw_pid" 2>/dev/null || fail "switch exited while starting"
		sleep 0.2
	done
	fail "switch did not start"
}

control() {
	echo "$*" | socat -t 5 - "UNIX-CONNECT:$ctl"
}

# The network as a runtime hands it to the plugin; ROUTES the IPAM's routes.
network() {
	local routes=${1:-'[{"dst": "0.0.0.0/0"}]'}
	jq -c --arg sock "$ctl" --arg data "$work/ipam" --argjson routes "$routes" '
		.plugins[0] + {name: .name, cniVersion: .cniVersion, socket: $sock}
		| .ipam.dataDir = $data | .ipam.routes = $routes' \
		"$repo/config/cni/vduse-netsw.conflist"
}

# What the kernel and the switch have: vdpa devices, ports, leased addresses.
vdpa_count() { vdpa dev show | grep -c . || true; }
port_count() { control "json show port summary all" | jq '.reply.nb_ports'; }
leases() { find "$work/ipam" -type f -name '[0-9]*' 2>/dev/null | wc -l; }

echo "== the switch, with no port, serving its control socket"
start_switch
network | cni STATUS "" "" "" >/dev/null || fail "STATUS: the switch is running"

echo "== ADD: two containers, one by ip-netns name and one by its process' namespace"
ip netns add c1
c2=$(container_start c2)
network | cni ADD c1id /run/netns/c1 eth0 >"$work/c1.json" || fail "ADD c1: $(cat "$work/c1.json")"
network | cni ADD c2id "/proc/$c2/ns/net" eth0 >"$work/c2.json" ||
	fail "ADD c2: $(cat "$work/c2.json")"
cat "$work/c1.json"
ip1=$(jq -r '.ips[0].address' "$work/c1.json")
ip2=$(jq -r '.ips[0].address' "$work/c2.json")
mac1=$(jq -r '.interfaces[0].mac' "$work/c1.json")
[ "$(jq -r '.interfaces[0].sandbox' "$work/c1.json")" = /run/netns/c1 ] || fail "sandbox"
[ "$(jq -r '.cniVersion' "$work/c1.json")" = 1.1.0 ] || fail "cniVersion of the result"
ip -n c1 -o addr show dev eth0 | grep "inet $ip1" >/dev/null || fail "c1's eth0 has not $ip1"
[ "$(ip -n c1 -o link show eth0 | grep -o 'link/ether [0-9a-f:]*')" = "link/ether $mac1" ] ||
	fail "c1's eth0 has not MAC $mac1"
ip -n c1 route | grep '^default via 10.88.0.1 dev eth0' >/dev/null || fail "c1 has no default route"
container_exec "$c2" ip -o link show eth0 | grep 'state UP' >/dev/null || fail "c2's eth0 not up"
[ "$(vdpa_count)" = 2 ] || fail "$(vdpa_count) vdpa devices for 2 containers"
echo "ok: ADD gave both an eth0 with $ip1 and $ip2, MAC, default route"

echo "== the containers reach each other through the switch"
ip netns exec c1 ping -c 3 -i 0.3 -W 3 "${ip2%/*}" >/dev/null || fail "c1 cannot ping c2"
container_exec "$c2" ping -c 3 -i 0.3 -W 3 "${ip1%/*}" >/dev/null || fail "c2 cannot ping c1"
echo "ok: ping both ways"

echo "== CHECK against prevResult"
network | jq -c --slurpfile prev "$work/c1.json" '. + {prevResult: $prev[0]}' |
	cni CHECK c1id /run/netns/c1 eth0 >"$work/out.json" || fail "CHECK: $(cat "$work/out.json")"
network | jq -c --slurpfile prev "$work/c1.json" \
	'. + {prevResult: ($prev[0] | .interfaces[0].mac = "02:00:00:00:00:99")}' |
	cni CHECK c1id /run/netns/c1 eth0 >"$work/out.json" && fail "CHECK passed a wrong MAC"
jq -e '.code > 0 and (.msg | length > 0)' "$work/out.json" >/dev/null || fail "CHECK's error"
echo "ok: CHECK passes, and fails a wrong MAC: $(jq -c . "$work/out.json")"

echo "== ADD of a name the container has: refused, nothing left"
before="$(vdpa_count) $(port_count) $(leases)"
network | cni ADD c1other /run/netns/c1 eth0 >"$work/out.json" && fail "ADD over eth0 passed"
jq -e '.code > 0' "$work/out.json" >/dev/null || fail "no error object: $(cat "$work/out.json")"
grep -q 'eth0 exists' "$work/out.json" || fail "the error does not say why: $(cat "$work/out.json")"
[ "$(vdpa_count) $(port_count) $(leases)" = "$before" ] ||
	fail "left behind: was $before, now $(vdpa_count) $(port_count) $(leases)"
echo "ok: refused ($(jq -r .msg "$work/out.json")), nothing left"

echo "== ADD failing halfway (the kernel refuses a route): everything undone"
ip netns add c3
network '[{"dst": "10.99.0.0/16", "gw": "192.0.2.1"}]' |
	cni ADD c3id /run/netns/c3 eth0 >"$work/out.json" && fail "ADD with a bad route passed"
grep -q '192.0.2.1' "$work/out.json" || fail "the error does not name the route: $(cat "$work/out.json")"
[ "$(vdpa_count) $(port_count) $(leases)" = "$before" ] ||
	fail "left behind: was $before, now $(vdpa_count) $(port_count) $(leases)"
[ -z "$(ip -n c3 -o link show | grep -v ': lo:')" ] || fail "a netdev left in c3"
echo "ok: no vdpa device, no port, no netdev, no lease left"

echo "== GC: only c2 is still valid"
network | jq -c '. + {"cni.dev/valid-attachments": [{containerID: "c2id", ifname: "eth0"}]}' |
	cni GC "" "" "" >"$work/out.json" || fail "GC: $(cat "$work/out.json")"
ip -n c1 link show eth0 >/dev/null 2>&1 && fail "GC left c1's eth0"
[ "$(port_count)" = 1 ] || fail "GC left $(port_count) ports"
[ "$(leases)" = 1 ] || fail "GC left $(leases) leases"
echo "ok: c1's port, netdev and lease gone; c2's kept"

echo "== DEL, twice, and without CNI_NETNS"
network | cni DEL c2id "/proc/$c2/ns/net" eth0 >/dev/null || fail "DEL c2"
network | cni DEL c2id "/proc/$c2/ns/net" eth0 >/dev/null || fail "DEL c2 again"
network | cni DEL c2id "" eth0 >/dev/null || fail "DEL c2 without CNI_NETNS"
container_exec "$c2" ip link show eth0 >/dev/null 2>&1 && fail "DEL left c2's eth0"
[ "$(vdpa_count) $(port_count) $(leases)" = "0 0 0" ] ||
	fail "DEL left $(vdpa_count) $(port_count) $(leases)"
echo "ok: nothing left"

echo "== DEL after the container's namespace is gone"
network | cni ADD c3id /run/netns/c3 eth0 >/dev/null || fail "ADD c3"
ip netns del c3
network | cni DEL c3id /run/netns/c3 eth0 >/dev/null || fail "DEL c3 after its netns went"
[ "$(vdpa_count) $(port_count) $(leases)" = "0 0 0" ] || fail "left after DEL c3"
echo "ok: removed where it was"

echo "== DEL after the switch was killed and restarted without the port"
network | cni ADD c1id /run/netns/c1 eth0 >/dev/null || fail "ADD c1 again"
kill -KILL "$sw_pid"
wait "$sw_pid" 2>/dev/null || true
network | cni DEL c1id /run/netns/c1 eth0 >"$work/out.json" && fail "DEL with no switch passed"
[ "$(jq -r .code "$work/out.json")" = 11 ] || fail "no switch: not 'try again later': $(cat "$work/out.json")"
network | cni STATUS "" "" "" >"$work/out.json" && fail "STATUS with no switch passed"
[ "$(jq -r .code "$work/out.json")" = 50 ] || fail "STATUS: $(cat "$work/out.json")"
start_switch
[ "$(vdpa_count)" = 1 ] || fail "the device did not survive the switch"
network | cni DEL c1id /run/netns/c1 eth0 >/dev/null || fail "DEL after the restart"
[ "$(vdpa_count) $(port_count)" = "0 0" ] || fail "the device a dead switch left is still there"
ip -n c1 link show eth0 >/dev/null 2>&1 && fail "c1's eth0 still there"
echo "ok: the device the dead switch left removed"

echo "== port add vduse netns= by name, by process id, by path"
control "port add vduse byname netns=c1 ifname=eth1 ip=10.5.0.1/24" | grep attached >/dev/null ||
	fail "netns by name"
control "port add vduse bypid netns=$c2 ifname=eth1 ip=10.5.0.2/24 gw=10.5.0.254" |
	grep attached >/dev/null || fail "netns by pid"
ip netns add c4
control "port add vduse bypath netns=/run/netns/c4 ifname=eth1 ip=10.5.0.3/24" |
	grep attached >/dev/null || fail "netns by path"
ip netns exec c1 ping -c 2 -i 0.3 -W 3 10.5.0.2 >/dev/null || fail "name -> pid: no ping"
ip netns exec c4 ping -c 2 -i 0.3 -W 3 10.5.0.1 >/dev/null || fail "path -> name: no ping"
container_exec "$c2" ip route | grep 'default via 10.5.0.254' >/dev/null || fail "gw= made no route"
control "show port info bypid" | grep "Network namespace: $c2" >/dev/null || fail "show port info"
control "port add vduse again netns=c1 ifname=eth1" | grep 'eth1 exists' >/dev/null ||
	fail "a taken name was not refused"
[ "$(vdpa_count)" = 3 ] || fail "the refused port left a device"
echo "ok: all three, and a taken name refused before any device"

echo "== static IPAM (Debian's 'static' plugin) instead of host-local"
static() {
	network | jq -c '.ipam = {type: "static", routes: [{dst: "0.0.0.0/0"}],
		addresses: [{address: "10.88.0.200/24", gateway: "10.88.0.1"}]}'
}
static | cni ADD c4id /run/netns/c4 eth0 >"$work/out.json" || fail "ADD static: $(cat "$work/out.json")"
[ "$(jq -r '.ips[0].address' "$work/out.json")" = 10.88.0.200/24 ] || fail "static: result"
ip -n c4 -o addr show dev eth0 | grep 'inet 10.88.0.200/24' >/dev/null || fail "static: address"
static | cni DEL c4id /run/netns/c4 eth0 >/dev/null || fail "DEL static"
ip -n c4 link show eth0 >/dev/null 2>&1 && fail "DEL static left c4's eth0"
echo "ok: the address static gave, and gone with DEL"

echo "== podman: two containers on the network, one pings the other"
control "port del byname" >/dev/null
control "port del bypid" >/dev/null
container_exec "$c2" ip link show eth1 >/dev/null 2>&1 && fail "port del left c2's eth1"
# Debian 12's podman (its libcni) speaks CNI up to 1.0.0.
jq '.cniVersion = "1.0.0" | del(.cniVersions) | .plugins[0].socket = $sock |
	.plugins[0].ipam.dataDir = $data' --arg sock "$ctl" --arg data "$work/ipam" \
	"$repo/config/cni/vduse-netsw.conflist" >"$work/vduse-netsw.conflist"
podman_setup "$work/podman" "$work/vduse-netsw.conflist"
podman run -d --name pa --cgroups=disabled --network vduse-netsw localhost/vns-busybox \
	sleep 1000 >/dev/null || fail "podman run pa"
pa_ip=$(podman inspect -f '{{(index .NetworkSettings.Networks "vduse-netsw").IPAddress}}' pa)
[ -n "$pa_ip" ] || fail "podman has no address for pa"
podman run --rm --name pb --cgroups=disabled --network vduse-netsw localhost/vns-busybox \
	ping -c 3 -W 3 "$pa_ip" >"$work/pb.out" || { cat "$work/pb.out"; fail "pb cannot ping pa"; }
control "show port info all" | grep "Owner: cni:vduse-netsw:" >/dev/null || fail "no port of pa"
podman rm -f -t 0 pa >/dev/null || fail "podman rm pa"
# What is left is the port "bypath", for the end.
[ "$(vdpa_count) $(port_count) $(leases)" = "1 1 0" ] ||
	fail "podman rm left $(vdpa_count) $(port_count) $(leases)"
echo "ok: pb pinged pa ($pa_ip) through the switch; podman rm took everything away"

echo "== SIGTERM: the switch removes every device, wherever its netdev is"
kill -TERM "$sw_pid"
wait "$sw_pid" || fail "switch exited with $?"
[ "$(vdpa_count)" = 0 ] || fail "devices left: $(vdpa dev show)"
ip -n c4 link show eth1 >/dev/null 2>&1 && fail "c4's eth1 left"
container_stop "$c2"
ip netns del c1
ip netns del c4
echo "ok: nothing left"
