# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the guest scripts of this folder; sourced, not run.
# Each script is called with the path of the built vdu-probe as $1.

probe=${1:?usage: $0 PATH-TO-vdu-probe}
workdir=$(mktemp -d /tmp/vdu-test.XXXXXX)
probe_pid=
[ -x "$probe" ] || { echo "FAIL: $probe is not an executable"; exit 1; }

fail() {
	echo "FAIL: $*"
	for f in "$workdir"/*.out "$workdir"/*.err; do
		[ -s "$f" ] && { echo "--- $f"; cat "$f"; }
	done
	[ -n "$probe_pid" ] && kill -TERM "$probe_pid" 2>/dev/null
	exit 1
}

ok() {
	echo "ok: $*"
}

# wait_for FILE PATTERN [SECONDS]: until an extended regex matches a line of FILE.
wait_for() {
	local file=$1 pattern=$2 i
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_probe TAG ARGS...: run vdu-probe in the background, output in $workdir/TAG.{out,err}.
start_probe() {
	local tag=$1
	shift
	"$probe" "$@" >"$workdir/$tag.out" 2>"$workdir/$tag.err" &
	probe_pid=$!
	wait_for "$workdir/$tag.out" '^(ready|create failed|attach failed)' 60 ||
		fail "$tag: vdu-probe did not finish attaching"
	grep -q '^ready' "$workdir/$tag.out" || fail "$tag: vdu-probe failed to start"
}

# stop_probe: SIGTERM, and the probe must exit 0 after destroying the device.
stop_probe() {
	local rc=0
	kill -TERM "$probe_pid"
	wait "$probe_pid" || rc=$?
	probe_pid=
	[ "$rc" -eq 0 ] || fail "vdu-probe exited with $rc after SIGTERM"
}

# link_has IFNAME FLAG [SECONDS]: until `ip link show` lists FLAG among the flags.
link_has() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		ip link show dev "$1" | head -n1 | grep -q "[<,]$2[,>]" && return 0
		sleep 0.1
	done
	return 1
}

# check_buffers OUT NETDEV MAC: bring NETDEV up and make it send one ARP
# (once per probe: the probe's report is looked for in all of OUT)
# request; the probe (writing to OUT) must then see, through its own mapping of
# the driver's memory, receive buffers posted on queue 0 and that very frame
# (after the 12-byte virtio-net header) as the newest buffer of queue 1.
check_buffers() {
	local out=$1 netdev=$2 mac=$3 hex
	sysctl -qw "net.ipv6.conf.$netdev.disable_ipv6=1" # no IPv6 frames to race with
	ip link set dev "$netdev" up || fail "ip link set dev $netdev up failed"
	link_has "$netdev" LOWER_UP || fail "$netdev has no carrier though the link is up"
	ok "$netdev up with carrier"
	ip addr add 10.78.0.1/24 dev "$netdev"
	ping -c 1 -W 1 10.78.0.2 >/dev/null 2>&1 || true # nobody answers: one ARP request

	kill -HUP "$probe_pid"
	wait_for "$out" '^queue 1: (buffer|stopped)' || fail "probe did not report its queues"
	grep -Eq '^queue 0: avail_idx [1-9][0-9]* ' "$out" || fail "RX avail idx did not move"
	grep -Eq '^queue 0: buffer iova 0x[0-9a-f]+ len [1-9][0-9]* readable' "$out" ||
		fail "the newest receive buffer is not readable"
	ok "receive buffers posted and readable"
	hex=$(echo "$mac" | tr ':' ' ')
	grep -Eq "^queue 1: buffer iova 0x[0-9a-f]+ len [0-9]+ readable data( [0-9a-f]{2}){12} ff ff ff ff ff ff $hex 08 06" "$out" ||
		fail "the newest transmit buffer is not the ARP request from $mac"
	ok "transmitted ARP request read from the driver's buffer"
}
