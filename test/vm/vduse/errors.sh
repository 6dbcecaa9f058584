#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What a user gets wrong, lib/vduse names with its fix: a taken name, a
# missing CAP_NET_ADMIN, the vduse module or the vdpa driver not loaded. After
# each failure nothing is left behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# run_fails TAG EXPECTED-MESSAGE COMMAND...: COMMAND must fail and say so.
run_fails() {
	local tag=$1 msg=$2 rc=0
	shift 2
	"$@" >"$workdir/$tag.out" 2>"$workdir/$tag.err" || rc=$?
	[ "$rc" -ne 0 ] || fail "$tag: succeeded"
	grep -qF -- "$msg" "$workdir/$tag.err" || fail "$tag: no message \"$msg\""
	ok "$tag: \"$(grep -F -- "$msg" "$workdir/$tag.err" | head -n1)\""
}

start_probe first --name vduerr0 --mac 02:5e:00:00:00:10
run_fails duplicate "a VDUSE device of this name already exists" \
	"$probe" --name vduerr0 --mac 02:5e:00:00:00:11
[ "$(vdpa dev show | grep -c '^vduerr0:')" -eq 1 ] || fail "the first device was disturbed"
stop_probe

run_fails no-cap-net-admin "needs CAP_NET_ADMIN" \
	setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
	"$probe" --name vduerr1 --mac 02:5e:00:00:00:12
[ ! -e /dev/vduse/vduerr1 ] || fail "no-cap-net-admin: /dev/vduse/vduerr1 left behind"

modprobe -r virtio_vdpa || fail "cannot unload virtio_vdpa"
run_fails no-virtio-vdpa "vdpa driver virtio_vdpa is not loaded: modprobe virtio_vdpa" \
	"$probe" --name vduerr2 --mac 02:5e:00:00:00:13
[ ! -e /dev/vduse/vduerr2 ] || fail "no-virtio-vdpa: /dev/vduse/vduerr2 left behind"
[ -z "$(vdpa dev show)" ] || fail "no-virtio-vdpa: vdpa devices remain: $(vdpa dev show)"
modprobe virtio_vdpa

modprobe -r vduse || fail "cannot unload vduse"
run_fails no-vduse "load the vduse module (modprobe vduse) or this project's kmod" \
	"$probe" --name vduerr3 --mac 02:5e:00:00:00:14
modprobe vduse

run_fails bad-feature "feature HOST_TSO4 needs CSUM" \
	"$probe" --name vduerr4 --mac 02:5e:00:00:00:15 --features 0x800
run_fails ctrl-vq "cannot be offered" \
	"$probe" --name vduerr5 --mac 02:5e:00:00:00:16 --features 0x20000
[ -z "$(ls /dev/vduse | grep -v '^control$')" ] || fail "devices left in /dev/vduse: $(ls /dev/vduse)"
ok "nothing left behind"
