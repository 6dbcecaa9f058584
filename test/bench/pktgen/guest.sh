#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Inside the 6.12 guest: traffic from container "src" to container "sink"
# through each system in turn. Rounds are interleaved (every system once per
# round, every test inside), so that a ratio is only ever taken inside a
# round. One line per measurement on stdout:
#
#   RESULT round system test frame_bytes rx_pps sent_pps cpu0_busy cpu1_busy irqs_per_pkt
#          suppressed_per_pkt
#          test: pktgen (the kernel's, in src), txonly or flowgen (the system's
#          own generator, into the sink's netdev); rx_pps is what the sink's
#          netdev received; sent_pps what src's sent, or - for a generator;
#          the switch's interrupts injected and suppressed per received frame
#          (- for the other systems)
#   TCP round system streams gbit_s retransmits cpu0_busy cpu1_busy
#          iperf3 from src to sink, 1 or 4 streams
#   RR round system avg_us p50_us p99_us
#          sockperf ping-pong, UDP, 64-byte messages, src to sink and back
#   COST system frame_bytes irqs rx_irqs tx_irqs kicks maps bounces
#          per received frame, the kernel functions' hits (kprobes) during a
#          pktgen run: interrupts delivered to virtio_net (vduse_vq_irq_inject),
#          of them the sink's receive queue's (virtio_net's skb_recv_done) and
#          src's transmit queue's (skb_xmit_done: its sent buffers are used),
#          kicks to the device (vduse_vdpa_kick_vq), buffers mapped into the
#          bounce domain (vduse_domain_map_page) and bounce copies
#          (vduse_domain_bounce)
#   SKIP system test frame_bytes reason
#
#   guest.sh SWITCH CTL ROUNDS SECONDS SIZES SYSTEMS TESTS [PEERS_ROOT]
#   SIZES: frame sizes in bytes with FCS, e.g. 64,1518,9000 (above 1518 the
#   two netdevs get MTU 9000 for that size); SYSTEMS: see systems.sh; TESTS:
#   of pktgen, gen, tcp, rr, costs (costs: one more pass after the rounds,
#   VDUSE systems only, at the smallest and the largest of SIZES up to 1518)
set -euo pipefail
sw_bin=${1:?switch binary}
ctl_bin=${2:?vduse-netsw-ctl binary}
rounds=${3:?rounds}
seconds=${4:?seconds}
IFS=, read -r -a sizes <<<"${5:?sizes}"
IFS=, read -r -a systems <<<"${6:?systems}"
IFS=, read -r -a tests <<<"${7:?tests}"
peers=${8:-}
# iperf3 and sockperf count whole seconds.
whole=$(awk -v s="$seconds" 'BEGIN { printf "%d", s < 1 ? 1 : int(s + 0.5) }')
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
# shellcheck source=systems.sh
. "$here/systems.sh"

# A peer that died must not take this script with it on a write to its FIFO.
trap '' PIPE

has_test() {
	local t
	for t in "${tests[@]}"; do [ "$t" = "$1" ] && return 0; done
	return 1
}

modprobe pktgen
modprobe virtio_net # loaded before the cost pass's kprobes name its callbacks
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

# busy C0 C1: each CPU's busy share between two cpu_ticks, "b0 b1".
busy() {
	awk -v c0="$1" -v c1="$2" 'BEGIN { split(c0, a, " "); split(c1, b, " ")
		printf "%.2f %.2f", (b[2] - a[2]) ? (b[1] - a[1]) / (b[2] - a[2]) : 0,
			(b[4] - a[4]) ? (b[3] - a[3]) / (b[4] - a[4]) : 0 }'
}

rx_count() { ip netns exec sink cat /sys/class/net/eth0/statistics/rx_packets; }
tx_count() { ip netns exec src cat /sys/class/net/eth0/statistics/tx_packets; }

# window SYSTEM TEST SIZE SENT: the RESULT line of counters over SECONDS after
# a second of warm-up; SENT: 1 to report what src sent, 0 for "-" (the
# system generated the frames).
window() {
	local rx0 rx1 tx0 tx1 t0 t1 c0 c1 irq0 irq1
	sleep 1 # warm-up: rings filled, MACs learned
	rx0=$(rx_count) tx0=$(tx_count) irq0=$(system_irqs "$1") c0=$(cpu_ticks) t0=$(date +%s%N)
	sleep "$seconds"
	rx1=$(rx_count) tx1=$(tx_count) irq1=$(system_irqs "$1") c1=$(cpu_ticks) t1=$(date +%s%N)
	awk -v r="$round" -v s="$1" -v test="$2" -v f="$3" -v sent="$4" -v rx=$((rx1 - rx0)) \
		-v tx=$((tx1 - tx0)) -v ns=$((t1 - t0)) -v b="$(busy "$c0" "$c1")" -v i0="$irq0" \
		-v i1="$irq1" 'BEGIN {
		split(i0, a, " "); split(i1, z, " ")
		for (k = 1; k <= 2; k++)
			irq[k] = (a[k] == "-" || rx == 0) ? "-" : sprintf("%.4f", (z[k] - a[k]) / rx)
		printf "RESULT %d %s %s %d %.0f %s %s %s %s\n", r, s, test, f, rx * 1e9 / ns,
			sent ? sprintf("%.0f", tx * 1e9 / ns) : "-", b, irq[1], irq[2] }'
}

# pktgen_start SIZE / pktgen_stop: the kernel's pktgen in src at full speed,
# UDP to the sink's address and MAC (the shape of pktgen_sample01_simple.sh).
pktgen_start() {
	local mac
	mac=$(ip netns exec sink cat /sys/class/net/eth0/address)
	pg src kpktgend_0 rem_device_all
	pg src kpktgend_0 "add_device eth0"
	pg src eth0 "count 0"
	pg src eth0 "delay 0"
	pg src eth0 "clone_skb 0"
	pg src eth0 "pkt_size $(($1 - 4))"
	pg src eth0 "dst 10.77.0.2"
	pg src eth0 "dst_mac $mac"
	pg src eth0 "udp_dst_min 9"
	pg src eth0 "udp_dst_max 9"
	ip netns exec src sh -c 'echo start >/proc/net/pktgen/pgctrl' &
	pg_pid=$!
}

pktgen_stop() {
	ip netns exec src sh -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pg_pid" 2>/dev/null || true
	pg src kpktgend_0 rem_device_all
}

# set_mtu SIZE: both netdevs' MTU for frames of SIZE bytes (1500 up to 1518).
set_mtu() {
	local mtu=1500
	[ "$1" -le 1518 ] || mtu=$(($1 - 18))
	ip -n src link set eth0 mtu "$mtu" 2>"$work/mtu.err" &&
		ip -n sink link set eth0 mtu "$mtu" 2>>"$work/mtu.err"
}

# measure_pktgen SYSTEM SIZE
measure_pktgen() {
	set_mtu "$2" || {
		echo "SKIP $1 pktgen $2 MTU $(($2 - 18)) refused: $(tr '\n' ' ' <"$work/mtu.err")"
		return 0
	}
	pktgen_start "$2"
	window "$1" pktgen "$2" 1
	pktgen_stop
	set_mtu 1518
}

# measure_gen SYSTEM ENGINE SIZE: the system's own generator into the sink.
measure_gen() {
	system_gen "$1" "$2" "$3" || return 0
	window "$1" "$2" "$3" 0
	system_gen "$1" "" "$3"
}

# measure_tcp SYSTEM STREAMS: iperf3, src to sink.
measure_tcp() {
	local c0 c1 out
	ip netns exec sink iperf3 -s -1 -D -B 10.77.0.2 --logfile "$work/iperf3-s.log"
	sleep 0.3
	c0=$(cpu_ticks)
	out=$(ip netns exec src iperf3 -c 10.77.0.2 -t "$whole" -O 1 -P "$2" -J 2>&1) || {
		echo "SKIP $1 tcp$2 - iperf3: $(echo "$out" | jq -r '.error // empty' 2>/dev/null | head -c 200)"
		pkill -f 'iperf3 -s' || true
		return 0
	}
	c1=$(cpu_ticks)
	echo "$out" | jq -r --arg r "$round" --arg s "$1" --arg n "$2" --arg b "$(busy "$c0" "$c1")" \
		'"TCP \($r) \($s) \($n) \(.end.sum_received.bits_per_second / 1e9 | . * 1000 | round / 1000) \(.end.sum_sent.retransmits) \($b)"'
}

# measure_rr SYSTEM: sockperf ping-pong latency, UDP, 64-byte messages.
measure_rr() {
	local out
	ip netns exec sink sockperf server -i 10.77.0.2 -p 11111 >"$work/sockperf-s.log" 2>&1 &
	local srv=$!
	sleep 0.5
	out=$(ip netns exec src sockperf ping-pong -i 10.77.0.2 -p 11111 -m 64 -t "$whole" 2>&1) || true
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	echo "$out" | awk -v r="$round" -v s="$1" '
		/avg-latency=|avg-rtt=/ { match($0, /avg-(latency|rtt)=[0-9.]+/); split(substr($0, RSTART, RLENGTH), a, "="); avg = a[2] }
		/percentile 50.000 =/ { p50 = $NF }
		/percentile 99.000 =/ { p99 = $NF }
		END { if (avg == "") { print "SKIP " s " rr - sockperf measured nothing"; exit }
			printf "RR %d %s %s %s %s\n", r, s, avg, p50, p99 }'
}

# The kprobes of the cost pass, counted in kprobe_profile (tracing itself off).
probes=(vduse_vq_irq_inject skb_recv_done skb_xmit_done vduse_vdpa_kick_vq
	vduse_domain_map_page vduse_domain_bounce.part.0)

probes_on() {
	local t=/sys/kernel/tracing p i=0
	mountpoint -q $t || mount -t tracefs tracefs $t
	echo 0 >$t/tracing_on
	for p in "${probes[@]}"; do
		echo "p:vnsbench/p$i $p" >>$t/kprobe_events
		i=$((i + 1))
	done
	echo 1 >$t/events/vnsbench/enable
}

probes_off() {
	local t=/sys/kernel/tracing
	echo 0 >$t/events/vnsbench/enable
	echo >$t/kprobe_events
}

# probe_hits: the hits of p0, p1, ..., in the order of probes, "h0 h1 ...".
probe_hits() {
	awk -v n="${#probes[@]}" '$1 ~ /^p[0-9]$/ { h[substr($1, 2)] = $2 }
		END { for (i = 0; i < n; i++) printf "%d ", h[i] }' /sys/kernel/tracing/kprobe_profile
}

# measure_cost SYSTEM SIZE
measure_cost() {
	local rx0 rx1 h0 h1
	pktgen_start "$2"
	sleep 1
	rx0=$(rx_count) h0=$(probe_hits)
	sleep "$seconds"
	rx1=$(rx_count) h1=$(probe_hits)
	pktgen_stop
	awk -v s="$1" -v f="$2" -v rx=$((rx1 - rx0)) -v h0="$h0" -v h1="$h1" 'BEGIN {
		n = split(h0, a, " "); split(h1, b, " "); if (rx == 0) rx = 1
		printf "COST %s %d", s, f
		for (i = 1; i <= n; i++) printf " %.4f", (b[i] - a[i]) / rx
		printf "\n" }'
}

# connect SYSTEM: start it and give the two netdevs their addresses.
connect() {
	system_start "$1"
	ip -n src addr add 10.77.0.1/24 dev eth0
	ip -n sink addr add 10.77.0.2/24 dev eth0
	ip -n src link set eth0 mtu 1500 up
	ip -n sink link set eth0 mtu 1500 up
	# The sink's MAC is learned (bridges) and its neighbour known.
	ip netns exec src ping -c 2 -i 0.2 -W 2 10.77.0.2 >/dev/null ||
		echo "guest: $1: no ping before the run" >&2
}

trap 'set +e; pkill -f "iperf3 -s"; system_stop_all; ip netns del src 2>/dev/null;
	ip netns del sink 2>/dev/null; echo 0 >/proc/sys/vm/nr_hugepages; rm -rf "$work"' EXIT
echo "guest: $(nproc) CPUs, kernel $(uname -r); figures under TCG emulation are not performance: compare ratios only"
for round in $(seq "$rounds"); do
	for system in "${systems[@]}"; do
		connect "$system"
		if has_test pktgen; then
			for size in "${sizes[@]}"; do
				measure_pktgen "$system" "$size"
			done
		fi
		if has_test gen && system_has_gen "$system"; then
			for engine in txonly flowgen; do
				for size in "${sizes[@]}"; do
					[ "$size" -gt 1518 ] || measure_gen "$system" "$engine" "$size"
				done
			done
		fi
		if has_test tcp; then
			measure_tcp "$system" 1
			measure_tcp "$system" 4
		fi
		if has_test rr; then
			measure_rr "$system"
		fi
		system_stop "$system"
	done
done
if has_test costs; then
	small=${sizes[0]} large=${sizes[0]}
	for size in "${sizes[@]}"; do
		[ "$size" -le 1518 ] || continue
		[ "$size" -ge "$small" ] || small=$size
		[ "$size" -le "$large" ] || large=$size
	done
	probes_on
	for system in "${systems[@]}"; do
		[ "$system" != veth ] || continue
		connect "$system"
		for size in $(printf '%s\n' "$small" "$large" | sort -un); do
			measure_cost "$system" "$size"
		done
		system_stop "$system"
	done
	probes_off
fi
