#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Inside the 6.12 guest: the kernel's pktgen in container "src" sends UDP
# frames to container "sink" through each system in turn; the rate is what
# the sink's netdev received. Rounds are interleaved (every system once per
# round, sizes inside), so that a ratio is only ever taken inside a round.
# One line per measurement on stdout:
#
#   RESULT round system frame_bytes rx_pps sent_pps cpu0_busy cpu1_busy irqs_per_pkt
#
#   guest.sh SWITCH CTL ROUNDS SECONDS SIZES SYSTEMS [PEERS_ROOT]
#   SIZES: frame sizes in bytes with FCS, e.g. 64,1518; SYSTEMS: of
#   vduse-netsw, vduse-netsw-io, veth, testpmd, ovs (the last two need
#   PEERS_ROOT, the chroot of test/bench/setup-peers.sh)
set -euo pipefail
sw_bin=${1:?switch binary}
ctl_bin=${2:?vduse-netsw-ctl binary}
rounds=${3:?rounds}
seconds=${4:?seconds}
IFS=, read -r -a sizes <<<"${5:?sizes}"
IFS=, read -r -a systems <<<"${6:?systems}"
peers=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
# shellcheck source=systems.sh
. "$here/systems.sh"

modprobe pktgen
modprobe tun # OVS's netdev datapath opens /dev/net/tun for its bridge port
ip netns add src
ip netns add sink
# Hugepages for the bounce buffers of REG_UMEM (two devices of 64 MiB), freed at the end.
echo 128 >/proc/sys/vm/nr_hugepages

# pg NS FILE COMMAND: one pktgen command, in namespace NS.
pg() {
	ip netns exec "$1" sh -c "echo '$3' >/proc/net/pktgen/$2"
}

# cpu_ticks: busy and total jiffies of each CPU, "b0 t0 b1 t1".
cpu_ticks() {
	awk '/^cpu[0-9]/ { t = 0; for (i = 2; i <= NF; i++) t += $i;
		printf "%d %d ", t - $5 - $6, t }' /proc/stat
}

# measure SYSTEM SIZE: pktgen at full speed for SECONDS after a warm-up,
# the sink's received frames counted over the same window.
measure() {
	local system=$1 size=$2 mac rx0 rx1 tx0 tx1 t0 t1 c0 c1 irq0 irq1 pgpid
	mac=$(ip netns exec sink cat /sys/class/net/eth0/address)
	pg src kpktgend_0 rem_device_all
	pg src kpktgend_0 "add_device eth0"
	pg src eth0 "count 0"
	pg src eth0 "delay 0"
	pg src eth0 "clone_skb 0"
	pg src eth0 "pkt_size $((size - 4))"
	pg src eth0 "dst 10.77.0.2"
	pg src eth0 "dst_mac $mac"
	pg src eth0 "udp_dst_min 9"
	pg src eth0 "udp_dst_max 9"
	ip netns exec src sh -c 'echo start >/proc/net/pktgen/pgctrl' &
	pgpid=$!
	sleep 1 # warm-up: rings filled, MACs learned
	rx0=$(ip netns exec sink cat /sys/class/net/eth0/statistics/rx_packets)
	tx0=$(ip netns exec src cat /sys/class/net/eth0/statistics/tx_packets)
	irq0=$(system_irqs "$system")
	c0=$(cpu_ticks)
	t0=$(date +%s%N)
	sleep "$seconds"
	rx1=$(ip netns exec sink cat /sys/class/net/eth0/statistics/rx_packets)
	tx1=$(ip netns exec src cat /sys/class/net/eth0/statistics/tx_packets)
	irq1=$(system_irqs "$system")
	c1=$(cpu_ticks)
	t1=$(date +%s%N)
	ip netns exec src sh -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pgpid" 2>/dev/null || true
	pg src kpktgend_0 rem_device_all
	awk -v r="$round" -v s="$system" -v f="$size" -v rx=$((rx1 - rx0)) -v tx=$((tx1 - tx0)) \
		-v ns=$((t1 - t0)) -v c0="$c0" -v c1="$c1" -v i0="$irq0" -v i1="$irq1" 'BEGIN {
		split(c0, a, " "); split(c1, b, " ")
		busy0 = (b[2] - a[2]) ? (b[1] - a[1]) / (b[2] - a[2]) : 0
		busy1 = (b[4] - a[4]) ? (b[3] - a[3]) / (b[4] - a[4]) : 0
		irqs = (i0 == "-" || rx == 0) ? "-" : sprintf("%.4f", (i1 - i0) / rx)
		printf "RESULT %d %s %d %.0f %.0f %.2f %.2f %s\n", r, s, f, rx * 1e9 / ns,
			tx * 1e9 / ns, busy0, busy1, irqs }'
}

trap 'system_stop_all; ip netns del src 2>/dev/null; ip netns del sink 2>/dev/null;
	echo 0 >/proc/sys/vm/nr_hugepages; rm -rf "$work"' EXIT
echo "guest: $(nproc) CPUs, kernel $(uname -r); figures under TCG emulation are not performance: compare ratios only"
for round in $(seq "$rounds"); do
	for system in "${systems[@]}"; do
		system_start "$system"
		ip -n src addr add 10.77.0.1/24 dev eth0
		ip -n sink addr add 10.77.0.2/24 dev eth0
		ip -n src link set eth0 up
		ip -n sink link set eth0 up
		# The sink's MAC is learned (bridges) and its neighbour known.
		ip netns exec src ping -c 2 -i 0.2 -W 2 10.77.0.2 >/dev/null ||
			echo "guest: $system: no ping before the run" >&2
		for size in "${sizes[@]}"; do
			measure "$system" "$size"
		done
		system_stop "$system"
	done
done
