#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vduse-netsw in a guest, end to end: two network namespaces whose eth0 are
# VDUSE ports of the switch, served by the kernel's own virtio_net.
#
#   switch.sh SWITCH_BINARY MODE [UDP_GSO_BINARY]
#   MODE: ping|transfer|packed|jumbo|link|kill|uso|hup, bridge, bridge-xdp
#   (two VDUSE ports and a veth driven by net_af_packet or net_af_xdp), or reconnect,
#   reconnect-packed, reconnect-hugepages, reconnect-stale, reconnect-cycles[-N]
#   (a switch killed with SIGKILL and started again takes its devices back;
#   reconnect also with a used entry its driver was not interrupted for)
set -euo pipefail
sw_bin=${1:?switch binary}
mode=${2:?mode}
udp_gso=${3:-}
work=$(mktemp -d)
ctl=$work/ctl.sock
sw_pid=

fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/switch.log" ] && { echo "--- switch log"; cat "$work/switch.log"; } >&2
	exit 1
}

# launch_switch PORT_A PORT_B [MTU]: run the switch until it forwards; ports
# in netns left and right, as eth0. SWITCH_OPTS adds options, B_OPTS keys of
# the --vduse spec of PORT_B, B_MAC another MAC for it; A_NETNS and B_NETNS
# name the namespaces another way (netns=); EAL_OPTS adds EAL options (--vdev).
launch_switch() {
	local a=$1 b=$2 mtu=${3:-} extra="" b_extra=${B_OPTS:+,$B_OPTS}
	[ -n "$mtu" ] && extra=",mtu=$mtu"
	# shellcheck disable=SC2086
	"$sw_bin" --no-huge -m 256 --no-pci --no-shconf -l 0-1 --log-level='*:error' --log-level='netsw.*:info' ${EAL_OPTS:-} -- \
		--control "$ctl" ${SWITCH_OPTS:-} \
		--vduse "$a,netns=${A_NETNS:-left},ifname=eth0,mac=02:00:00:00:00:01$extra" \
		--vduse "$b,netns=${B_NETNS:-right},ifname=eth0,mac=${B_MAC:-02:00:00:00:00:02}$extra$b_extra" \
		>"$work/switch.log" 2>&1 &
	sw_pid=$!
	for _ in $(seq 150); do
		grep -q '^vduse-netsw: forwarding' "$work/switch.log" && break
		kill -0 "$sw_pid" 2>/dev/null || fail "switch exited while starting"
		sleep 0.2
	done
	grep -q '^vduse-netsw: forwarding' "$work/switch.log" || fail "switch did not start"
}

# start_switch PORT_A PORT_B [MTU]: launch_switch, then addresses and links up.
start_switch() {
	launch_switch "$@"
	ip -n left addr add 10.0.0.1/24 dev eth0
	ip -n right addr add 10.0.0.2/24 dev eth0
	ip -n left link set eth0 up
	ip -n right link set eth0 up
}

# stop_switch [SIGNAL]: SIGTERM (or SIGNAL); the switch exits 0 and leaves no
# device behind.
stop_switch() {
	local rc=0 sig=${1:-TERM}
	kill -"$sig" "$sw_pid"
	wait "$sw_pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "switch exited with $rc after SIG$sig"
	[ -z "$(vdpa dev show)" ] || fail "vdpa devices left: $(vdpa dev show)"
	ls /dev/vduse/ | grep -qvx control && fail "VDUSE devices left: $(ls /dev/vduse)"
	ip -n left link show eth0 >/dev/null 2>&1 && fail "netdev left in netns left"
	echo "ok: SIG$sig: exit 0, no device left"
}

# destroy_vduse NAME: VDUSE_DESTROY_DEV on the control device.
destroy_vduse() {
	python3 - "$1" <<'PY'
import fcntl, os, sys
VDUSE_DESTROY_DEV = (1 << 30) | (256 << 16) | (0x81 << 8) | 0x03
fd = os.open("/dev/vduse/control", os.O_RDWR)
fcntl.ioctl(fd, VDUSE_DESTROY_DEV, sys.argv[1].encode().ljust(256, b"\0"))
PY
}

control() {
	echo "$*" | socat -t 5 - "UNIX-CONNECT:$ctl"
}

ping_both_ways() {
	ip netns exec left ping -c 3 -i 0.2 -W 3 10.0.0.2 >/dev/null || fail "left cannot ping right"
	ip netns exec right ping -c 3 -i 0.2 -W 3 10.0.0.1 >/dev/null || fail "right cannot ping left"
	echo "ok: ping both ways"
}

# transfer MIB: random data over TCP, SHA-256 compared on arrival.
# transfer MIB [FROM TO TO_ADDR]: MIB MiB of TCP, left to right by default.
transfer() {
	local mib=$1 from=${2:-left} to=${3:-right} addr=${4:-10.0.0.2} sent got
	head -c "${mib}M" /dev/urandom >"$work/data"
	sent=$(sha256sum <"$work/data" | cut -d' ' -f1)
	ip netns exec "$to" socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$work/recv",creat,trunc &
	local rx=$!
	sleep 0.5
	timeout 300 ip netns exec "$from" socat -u OPEN:"$work/data" "TCP:$addr:5001" ||
		fail "sending ${mib} MiB failed"
	wait "$rx" || fail "receiving failed"
	got=$(sha256sum <"$work/recv" | cut -d' ' -f1)
	[ "$sent" = "$got" ] || fail "SHA-256 differs: sent $sent, got $got"
	echo "ok: ${mib} MiB over TCP $from -> $to, SHA-256 $got matches"
}

# feature PORT BIT: 1 if the driver of PORT negotiated feature BIT, else 0.
feature() {
	cut -c$(($2 + 1)) /sys/bus/vdpa/devices/"$1"/virtio*/features
}

# netdev_stat NETNS COUNTER: a counter of eth0 in NETNS.
netdev_stat() {
	ip netns exec "$1" cat "/sys/class/net/eth0/statistics/$2"
}

# uso_transfer whole|cut PORT_A PORT_B: 200 UDP_SEGMENT sends of 25 datagrams each, left to
# right, every datagram checked on arrival. The driver hands them over as
# USO frames; the right port takes them whole (its kernel cuts them) or the
# switch cuts them for it.
uso_transfer() {
	local expect=$1 a=$2 b=$3 count=200 nseg=25 tx0 rx0 tx1 rx1 segs rc=0
	[ "$(feature "$a" 56)" = 1 ] || fail "$a's driver did not take HOST_USO"
	ip netns exec left ethtool -K eth0 tx-udp-segmentation on >/dev/null ||
		fail "cannot turn on tx-udp-segmentation"
	tx0=$(netdev_stat left tx_packets)
	rx0=$(netdev_stat right rx_packets)
	ip netns exec right "$udp_gso" recv 9000 1200 30000 $count 20 >"$work/uso.out" 2>&1 &
	local rx=$!
	for _ in $(seq 50); do grep -q ready "$work/uso.out" && break; sleep 0.1; done
	ip netns exec left "$udp_gso" send 10.0.0.2 9000 1200 30000 $count || fail "udp-gso send"
	wait "$rx" || rc=$?
	cat "$work/uso.out"
	[ "$rc" -eq 0 ] || { control "show port stats all"; fail "datagrams lost or damaged"; }
	tx1=$(netdev_stat left tx_packets)
	rx1=$(netdev_stat right rx_packets)
	segs=$(control "show port xstats $b" | awk '/^tx_gso_segments:/ { print $2 }')
	# GSO frames left the sender's driver whole: about one frame per send.
	[ $((tx1 - tx0)) -lt $((2 * count)) ] ||
		fail "$((tx1 - tx0)) frames sent for $count sends: no USO from the driver"
	if [ "$expect" = whole ]; then
		[ "$(feature "$b" 54)" = 1 ] || fail "$b's driver did not take GUEST_USO4"
		[ "$segs" -eq 0 ] || fail "the switch cut $segs segments for a USO-capable driver"
		[ $((rx1 - rx0)) -lt $((2 * count)) ] || fail "right received $((rx1 - rx0)) frames"
	else
		[ "$(feature "$b" 54)" = 0 ] || fail "$b's driver took GUEST_USO4 against offloads="
		[ "$segs" -ge $((count * nseg)) ] || fail "the switch cut only $segs segments"
		[ $((rx1 - rx0)) -ge $((count * nseg)) ] || fail "right received $((rx1 - rx0)) frames"
	fi
	echo "ok: USO, $expect: $((count * nseg)) datagrams intact; switch cut $segs segments"
}

# kill_switch: SIGKILL, as a crash; the devices stay.
kill_switch() {
	kill -KILL "$sw_pid"
	wait "$sw_pid" 2>/dev/null || true
}

# netdev_id NETNS: ifindex and MAC of eth0 in NETNS.
netdev_id() {
	echo "$(ip netns exec "$1" cat /sys/class/net/eth0/ifindex)" \
		"$(ip netns exec "$1" cat /sys/class/net/eth0/address)"
}

# relaunch_switch PORT_A PORT_B: start the killed switch again and print how
# long it took from the start to the first frame forwarded (ping must run).
relaunch_switch() {
	local t0 t1 rx
	t0=$(date +%s%N)
	launch_switch "$@"
	grep -q "^port $1: taken back" "$work/switch.log" || fail "$1 was not taken back"
	grep -q "^port $2: taken back" "$work/switch.log" || fail "$2 was not taken back"
	for _ in $(seq 200); do
		rx=$(control "show port stats all" | awk '/RX-packets:/ { n += $2 } END { print n + 0 }')
		[ "$rx" -gt 0 ] && break
		sleep 0.05
	done
	[ "$rx" -gt 0 ] || fail "nothing forwarded after the restart"
	t1=$(date +%s%N)
	echo "ok: restart to first forwarded frame: $(((t1 - t0) / 1000000)) ms" \
		"(process start, EAL, devices taken back, first frame)"
}

# reconnect_under_traffic PORT_A PORT_B: kill -9 during ping and a 32 MiB TCP
# transfer, then during an iperf3 stream; the restarted switch takes the
# devices back: same netdevs, the connections survive, the bytes arrive.
reconnect_under_traffic() {
	local a=$1 b=$2 id_l id_r sent got rx tx ipf
	id_l=$(netdev_id left)
	id_r=$(netdev_id right)
	ip netns exec left ping -i 0.1 -w 120 10.0.0.2 >"$work/ping.out" 2>&1 &
	local pinger=$!
	head -c 32M /dev/urandom >"$work/data"
	sent=$(sha256sum <"$work/data" | cut -d' ' -f1)
	ip netns exec right socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$work/recv",creat,trunc &
	rx=$!
	sleep 0.5
	ip netns exec left socat -u OPEN:"$work/data" TCP:10.0.0.2:5001 &
	tx=$!
	sleep 1
	kill_switch
	echo "ok: switch killed during ping and a TCP transfer"
	sleep 1
	relaunch_switch "$a" "$b"
	[ "$(netdev_id left)" = "$id_l" ] || fail "left's eth0 changed: $id_l -> $(netdev_id left)"
	[ "$(netdev_id right)" = "$id_r" ] || fail "right's eth0 changed: $id_r -> $(netdev_id right)"
	ip -n left -4 addr show eth0 | grep -q 10.0.0.1/24 || fail "left lost its address"
	echo "ok: eth0 kept its ifindex, MAC and address on both sides"
	timeout 240 tail --pid="$tx" -f /dev/null || fail "the transfer did not end"
	wait "$tx" || fail "the sender failed: the connection did not survive"
	wait "$rx" || fail "the receiver failed"
	got=$(sha256sum <"$work/recv" | cut -d' ' -f1)
	[ "$sent" = "$got" ] || fail "SHA-256 differs after the restart: sent $sent, got $got"
	echo "ok: 32 MiB over TCP across the kill, SHA-256 $got matches"

	ip netns exec right iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec left iperf3 -c 10.0.0.2 -t 8 >"$work/iperf.out" 2>&1 &
	ipf=$!
	sleep 2
	kill_switch
	sleep 1
	relaunch_switch "$a" "$b"
	wait "$ipf" || { cat "$work/iperf.out"; fail "iperf3 failed across the kill"; }
	grep -q 'receiver' "$work/iperf.out" || fail "iperf3 did not finish its stream"
	echo "ok: an iperf3 TCP stream survived the kill: $(grep receiver "$work/iperf.out")"
	kill "$pinger" 2>/dev/null || true
	wait "$pinger" 2>/dev/null || true
	ping_both_ways
}

# lost_interrupt: kill the switch and leave p0 as if it had died between
# returning a buffer of left's receive queue used and interrupting the driver,
# which waits at the used_event now passed. The restarted switch must
# interrupt it, or left never receives again: with event index, no later used
# entry passes that used_event. The empty frame counts as a length error.
lost_interrupt() {
	local errs0 errs stats=/sys/class/net/eth0/statistics/rx_length_errors
	errs0=$(ip netns exec left cat "$stats")
	kill_switch
	python3 "$(dirname "$0")/used-no-irq.py" p0 0 || fail "p0 not left as after a bad death"
	launch_switch p0 p1
	grep -q '^port p0: taken back' "$work/switch.log" || fail "p0 was not taken back"
	ping_both_ways
	errs=$(ip netns exec left cat "$stats")
	[ "$errs" -eq $((errs0 + 1)) ] ||
		fail "left's driver did not take the empty frame: rx_length_errors $errs0 -> $errs"
	echo "ok: a used entry left without an interrupt is seen after the restart; ping both ways"
}

# nic_setup: namespace nic, its eth0 (10.0.0.3, 02:00:00:00:00:03) the peer
# of veth nic-h, which the switch drives as an ethdev: a "physical NIC".
nic_setup() {
	ip netns add nic
	ip link add nic-h type veth peer name eth0 netns nic
	sysctl -qw net.ipv6.conf.nic-h.disable_ipv6=1
	ip link set nic-h up
	# A veth hands AF_PACKET its frames with checksums left to "hardware"
	# (TP_STATUS_CSUMNOTREADY), which DPDK's net_af_packet does not finish:
	# the sender must, as for any AF_PACKET switch on a veth.
	ip netns exec nic ethtool -K eth0 tx off >/dev/null
	ip -n nic link set eth0 address 02:00:00:00:00:03
	ip -n nic addr add 10.0.0.3/24 dev eth0
	ip -n nic link set eth0 up
}

# fdb_port MAC [VLAN]: the port the switch's MAC table has for MAC.
fdb_port() {
	control "show mac table" | awk -v m="$1" -v v="${2:-0}" '$1 == v && $2 == m { print $3 }'
}

# bridge_three PMD: two VDUSE ports and the NIC through PMD (net_af_packet or
# net_af_xdp) bridged: all reach each other, the MAC table is as expected,
# 64 MiB of TCP from a VDUSE port to the NIC side arrive intact; then VLANs.
bridge_three() {
	local pmd=$1
	nic_setup
	export EAL_OPTS="--vdev ${pmd}0,iface=nic-h"
	start_switch p0 p1
	grep -q "^port ${pmd}0: ethdev" "$work/switch.log" || fail "no $pmd port"
	ping_both_ways
	ip netns exec left ping -c 3 -i 0.2 -W 3 10.0.0.3 >/dev/null || fail "left cannot ping the NIC side"
	ip netns exec nic ping -c 3 -i 0.2 -W 3 10.0.0.2 >/dev/null || fail "the NIC side cannot ping right"
	echo "ok: left, right and the NIC side ($pmd) reach each other"
	[ "$(fdb_port 02:00:00:00:00:01)" = p0 ] || fail "left's MAC not on p0: $(control show mac table)"
	[ "$(fdb_port 02:00:00:00:00:02)" = p1 ] || fail "right's MAC not on p1: $(control show mac table)"
	[ "$(fdb_port 02:00:00:00:00:03)" = "${pmd}0" ] || fail "the NIC side's MAC not on ${pmd}0: $(control show mac table)"
	echo "ok: MAC table: $(control show mac table | awk 'NR > 1 && NF >= 3 { printf "%s on %s; ", $2, $3 }')"
	transfer 64 left nic 10.0.0.3
	control "show port xstats ${pmd}0" | grep -E 'tx_gso_segments|tx_csum_software' | tr '\n' ' '
	echo
	# A VDUSE port added and removed at run time while left talks to the
	# NIC side: its netdev comes and goes, and not a frame of theirs is lost.
	ip netns exec left ping -i 0.05 -c 120 -W 1 10.0.0.3 >"$work/ping" 2>&1 &
	local pinger=$!
	sleep 0.5
	echo "port add vduse p9,netns=right,ifname=eth9,mac=02:00:00:00:00:09" |
		socat -t 30 - "UNIX-CONNECT:$ctl" | grep -qx ok || fail "port add vduse failed"
	ip -n right link show eth9 >/dev/null || fail "no eth9 in right after port add"
	echo "port del p9" | socat -t 30 - "UNIX-CONNECT:$ctl" | grep -qx ok || fail "port del failed"
	ip -n right link show eth9 >/dev/null 2>&1 && fail "eth9 still in right after port del"
	wait "$pinger" || true
	grep -q ' 0% packet loss' "$work/ping" || fail "left lost frames while p9 came and went: $(tail -2 "$work/ping")"
	echo "ok: VDUSE port p9 added and removed under a 20/s ping, 0% loss"
	stop_switch
	# VLANs: left and the NIC side in VLAN 10, right in VLAN 20.
	B_OPTS=vlan=20 SWITCH_OPTS="--port ${pmd}0,vlan=10" start_switch p0,vlan=10 p1
	ip netns exec left ping -c 3 -i 0.2 -W 3 10.0.0.3 >/dev/null || fail "VLAN 10: left cannot ping the NIC side"
	ip netns exec left ping -c 2 -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1 && fail "left reaches right across VLANs"
	[ "$(fdb_port 02:00:00:00:00:01 10)" = p0 ] || fail "left's MAC not in VLAN 10: $(control show mac table)"
	control "show port info p1" | grep -qx 'VLAN mode: access vlan 20' ||
		fail "p1 not an access port of VLAN 20: $(control show port info p1)"
	echo "ok: a ping inside VLAN 10 passes, one from VLAN 10 to VLAN 20 fails"
	stop_switch
	unset EAL_OPTS
	ip netns del nic
}

# state_files: the state files the switch keeps.
state_files() {
	ls /run/vduse-netsw/ 2>/dev/null || true
}

kernel_clean() {
	if dmesg | grep -E 'Oops|BUG:|WARNING:|hung_task|blocked for more than|Call Trace'; then
		fail "kernel log shows a problem"
	fi
}

ip netns add left
ip netns add right

case "$mode" in
ping)
	start_switch p0 p1
	ping_both_ways
	control "show port stats all" | grep -q 'RX-packets' || fail "no stats from the control socket"
	stop_switch
	;;
transfer)
	start_switch p0 p1
	transfer 64
	stop_switch
	;;
packed)
	SWITCH_OPTS=--packed-ring start_switch p0 p1
	# Bit 34 of the negotiated features: the packed layout is in use.
	[ "$(feature p0 34)" = 1 ] || fail "the driver did not take the packed ring"
	echo "ok: packed ring negotiated"
	ping_both_ways
	transfer 32
	stop_switch
	;;
jumbo)
	start_switch p0 p1 9000
	ip -n left link set eth0 mtu 9000
	ip -n right link set eth0 mtu 9000
	ip netns exec left ping -c 2 -W 3 -M do -s 8972 10.0.0.2 >/dev/null ||
		fail "no 9000-byte frames through the switch"
	echo "ok: 9000-byte frames pass unfragmented"
	transfer 16
	stop_switch
	;;
link)
	start_switch p0 p1
	control "set link-down port p1" | grep -qx ok || fail "link down refused"
	sleep 1
	ip -n right link show eth0 | grep -q NO-CARRIER || fail "no NO-CARRIER after link down"
	control "show port info p1" | grep -qx 'Link status: down' ||
		fail "the switch shows p1's link up: $(control show port info p1)"
	echo "ok: link down seen as NO-CARRIER"
	control "set link-up port p1" | grep -qx ok || fail "link up refused"
	sleep 1
	ip -n right link show eth0 | grep -q LOWER_UP || fail "no LOWER_UP after link up"
	control "show port info p1" | grep -qx 'Link status: up' ||
		fail "the switch shows p1's link down: $(control show port info p1)"
	echo "ok: link up seen as LOWER_UP"
	ping_both_ways
	out=$(control "set link-down port nosuch")
	grep -q "^error: word 4 'nosuch': expected PORT" <<<"$out" || fail "bad port not refused: $out"
	# port stop on a VDUSE port: no worker polls it and its guest sees the
	# carrier go; port start brings both back.
	control "port stop p1" | grep -qx 'Port 1 (p1) stopped' || fail "port stop p1 refused"
	for _ in $(seq 50); do ip -n right link show eth0 | grep -q NO-CARRIER && break; sleep 0.1; done
	ip -n right link show eth0 | grep -q NO-CARRIER || fail "no NO-CARRIER after port stop"
	ip netns exec left ping -c 2 -W 1 10.0.0.2 >/dev/null 2>&1 && fail "p1 answers while stopped"
	control "show port info p1" | grep -qx 'Port state: stopped' || fail "p1 not shown stopped"
	control "port start p1" | grep -qx 'Port 1 (p1) started' || fail "port start p1 refused"
	for _ in $(seq 50); do ip -n right link show eth0 | grep -q LOWER_UP && break; sleep 0.1; done
	ping_both_ways
	echo "ok: port stop and start on a VDUSE port: carrier and polling follow"
	out=$(control "set promisc p0 off")
	grep -q "^error: port p0 is a VDUSE port: its guest's driver chooses" <<<"$out" ||
		fail "set promisc on a VDUSE port: $out"
	echo "ok: set promisc refused on a VDUSE port, with the reason"
	stop_switch
	;;
kill)
	start_switch p0 p1
	ip netns exec right iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec left iperf3 -c 10.0.0.2 -t 30 >/dev/null 2>&1 &
	sleep 3
	kill -KILL "$sw_pid"
	wait "$sw_pid" 2>/dev/null || true
	echo "ok: switch killed under traffic"
	# The kernel keeps answering, and a new switch serves new devices.
	timeout 20 ip link show >/dev/null || fail "ip link hangs after the kill"
	timeout 20 vdpa dev show >/dev/null || fail "vdpa hangs after the kill"
	# The orphans can be removed: the kernel gives up on the dead server
	# after msg_timeout instead of hanging.
	for dev in p0 p1; do
		echo 2 >"/sys/class/vduse/$dev/msg_timeout"
		timeout 60 vdpa dev del "$dev" || fail "vdpa dev del $dev after the kill"
		destroy_vduse "$dev" || fail "cannot destroy VDUSE device $dev after the kill"
	done
	echo "ok: orphaned devices removed"
	ip netns del left
	ip netns del right
	ip netns add left
	ip netns add right
	start_switch p2 p3
	ping_both_ways
	stop_switch
	kernel_clean
	echo "ok: kernel log clean"
	;;
uso)
	[ -x "$udp_gso" ] || fail "no udp-gso tool given"
	start_switch p0 p1
	uso_transfer whole p0 p1
	stop_switch
	B_OPTS=offloads=csum+tso start_switch p2 p3
	uso_transfer cut p2 p3
	transfer 16
	stop_switch
	;;
hup)
	# The namespaces given as a path and as a process.
	ip netns exec right sleep 600 &
	holder=$!
	A_NETNS=/run/netns/left B_NETNS=pid:$holder start_switch p0 p1
	ping_both_ways
	# A client gone before its answer: the answer meets a closed socket.
	kill -STOP "$sw_pid"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show port stats all\n")
s.close()' "$ctl"
	kill -CONT "$sw_pid"
	sleep 0.5
	kill -0 "$sw_pid" 2>/dev/null || fail "switch died when a client left before its answer"
	control "show port summary all" | grep -qx ok || fail "no answer after a client left"
	echo "ok: a client gone before its answer costs only the answer"
	# SIGHUP: the terminal that started the switch went away.
	stop_switch HUP
	kill "$holder"
	;;
reconnect | reconnect-packed | reconnect-hugepages)
	case "$mode" in
	reconnect-packed) SWITCH_OPTS=--packed-ring ;;
	reconnect-hugepages)
		echo 128 >/proc/sys/vm/nr_hugepages
		free0=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
		SWITCH_OPTS=--hugepages
		;;
	esac
	export SWITCH_OPTS
	start_switch p0 p1
	[ -f /run/vduse-netsw/p0.state ] || fail "no state file for p0: $(state_files)"
	if [ "$mode" = reconnect-packed ]; then
		[ "$(feature p0 34)" = 1 ] || fail "the driver did not take the packed ring"
	fi
	if [ "$mode" = reconnect-hugepages ]; then
		grep -q 'hugepages' "$work/switch.log" || fail "no hugepage bounce buffer"
	fi
	reconnect_under_traffic p0 p1
	[ "$mode" = reconnect ] && lost_interrupt
	stop_switch
	[ -z "$(state_files)" ] || fail "state files left: $(state_files)"
	if [ "$mode" = reconnect-hugepages ]; then
		[ "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" = "$free0" ] ||
			fail "hugepages not given back: $(grep HugePages /proc/meminfo)"
		echo "ok: every hugepage given back"
	fi
	;;
reconnect-stale)
	start_switch p0 p1
	id_l=$(netdev_id left)
	kill_switch
	# A corrupt state file is not trusted: the device is replaced.
	printf 'x' | dd of=/run/vduse-netsw/p0.state bs=1 seek=40 conv=notrunc 2>/dev/null
	launch_switch p0 p1
	grep -q 'p0.state not used: corrupt' "$work/switch.log" ||
		fail "a corrupt state file was not refused"
	grep -q '^port p1: taken back' "$work/switch.log" || fail "p1 was not taken back"
	[ "$(netdev_id left)" != "$id_l" ] || fail "left's netdev was not replaced"
	echo "ok: corrupt state file refused, device replaced; the other port taken back"
	ip -n left addr add 10.0.0.1/24 dev eth0
	ip -n left link set eth0 up
	ping_both_ways
	# A state file of a device with another MAC (stale) is not trusted either.
	kill_switch
	B_MAC=02:00:00:00:00:22 launch_switch p0 p1
	grep -q 'p1.state not used: of a device with another MAC' "$work/switch.log" ||
		fail "a stale state file was not refused"
	grep -q '^port p0: taken back' "$work/switch.log" || fail "p0 was not taken back"
	[ "$(ip netns exec right cat /sys/class/net/eth0/address)" = 02:00:00:00:00:22 ] ||
		fail "right's netdev does not have the new MAC"
	echo "ok: stale state file refused, device replaced with the new MAC"
	# Other offloads asked for than the device was created with: stale too.
	kill_switch
	B_MAC=02:00:00:00:00:22 B_OPTS=offloads=csum launch_switch p0 p1
	grep -q 'p1.state not used: of a device with other features' "$work/switch.log" ||
		fail "a state file of other features was not refused"
	echo "ok: state file of other features refused"
	# A state file of another device.
	kill_switch
	cp /run/vduse-netsw/p1.state /run/vduse-netsw/p0.state
	B_MAC=02:00:00:00:00:22 B_OPTS=offloads=csum launch_switch p0 p1
	grep -q 'p0.state not used: of another device' "$work/switch.log" ||
		fail "the state file of another device was not refused"
	echo "ok: state file of another device refused"
	# A device whose driver reset it while no switch served it: the request
	# timed out and the kernel marked it broken.
	kill_switch
	for dev in p0 p1; do echo 2 >"/sys/class/vduse/$dev/msg_timeout"; done
	for drv in /sys/bus/virtio/drivers/virtio_net/virtio*; do
		[ -e "$drv" ] || continue
		timeout 60 sh -c "echo $(basename "$drv") >/sys/bus/virtio/drivers/virtio_net/unbind" ||
			true
	done
	B_MAC=02:00:00:00:00:22 B_OPTS=offloads=csum launch_switch p0 p1
	for dev in p0 p1; do
		grep -q "$dev.state not used: the device broke while no process served it" \
			"$work/switch.log" || fail "$dev: a device broken meanwhile was not replaced"
	done
	echo "ok: devices reset while no switch served them are replaced"
	# --fresh replaces both.
	kill_switch
	SWITCH_OPTS=--fresh start_switch p0 p1
	grep -q 'taken back' "$work/switch.log" && fail "--fresh took a device back"
	ping_both_ways
	# A device no state file describes is not ours: refused, left alone.
	kill_switch
	rm -f /run/vduse-netsw/p1.state
	"$sw_bin" --no-huge -m 256 --no-pci --no-shconf -l 0-1 --log-level='*:error' --log-level='netsw.*:info' ${EAL_OPTS:-} -- \
		--vduse "p1,netns=right,ifname=eth0" >"$work/orphan.log" 2>&1 &&
		fail "a device without state file was taken"
	grep -q 'does not describe it' "$work/orphan.log" ||
		fail "no clear error for a device without state file: $(cat "$work/orphan.log")"
	[ -c /dev/vduse/p1 ] || fail "the refused device was removed"
	# Without --control it served the default socket, in the state directory: gone with it.
	[ -e /run/vduse-netsw/control.sock ] && fail "the default control socket was left behind"
	echo "ok: a device without state file refused and left alone"
	SWITCH_OPTS=--fresh start_switch p0 p1
	ping_both_ways
	stop_switch
	;;
bridge)
	bridge_three net_af_packet
	;;
bridge-xdp)
	bridge_three net_af_xdp
	;;
reconnect-cycles*)
	# reconnect-cycles-N: N cycles (100 by default), with hugepage bounce
	# buffers so that a leak of them shows.
	cycles=${mode#reconnect-cycles}
	cycles=${cycles#-}
	cycles=${cycles:-100}
	echo 128 >/proc/sys/vm/nr_hugepages
	free0=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
	export SWITCH_OPTS=--hugepages
	start_switch p0 p1
	id_l=$(netdev_id left)
	fds0=$(ls "/proc/$sw_pid/fd" | wc -l)
	ip netns exec left ping -i 0.05 -w 1200 10.0.0.2 >"$work/ping.out" 2>&1 &
	pinger=$!
	for i in $(seq "$cycles"); do
		kill_switch
		launch_switch p0 p1
		grep -q '^port p0: taken back' "$work/switch.log" || fail "cycle $i: not taken back"
	done
	sleep 1
	kill -INT "$pinger"
	wait "$pinger" 2>/dev/null || true
	[ "$(netdev_id left)" = "$id_l" ] || fail "left's eth0 changed over the cycles"
	fds=$(ls "/proc/$sw_pid/fd" | wc -l)
	[ "$fds" -eq "$fds0" ] || fail "the switch holds $fds fds after the cycles, $fds0 before"
	ping_both_ways
	echo "ok: $cycles kill/restart cycles under ping ($(grep 'packets transmitted' "$work/ping.out")), same netdev, $fds fds as at first"
	stop_switch
	[ -z "$(state_files)" ] || fail "state files left: $(state_files)"
	[ "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" = "$free0" ] ||
		fail "hugepages not given back: $(grep HugePages /proc/meminfo)"
	echo "ok: no device, state file or hugepage left"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
kernel_clean
