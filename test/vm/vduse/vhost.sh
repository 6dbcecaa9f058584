#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A device bound to vhost_vdpa, driven by vhost-client as a VM would drive it:
# the client's memory reaches lib/vduse through UPDATE_IOTLB and
# VDUSE_IOTLB_GET_FD, the rings the client placed there start, a region added
# while running stops, remaps and restarts the queues where they stopped (not
# at the kernel's initial index), GET_VQ_STATE is answered, and interrupts
# reach the client's call eventfds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
client=${2:?usage: $0 PATH-TO-vdu-probe PATH-TO-vhost-client}

# count_at_least FILE PATTERN N: until N lines of FILE match PATTERN.
count_at_least() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -Ec -- "$2" "$1" || true)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

modprobe vhost_vdpa || fail "modprobe vhost_vdpa failed"
name=vduvh0
start_probe vh --name "$name" --mac 02:5e:00:00:00:20 --vhost --consume
out=$workdir/vh.out
err=$workdir/vh.err
chardev=$(basename "$(ls -d /sys/bus/vdpa/devices/$name/vhost-vdpa-*)")
[ -c "/dev/$chardev" ] || fail "no /dev/$chardev"

"$client" "/dev/$chardev" >"$workdir/client.out" 2>&1 &
client_pid=$!
wait_for "$workdir/client.out" '^(running|error)' || fail "vhost-client did not start"
grep -q '^running' "$workdir/client.out" || fail "vhost-client failed"
wait_for "$out" '^queue 1 started' || fail "queues not started for the vhost client"
grep -Eq '^queue 0 started: size 16 desc 0x10000000 avail 0x10001000 used 0x10002000 ' "$out" ||
	fail "queue 0 not at the client's addresses"
grep -Eq '^queue 1 started: size 16 desc 0x10004000 avail 0x10005000 used 0x10006000 ' "$out" ||
	fail "queue 1 not at the client's addresses"
grep -q 'IOTLB update \[0, 0xffffffffffffffff\]' "$err" || fail "no UPDATE_IOTLB request seen"
ok "client memory mapped through UPDATE_IOTLB, queues started on its rings"

# "vhost-client buffer in region A/B" in hex, up to "region ".
text="76 68 6f 73 74 2d 63 6c 69 65 6e 74 20 62 75 66 66 65 72 20 69 6e 20 72 65 67 69 6f 6e 20"
kill -HUP "$probe_pid"
count_at_least "$out" '^queue 1: notify' 1 || fail "probe did not report its queues"
grep -q "^queue 1: buffer iova 0x10020000 len 32 readable data $text 41" "$out" ||
	fail "the client's transmit buffer in region A is not read right"
grep -q '^queue 1: notify Success' "$out" || fail "interrupt injection failed"
grep -q '^queue 1: consumed up to 1' "$out" || fail "probe did not take the transmit buffer"
ok "transmit buffer read from region A, interrupts injected"

kill -USR1 "$client_pid"
wait_for "$workdir/client.out" '^region B mapped' || fail "vhost-client did not map region B"
count_at_least "$out" '^queue 1 started' 2 || fail "queues not restarted after the IOTLB update"
grep -q '^queue 1 stopped' "$out" || fail "queues not stopped for the IOTLB update"
# The kernel still says 0 (the client's vring base): a restart inside one
# DRIVER_OK session must resume where the queue stopped.
[ "$(grep '^queue 1 started' "$out" | tail -n1 | sed 's/.* last_avail //')" = 1 ] ||
	fail "queue 1 restarted at $(grep '^queue 1 started' "$out" | tail -n1 | sed 's/.* last_avail //'), not at 1 where it stopped"
grep -q 'queue 1 resumed: .* avail idx 1$' "$err" || fail "lib/vduse did not log the resume"
kill -HUP "$probe_pid"
count_at_least "$out" '^queue 1: notify' 2 || fail "probe did not report its queues"
grep -q "^queue 1: buffer iova 0x20000000 len 32 readable data $text 42" "$out" ||
	fail "the buffer in the region added while running is not read right"
ok "region added while running: queues stopped, remapped, restarted"

kill -TERM "$client_pid"
wait "$client_pid" || fail "vhost-client failed: $(cat "$workdir/client.out")"
grep -q '^queue 0: vring base 0, interrupts received' "$workdir/client.out" ||
	fail "queue 0: wrong vring base or no interrupt"
# The position saved when the queues last stopped (lib/vduse answers
# GET_VQ_STATE from there; a running queue is not sampled).
grep -q '^queue 1: vring base 1, interrupts received' "$workdir/client.out" ||
	fail "queue 1: wrong vring base or no interrupt"
ok "GET_VQ_STATE answered, interrupts reached the client"
wait_for "$err" 'status 0x0f -> 0x00' || fail "no reset when the client closed"
stop_probe
[ -z "$(vdpa dev show)" ] || fail "vdpa devices remain: $(vdpa dev show)"
ok "vhost device destroyed"
