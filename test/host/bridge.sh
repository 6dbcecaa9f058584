#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The switch on the host, no guest: three network namespaces, each behind a
# veth pair whose outer end is a DPDK net_af_packet port of the switch (the
# "NICs"). Needs root (namespaces, veth, AF_PACKET).
#
#   bridge.sh SWITCH_BINARY MODE
#   MODE: learn     learning, flooding of broadcast and unknown unicast, the
#                   MAC table, a MAC move, aging
#         vlan      access ports isolate VLANs; a trunk port carries 802.1Q tags
#         limit     a MAC flood from one port fills the table without evicting
#                   the other ports' entries
#         engines   io, mac, macswap, rxonly, txonly, flowgen switched at run time
#         hotplug   ports removed and added under traffic, no frame of the others lost
#         config    config/bench.conf over two net_null ports
#         badargs   bad ports, engines, VLANs, config files are refused with their reason
#         telemetry /vduse_netsw/ endpoints read by dpdk-telemetry.py
#         bpf       bpf-load/bpf-unload: config/bpf/drop_udp_5001.o on rx and tx
#                   (MODE bpf takes the object's path as a third argument)
#         capture   capture start/stop/status: a filtered pcapng file read back by
#                   tcpdump and tshark, all ports with a snaplen, bad commands
set -euo pipefail
sw_bin=${1:?switch binary}
mode=${2:?mode}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (namespaces, veth)"; exit 77; }
tag=vns$$
work=$(mktemp -d)
ctl=$work/ctl.sock
sw_pid=

cleanup() {
	[ -n "$sw_pid" ] && kill "$sw_pid" 2>/dev/null && wait "$sw_pid" 2>/dev/null
	for i in 1 2 3; do
		ip netns del "$tag-$i" 2>/dev/null || true
		ip link del "$tag-h$i" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/switch.log" ] && { echo "--- switch log"; cat "$work/switch.log"; } >&2
	exit 1
}

# Namespace i has eth0 (10.0.0.i/24, MAC 02:00:00:00:0a:0i); its peer
# $tag-hi in the root namespace is the switch's port.
for i in 1 2 3; do
	ip netns add "$tag-$i"
	ip link add "$tag-h$i" type veth peer name eth0 netns "$tag-$i"
	sysctl -qw "net.ipv6.conf.$tag-h$i.disable_ipv6=1"
	ip link set "$tag-h$i" up
	ip -n "$tag-$i" link set eth0 address "02:00:00:00:0a:0$i"
	ip -n "$tag-$i" addr add "10.0.0.$i/24" dev eth0
	ip -n "$tag-$i" link set eth0 up
	ip -n "$tag-$i" link set lo up
	# No router solicitations or DAD probes to muddle the MAC table.
	ip netns exec "$tag-$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
mac() { echo "02:00:00:00:0a:0$1"; }
in_ns() { local n=$1; shift; ip netns exec "$tag-$n" "$@"; }

control() {
	echo "$*" | socat -t 5 - "UNIX-CONNECT:$ctl"
}

# start_switch [SWITCH OPTIONS...]: the three veths as ports 0, 1, 2.
start_switch() {
	"$sw_bin" --no-huge -m 512 --no-pci --no-shconf --file-prefix "$tag" -l 0-1 \
		--log-level='*:error' --log-level='netsw.*:info' \
		--vdev "net_af_packet0,iface=$tag-h1" --vdev "net_af_packet1,iface=$tag-h2" \
		--vdev "net_af_packet2,iface=$tag-h3" -- --control "$ctl" "$@" \
		>"$work/switch.log" 2>&1 &
	sw_pid=$!
	for _ in $(seq 100); do
		grep -q '^vduse-netsw: forwarding' "$work/switch.log" && return 0
		kill -0 "$sw_pid" 2>/dev/null || fail "switch exited while starting"
		sleep 0.1
	done
	fail "switch did not start"
}

stop_switch() {
	local rc=0
	kill -TERM "$sw_pid"
	wait "$sw_pid" || rc=$?
	sw_pid=
	[ "$rc" -eq 0 ] || fail "switch exited with $rc after SIGTERM"
}

ping_ok() { in_ns "$1" ping -c 2 -i 0.2 -W 2 "10.0.0.$2" >/dev/null || fail "$1 cannot ping $2"; }
ping_fails() {
	in_ns "$1" ping -c 2 -i 0.2 -W 1 "10.0.0.$2" >/dev/null 2>&1 && fail "$1 reaches $2"
	return 0
}

# fdb_port MAC: the port the MAC table has for MAC (in VLAN ${2:-0}), or "".
fdb_port() {
	control "show mac table" | awk -v m="$1" -v v="${2:-0}" '$1 == v && $2 == m { print $3 }'
}

# counter NAME: a line "NAME: value" of "show mac stats".
fdb_stat() {
	control "show mac stats" | awk -v k="$1:" '$1 == k { print $2 }'
}

case "$mode" in
learn)
	start_switch --aging 5
	# Before any frame the table is empty; ARP broadcasts are flooded to all.
	[ "$(control "show mac table" | wc -l)" -eq 2 ] || fail "MAC table not empty at start: $(control "show mac table")"
	in_ns 3 timeout 8 tcpdump -i eth0 -nn -e -l -c 50 arp >"$work/cap3" 2>/dev/null &
	cap=$!
	sleep 1
	ping_ok 1 2
	sleep 0.5
	[ "$(fdb_port "$(mac 1)")" = net_af_packet0 ] || fail "$(mac 1) not learned on port 0: $(control "show mac table")"
	[ "$(fdb_port "$(mac 2)")" = net_af_packet1 ] || fail "$(mac 2) not learned on port 1: $(control "show mac table")"
	[ -z "$(fdb_port "$(mac 3)")" ] || fail "$(mac 3) learned without sending"
	echo "ok: both MACs learned on their ports"
	kill -INT "$cap" 2>/dev/null || true
	wait "$cap" 2>/dev/null || true
	grep -q 'Request who-has 10.0.0.2' "$work/cap3" || fail "the ARP broadcast was not flooded to port 2: $(cat "$work/cap3")"
	# Known unicast: none of it reaches the third port once learned.
	in_ns 3 timeout 5 tcpdump -i eth0 -nn -e -l icmp >"$work/cap3" 2>/dev/null &
	cap=$!
	sleep 1
	in_ns 1 ping -c 5 -i 0.1 10.0.0.2 >/dev/null || fail "1 cannot ping 2"
	wait "$cap" 2>/dev/null || true
	icmp=$(grep -c 'ICMP echo' "$work/cap3" || true)
	[ "$icmp" -eq 0 ] || fail "port 2 saw $icmp ICMP frames of 1<->2: known unicast flooded: $(cat "$work/cap3"; control "show mac table")"
	echo "ok: broadcast flooded, known unicast not"
	# From here on no ARP: neighbour probes would refresh the entries.
	ip -n "$tag-1" neigh replace 10.0.0.2 lladdr "$(mac 2)" dev eth0 nud permanent
	ip -n "$tag-2" neigh replace 10.0.0.1 lladdr "$(mac 1)" dev eth0 nud permanent
	# MAC move: 3 sends a frame from 2's MAC.
	in_ns 3 python3 - "$(mac 2)" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(b"\xff" * 6 + bytes.fromhex(sys.argv[1].replace(":", "")) + struct.pack("!H", 0x88b5) + bytes(46))
PY
	sleep 0.5
	[ "$(fdb_port "$(mac 2)")" = net_af_packet2 ] || fail "$(mac 2) did not move to port 2: $(control "show mac table")"
	[ "$(fdb_stat moved)" -ge 1 ] || fail "no move counted"
	echo "ok: MAC move to port 2 learned"
	# Aging: idle for more than 5 s (give or take the 1 s resolution), the entries go.
	sleep 7
	[ -z "$(fdb_port "$(mac 1)")" ] || fail "$(mac 1) did not age out: $(control "show mac table")"
	[ "$(fdb_stat aged)" -ge 2 ] || fail "aging not counted: $(control "show mac stats")"
	echo "ok: entries aged out after 5 s"
	control "show port stats net_af_packet2" | grep -q 'RX-flooded' || fail "no RX-flooded counter"
	# Static entries: added, shown, never aged, removed; bad ones refused.
	control "mac add 0 02:00:00:00:0b:01 net_af_packet1" | grep -qx ok || fail "mac add"
	control "show mac table" | grep -q '02:00:00:00:0b:01  net_af_packet1 .*static' ||
		fail "no static entry: $(control "show mac table")"
	control "mac add 0 01:00:5e:00:00:01 net_af_packet1" | grep -q "^error: '01:00:5e:00:00:01' is not a unicast MAC" ||
		fail "a multicast static entry was taken"
	control "mac add 4095 02:00:00:00:0b:01 net_af_packet1" | grep -q "^error: word 3 '4095': expected VID" || fail "VLAN 4095 taken"
	control "mac del 0 02:00:00:00:0b:01" | grep -qx ok || fail "mac del"
	control "mac del 0 02:00:00:00:0b:01" | grep -q "^error: mac del: no entry for 02:00:00:00:0b:01 in VLAN 0" || fail "mac del twice"
	echo "ok: static entries added and removed; bad ones refused"
	stop_switch
	;;
vlan)
	# 1 and 2 in VLAN 10, 3 in VLAN 20: 1 reaches 2, not 3.
	start_switch --port "net_af_packet0,vlan=10" --port "net_af_packet1,vlan=10" \
		--port "net_af_packet2,vlan=20"
	ping_ok 1 2
	ping_fails 1 3
	control "show port info net_af_packet2" | grep -q 'VLAN mode: access vlan 20' || fail "show port info: $(control "show port info 2")"
	echo "ok: access VLANs 10 and 20 isolated"
	# At run time: 3 joins VLAN 10, then goes back to 20.
	control "vlan set access net_af_packet2 10" | grep -qx ok || fail "vlan set access"
	ping_ok 1 3
	control "vlan set access 2 20" | grep -qx ok || fail "vlan set access back"
	ping_fails 1 3
	ping_ok 1 2
	echo "ok: vlan set access moves a port between VLANs while the switch runs"
	# Promiscuous mode reaches the interface under net_af_packet0.
	ip link show "$tag-h1" | grep -q PROMISC || fail "$tag-h1 not promiscuous at start"
	control "set promisc net_af_packet0 off" | grep -qx ok || fail "set promisc off"
	ip link show "$tag-h1" | grep -q PROMISC && fail "$tag-h1 still promiscuous"
	control "show port info 0" | grep -q 'Promiscuous mode: disabled' || fail "show port info: promisc"
	control "set promisc all on" | grep -qx ok || fail "set promisc all on"
	ip link show "$tag-h1" | grep -q PROMISC || fail "$tag-h1 not promiscuous again"
	echo "ok: set promisc off and on reach the interface"
	# A stopped port neither receives nor sends; started, it forwards again.
	control "port stop net_af_packet1" | grep -qx ok || fail "port stop"
	ping_fails 1 2
	control "port start net_af_packet1" | grep -qx ok || fail "port start"
	ping_ok 1 2
	echo "ok: port stop and port start"
	stop_switch
	# What follows counts on ARP: forget what the pings above resolved.
	for i in 1 2 3; do in_ns "$i" ip neigh flush all; done
	# 3 becomes a trunk of 10 and 20 (the host may have no 802.1Q netdevs:
	# tagged frames are sent and read with AF_PACKET).
	start_switch --port "net_af_packet0,vlan=10" --port "net_af_packet1,vlan=20" \
		--port "net_af_packet2,trunk=10+20"
	in_ns 3 timeout 6 tcpdump -i eth0 -nn -e -l -c 1 arp >"$work/cap3" 2>/dev/null &
	cap=$!
	in_ns 1 timeout 6 tcpdump -i eth0 -nn -e -l -c 1 ether src "$(mac 3)" >"$work/cap1" 2>/dev/null &
	cap1=$!
	sleep 1
	in_ns 1 ping -c 1 -W 1 10.0.0.3 >/dev/null 2>&1 || true
	wait "$cap" 2>/dev/null || true
	grep -q 'vlan 10' "$work/cap3" || fail "1's ARP on the trunk is not tagged 10: $(cat "$work/cap3")"
	echo "ok: a frame of access VLAN 10 leaves the trunk tagged 10"
	# 3 sends a frame tagged 10 (to 1's MAC) and one tagged 30 (not trunked).
	in_ns 3 python3 - "$(mac 1)" "$(mac 3)" <<'PY'
import socket, struct, sys
dst, src = (bytes.fromhex(m.replace(":", "")) for m in sys.argv[1:3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for vid in (10, 30):
    s.send(dst + src + struct.pack("!HHH", 0x8100, vid, 0x88b5) + bytes(46))
PY
	wait "$cap1" 2>/dev/null || true
	grep -q "$(mac 3) > $(mac 1), ethertype Unknown (0x88b5)" "$work/cap1" ||
		fail "1 did not get 3's frame untagged: $(cat "$work/cap1")"
	[ "$(fdb_port "$(mac 3)" 10)" = net_af_packet2 ] || fail "$(mac 3) not learned in VLAN 10: $(control "show mac table")"
	[ -z "$(fdb_port "$(mac 3)" 30)" ] || fail "$(mac 3) learned in VLAN 30, which the trunk does not carry"
	control "show port stats net_af_packet2" | grep -q 'RX-filtered: 1 ' ||
		fail "the VLAN 30 frame was not counted as filtered: $(control "show port stats net_af_packet2")"
	echo "ok: trunk: VLAN 10 untagged to its access port and learned there; VLAN 30 filtered"
	stop_switch
	;;
limit)
	start_switch --fdb-size 64
	ping_ok 1 2
	sleep 0.5
	# 3 sends frames from 2000 source MACs.
	in_ns 3 python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(2000):
    src = bytes([0x02, 0xee, 0, 0, i >> 8, i & 0xff])
    s.send(b"\xff" * 6 + src + struct.pack("!H", 0x88b5) + bytes(46))
PY
	sleep 1
	ping_ok 1 2
	[ "$(fdb_port "$(mac 1)")" = net_af_packet0 ] || fail "the flood evicted $(mac 1): $(control "show mac stats")"
	[ "$(fdb_port "$(mac 2)")" = net_af_packet1 ] || fail "the flood evicted $(mac 2)"
	entries=$(fdb_stat entries)
	[ "$entries" -le 64 ] || fail "$entries entries in a table of 64"
	[ "$(fdb_stat evicted)" -gt 0 ] || fail "no eviction counted: $(control "show mac stats")"
	echo "ok: 2000-MAC flood from port 2: $entries entries, $(fdb_stat evicted) evicted, the stable ones kept"
	stop_switch
	;;
engines)
	start_switch --fwd io
	ping_ok 1 2
	echo "ok: io: ports 0 and 1 paired"
	control "set fwd rxonly" >/dev/null
	ping_fails 1 2
	echo "ok: rxonly: nothing forwarded"
	control "set fwd mac" >/dev/null
	in_ns 2 timeout 5 tcpdump -i eth0 -nn -e -l -c 1 icmp >"$work/cap2" 2>/dev/null &
	cap=$!
	sleep 1
	in_ns 1 ping -c 3 -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1 || true
	wait "$cap" 2>/dev/null || true
	grep -q '> 02:00:00:00:00:01' "$work/cap2" || fail "mac: destination not 02:00:00:00:00:01: $(cat "$work/cap2")"
	echo "ok: mac: destination rewritten to the peer's address"
	control "set fwd txonly" >/dev/null
	before=$(in_ns 2 cat /sys/class/net/eth0/statistics/rx_packets)
	sleep 1
	after=$(in_ns 2 cat /sys/class/net/eth0/statistics/rx_packets)
	[ $((after - before)) -gt 1000 ] || fail "txonly: $((after - before)) frames in 1 s"
	echo "ok: txonly: $((after - before)) frames in 1 s"
	control "set fwd flowgen" >/dev/null
	control "set fwd bridge" >/dev/null
	sleep 0.5
	ping_ok 1 2
	ping_ok 1 3
	echo "ok: back to bridge"
	control "show workers" | grep -q 'busy cycles' || fail "show workers: $(control show workers)"
	stop_switch
	;;
hotplug)
	# Ports removed and added while 1 and 2 talk: not a frame of theirs lost,
	# with a worker that sleeps when idle (and must not hold up port removal).
	start_switch --idle-sleep 500
	ping_ok 1 2
	in_ns 1 ping -i 0.01 -c 400 -W 1 10.0.0.2 >"$work/ping" 2>&1 &
	pinger=$!
	sleep 0.5
	control "port del net_af_packet2" | grep -qx ok || fail "port del: $(control "show port summary all")"
	control "show port summary all" | grep -q net_af_packet2 && fail "net_af_packet2 still listed"
	control "port add ethdev net_af_packet7,iface=$tag-h3 vlan=30" | grep -qx ok ||
		fail "port add ethdev failed"
	control "show port info 2" | grep -q 'VLAN mode: access vlan 30' ||
		fail "net_af_packet7 not in slot 2 of VLAN 30: $(control "show port info 2")"
	control "port del net_af_packet7" | grep -qx ok || fail "second port del"
	control "port add ethdev net_af_packet8,iface=$tag-h3" | grep -qx ok || fail "port add again"
	wait "$pinger" || true
	grep -q ' 0% packet loss' "$work/ping" || fail "1 -> 2 lost frames while ports came and went: $(tail -2 "$work/ping")"
	echo "ok: ports removed and added under a 100/s ping: $(grep -o '[0-9]* received' "$work/ping"), 0% loss"
	ping_ok 1 3
	[ "$(fdb_port "$(mac 3)")" = net_af_packet8 ] || fail "$(mac 3) not learned on the new port"
	echo "ok: the port added reaches the others"
	out=$(control "port del nosuch")
	echo "$out" | grep -q "^error: word 3 'nosuch': expected PORT" || fail "port del nosuch: $out"
	out=$(control "port add ethdev net_af_packet9,iface=nosuch-if")
	echo "$out" | grep -q "^error: ethdev net_af_packet9,iface=nosuch-if: cannot probe it" || fail "port add of a missing interface: $out"
	out=$(control "port add ethdev net_af_packet8,iface=$tag-h3")
	echo "$out" | grep -q "exists already" || fail "a port added twice: $out"
	echo "ok: bad port add/del refused with the reason"
	sleeps=$(control "show workers" | awk '/idle sleeps:/ { print $3 }')
	[ "$sleeps" -gt 0 ] || fail "--idle-sleep: the worker never slept: $(control show workers)"
	echo "ok: --idle-sleep 500: $sleeps idle sleeps, nothing lost"
	stop_switch
	;;
config)
	# config/bench.conf over two net_null ports (frames made up by the PMD).
	"$sw_bin" --no-huge -m 512 --no-pci --no-shconf --file-prefix "$tag" -l 0-1 \
		--log-level='*:error' --log-level='netsw.*:info' --vdev net_null0 --vdev net_null1 -- \
		--config "$(dirname "$0")/../../config/bench.conf" --control "$ctl" \
		>"$work/switch.log" 2>&1 &
	sw_pid=$!
	for _ in $(seq 100); do
		grep -q '^vduse-netsw: forwarding (bridge)' "$work/switch.log" && break
		sleep 0.1
	done
	grep -q '^vduse-netsw: forwarding (bridge)' "$work/switch.log" || fail "bench.conf: no bridge"
	control "show mac stats" | grep -q '^entries: ' || fail "no MAC table"
	sleep 1
	tx=$(control "show port stats net_null1" | awk '/TX-packets:/ { print $2 }')
	[ "$tx" -gt 1000 ] || fail "net_null1 sent $tx frames in 1 s"
	echo "ok: config/bench.conf: bridge over net_null, $tx frames to net_null1 in a second"
	stop_switch
	;;
badargs)
	expect_refused() {
		local want=$1 rc=0
		shift
		"$sw_bin" --no-huge -m 512 --no-pci --no-shconf --file-prefix "$tag" -l 0-1 \
			--log-level='*:error' --log-level='netsw.*:info' --vdev "net_af_packet0,iface=$tag-h1" -- "$@" \
			>"$work/out" 2>&1 || rc=$?
		[ "$rc" -ne 0 ] || fail "$* accepted"
		grep -q -- "$want" "$work/out" || fail "$*: no '$want' in: $(cat "$work/out")"
	}
	expect_refused "no such engine" --fwd warp
	expect_refused "VLAN '5000' is not in 1..4094" --port net_af_packet0,vlan=5000
	expect_refused "no such ethdev" --port net_nosuch0
	expect_refused "backwards" --port net_af_packet0,trunk=20-10
	expect_refused "native= is for trunks" --port net_af_packet0,vlan=10,native=20
	expect_refused "fdb-size" --fdb-size 1
	printf 'vduse p0\nconfig other.conf\n' >"$work/bad.conf"
	expect_refused "bad.conf:2: a configuration file cannot name another" --config "$work/bad.conf"
	expect_refused "cannot read it" --config "$work/none.conf"
	echo "ok: bad arguments refused with their reason"
	;;
capture)
	command -v tshark >/dev/null || fail "no tshark: run tools/setup.sh"
	start_switch
	# expect_error COMMAND WANT: the command is refused, saying WANT.
	expect_error() {
		local out
		out=$(control "$1")
		grep -q '^error: ' <<<"$out" || fail "'$1' accepted: $out"
		grep -q -- "$2" <<<"$out" || fail "'$1': no '$2' in: $out"
	}
	control "capture" | grep -q '^capture: none' || fail "capture status before any: $(control capture)"
	expect_error "capture stop" "no capture runs"
	expect_error "capture start nosuch0 rx $work/x.pcapng" "word 3 'nosuch0': expected all|PORT"
	expect_error "capture start net_af_packet0 sideways $work/x.pcapng" "word 4 'sideways': expected rx|tx|both"
	expect_error "capture start net_af_packet0 rx $work/x.pcapng snaplen 0" "snaplen '0'"
	expect_error "capture start net_af_packet0 rx $work/x.pcapng colour red" "'colour': expected snaplen N or filter EXPR"
	expect_error "capture start net_af_packet0 rx $work/x.pcapng filter udp port" "syntax error"
	expect_error "capture start net_af_packet0 rx $work/nodir/x.pcapng" "nodir"
	[ ! -e "$work/x.pcapng" ] || fail "a refused capture left a file"
	echo "ok: bad capture commands refused with their reason"

	# ICMP of 1 <-> 2 on port 0, both ways, next to UDP that the filter drops;
	# namespace 1 captures the same ICMP on its side of the wire.
	ping_ok 1 2
	in_ns 1 timeout 10 tcpdump -i eth0 -nn -w "$work/ns1.pcap" icmp 2>/dev/null &
	cap=$!
	sleep 1
	control "capture start net_af_packet0 both $work/icmp.pcapng filter icmp" | grep -q '^capture: running' ||
		fail "capture did not start"
	in_ns 1 ping -c 5 -i 0.1 -s 300 10.0.0.2 >/dev/null || fail "1 cannot ping 2 while capturing"
	for _ in 1 2 3; do echo datagram | in_ns 1 socat - UDP:10.0.0.2:5001; done
	sleep 0.5
	status=$(control "capture")
	grep -q '^captured: 10$' <<<"$status" || fail "capture counted: $status"
	grep -q '^filtered: [1-9]' <<<"$status" || fail "the UDP frames were not filtered: $status"
	control "capture stop" | grep -q '^written: 10$' || fail "capture stop: $(control capture)"
	kill -INT "$cap" 2>/dev/null || true
	wait "$cap" 2>/dev/null || true
	tcpdump -r "$work/icmp.pcapng" -nn 2>/dev/null >"$work/icmp.txt" || fail "tcpdump cannot read the capture"
	[ "$(grep -c 'ICMP echo request' "$work/icmp.txt")" -eq 5 ] || fail "not 5 echo requests: $(cat "$work/icmp.txt")"
	[ "$(grep -c 'ICMP echo reply' "$work/icmp.txt")" -eq 5 ] || fail "not 5 echo replies: $(cat "$work/icmp.txt")"
	[ "$(wc -l <"$work/icmp.txt")" -eq 10 ] || fail "frames other than the ICMP captured: $(cat "$work/icmp.txt")"
	# Every byte as the wire had it.
	tcpdump -r "$work/icmp.pcapng" -nn -t -xx 2>/dev/null >"$work/sw.hex"
	tcpdump -r "$work/ns1.pcap" -nn -t -xx 2>/dev/null >"$work/ns1.hex"
	cmp -s "$work/sw.hex" "$work/ns1.hex" || fail "captured bytes differ from the wire's: $(diff "$work/sw.hex" "$work/ns1.hex" | head)"
	# The interface is the port, and the direction the port's.
	tshark -r "$work/icmp.pcapng" -T fields -e frame.interface_name -e frame.packet_flags_direction \
		-e icmp.type 2>/dev/null | sort | uniq -c >"$work/dirs"
	grep -Eq '^ +5 net_af_packet0\s+(0x0*)?1\s+8$' "$work/dirs" || fail "requests not rx on net_af_packet0: $(cat "$work/dirs")"
	grep -Eq '^ +5 net_af_packet0\s+(0x0*)?2\s+0$' "$work/dirs" || fail "replies not tx on net_af_packet0: $(cat "$work/dirs")"
	echo "ok: a filtered capture holds the 10 ICMP frames, byte for byte, named and directed"

	# All ports, cut at 64 bytes: a 542-byte UDP frame from 1 to 3 in and out.
	ping_ok 1 3
	control "capture start all both $work/all.pcapng snaplen 64 filter udp port 5002" >/dev/null
	head -c 500 /dev/zero | in_ns 1 socat -u - UDP:10.0.0.3:5002
	sleep 0.5
	control "capture stop" >/dev/null
	tshark -r "$work/all.pcapng" -T fields -e frame.interface_name -e frame.packet_flags_direction \
		-e frame.cap_len -e frame.len 2>/dev/null >"$work/all.txt"
	grep -Eq '^net_af_packet0\s+(0x0*)?1\s+64\s+542$' "$work/all.txt" || fail "no cut rx frame on port 0: $(cat "$work/all.txt")"
	grep -Eq '^net_af_packet2\s+(0x0*)?2\s+64\s+542$' "$work/all.txt" || fail "no cut tx frame on port 2: $(cat "$work/all.txt")"
	[ "$(wc -l <"$work/all.txt")" -eq 2 ] || fail "not 2 frames: $(cat "$work/all.txt")"
	echo "ok: capture of all ports, snaplen 64, original lengths kept"

	# A port removed under capture ends it, with a complete file.
	control "capture start net_af_packet2 rx $work/gone.pcapng" >/dev/null
	control "port del net_af_packet2" | grep -q 'capture of net_af_packet2 stopped: the port is removed' || fail "port del did not stop the capture"
	control "capture" | grep -q '^capture: stopped' || fail "capture still runs: $(control capture)"
	tcpdump -r "$work/gone.pcapng" >/dev/null 2>&1 || fail "the capture of a removed port is not readable"
	ping_ok 1 2
	echo "ok: removing a captured port stops the capture"
	stop_switch
	;;
telemetry)
	start_switch
	ping_ok 1 2
	sleep 0.5
	printf '%s\n' /vduse_netsw/ports /vduse_netsw/port_info,1 /vduse_netsw/port_stats,net_af_packet0 \
		/vduse_netsw/port_xstats,0 /vduse_netsw/workers /vduse_netsw/fdb /vduse_netsw/fdb_stats \
		/vduse_netsw/capture /vduse_netsw/port_stats,nosuch0 |
		dpdk-telemetry.py -f "$tag" >"$work/tel.json" 2>&1 || fail "dpdk-telemetry.py: $(cat "$work/tel.json")"
	control "show port stats net_af_packet0" >"$work/stats0"
	python3 - "$work/tel.json" "$work/stats0" "$(mac 1)" "$(mac 2)" <<'PY' || fail "telemetry answers: $(cat "$work/tel.json")"
import json, re, sys
replies = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        for k, v in json.loads(line).items():
            replies.setdefault(k, v)  # the first answer of each endpoint
stats0 = open(sys.argv[2]).read()
def fail(msg):
    sys.exit("telemetry: " + msg)
r = replies
if r.get("/vduse_netsw/ports") != [0, 1, 2]:
    fail("ports %r" % r.get("/vduse_netsw/ports"))
info = r["/vduse_netsw/port_info"]
if info["name"] != "net_af_packet1" or info["driver"] != "net_af_packet" or info["link"] != "up":
    fail("port_info %r" % info)
st = r["/vduse_netsw/port_stats"]
rx = int(re.search(r"RX-packets: +(\d+)", stats0).group(1))
if st["rx_packets"] != rx or rx < 3:
    fail("port_stats rx_packets %r, show port stats %d" % (st["rx_packets"], rx))
if r["/vduse_netsw/port_xstats"] is None or len(r["/vduse_netsw/port_xstats"]) == 0:
    fail("no xstats")
w = r["/vduse_netsw/workers"]["lcore_1"]
if w["rx_packets"] < 2 * rx or w["rx_queues"] != 3 or not 0 <= w["busy_permille"] <= 1000:
    fail("workers %r" % w)
fdb = r["/vduse_netsw/fdb"]
table = sorted(fdb["table"])
if fdb["entries"] != 2 or len(table) != 2 or not table[0].startswith("0 %s net_af_packet0 " % sys.argv[3]) \
        or not table[1].startswith("0 %s net_af_packet1 " % sys.argv[4]):
    fail("fdb %r" % fdb)
if r["/vduse_netsw/fdb_stats"]["learned"] != 2:
    fail("fdb_stats %r" % r["/vduse_netsw/fdb_stats"])
if r["/vduse_netsw/capture"] != {"state": "none"}:
    fail("capture %r" % r["/vduse_netsw/capture"])
print("ok: telemetry: ports, port info, stats equal to show port stats, xstats, workers, MAC table, capture")
PY
	# The port answer for a port that does not exist is null (an error).
	grep -q '"/vduse_netsw/port_stats": null' "$work/tel.json" || fail "a missing port answered: $(cat "$work/tel.json")"

	# Telemetry asks about port 2 without a pause while the control socket
	# removes and adds it and captures every port: the switch answers both.
	python3 - "/var/run/dpdk/$tag/dpdk_telemetry.v2" "$work/stop-tel" >"$work/tel-stress" 2>&1 <<'PY' &
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(1 << 16))
answers = nulls = 0
while not os.path.exists(sys.argv[2]):
    for q in ("/vduse_netsw/port_info,2", "/vduse_netsw/port_stats,2", "/vduse_netsw/port_xstats,2",
              "/vduse_netsw/fdb", "/vduse_netsw/workers", "/vduse_netsw/capture"):
        s.send(q.encode())
        r = json.loads(s.recv(1 << 16))
        answers += 1
        nulls += list(r.values())[0] is None
print("answers", answers, "nulls", nulls)
PY
	stress=$!
	for i in $(seq 20); do
		control "port del net_af_packet2" | grep -qx ok || fail "port del $i under telemetry"
		control "capture start all both $work/stress.pcapng" | grep -q '^capture: running' || fail "capture $i"
		control "port add ethdev net_af_packet2,iface=$tag-h3" | grep -qx ok || fail "port add $i under telemetry"
		control "capture stop" | grep -q '^capture: stopped' || fail "capture stop $i"
	done
	touch "$work/stop-tel"
	wait "$stress" || fail "the telemetry client failed: $(cat "$work/tel-stress")"
	grep -Eq '^answers [0-9]{3,} nulls [0-9]+$' "$work/tel-stress" || fail "telemetry under port changes: $(cat "$work/tel-stress")"
	ping_ok 1 3
	echo "ok: telemetry answered while port 2 came and went 20 times ($(cat "$work/tel-stress"))"
	stop_switch
	;;
bpf)
	bpf_obj=${3:?the drop_udp_5001.o of config/bpf}
	start_switch
	ping_ok 1 2
	expect_error() {
		local out
		out=$(control "$1")
		grep -q '^error: ' <<<"$out" || fail "'$1' accepted: $out"
		grep -q -- "$2" <<<"$out" || fail "'$1': no '$2' in: $out"
	}
	expect_error "bpf-load rx nosuch0 0 J $bpf_obj" "word 3 'nosuch0': expected PORT"
	expect_error "bpf-load up 0 0 J $bpf_obj" "word 2 'up': expected rx|tx"
	expect_error "bpf-load rx 0 1 J $bpf_obj" "queue 1: port net_af_packet0 has rx queues 0..0"
	expect_error "bpf-load rx 0 0 X $bpf_obj" "flag 'X': expected J (JIT) or -"
	expect_error "bpf-load rx 0 0 J $work/none.o" "bpf-load $work/none.o"
	head -c 64 /dev/urandom >"$work/junk.o"
	expect_error "bpf-load rx 0 0 J $work/junk.o" "an eBPF ELF object"
	expect_error "bpf-unload rx 0 0" "no program on net_af_packet0"
	echo "ok: bad bpf-load and bpf-unload refused with their reason"

	# send_udp PORT: 10 datagrams from 1 to 2 on PORT; prints how many 2 received.
	send_udp() {
		in_ns 2 timeout 3 tcpdump -i eth0 -nn -l "udp dst port $1" >"$work/udp$1" 2>/dev/null &
		local cap=$!
		sleep 1
		for _ in $(seq 10); do echo x | in_ns 1 socat -u - "UDP:10.0.0.2:$1"; done
		wait "$cap" 2>/dev/null || true
		grep -c "> 10.0.0.2.$1: UDP" "$work/udp$1" || true
	}
	for dir_port in "rx 0" "tx 1"; do
		control "bpf-load $dir_port 0 J $bpf_obj" | grep -q "loaded on .* (JIT)" || fail "bpf-load $dir_port"
		[ "$(send_udp 5001)" -eq 0 ] || fail "UDP to 5001 passed the $dir_port filter"
		[ "$(send_udp 5002)" -eq 10 ] || fail "UDP to 5002 did not all pass the $dir_port filter"
		ping_ok 1 2
		control "bpf-unload $dir_port 0" | grep -qx ok || fail "bpf-unload $dir_port"
		[ "$(send_udp 5001)" -eq 10 ] || fail "UDP to 5001 still dropped after bpf-unload $dir_port"
		echo "ok: bpf $dir_port: UDP to 5001 dropped, 5002 and ICMP passed; unloaded, 5001 passes"
	done
	# The interpreter (no J) on port 0 by name; its drops counted.
	control "bpf-load rx net_af_packet0 0 - $bpf_obj" | grep -q "(interpreter)" || fail "bpf-load without JIT"
	[ "$(send_udp 5001)" -eq 0 ] || fail "UDP to 5001 passed the interpreted filter"
	dropped=$(control "show port stats net_af_packet0" | awk '/BPF-dropped:/ { print $NF }')
	[ "$dropped" -eq 20 ] || fail "BPF-dropped $dropped, expected 20 (10 rx with JIT, 10 interpreted): $(control "show port stats net_af_packet0")"
	dropped=$(control "show port stats net_af_packet1" | awk '/BPF-dropped:/ { print $NF }')
	[ "$dropped" -eq 10 ] || fail "net_af_packet1 BPF-dropped $dropped, expected 10"
	# A port removed with its filter loaded frees it; the others go on.
	control "bpf-load tx 2 0 J $bpf_obj" | grep -q loaded || fail "bpf-load on port 2"
	control "port del net_af_packet2" | grep -qx ok || fail "port del with a filter"
	ping_ok 1 2
	echo "ok: interpreted filter, BPF-dropped counted per port, a port removed with its filter"
	stop_switch
	;;
*)
	fail "unknown mode $mode"
	;;
esac
