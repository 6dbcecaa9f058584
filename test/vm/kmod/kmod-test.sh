#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run one part of the VDUSE test program in a guest, then check the kernel
# log:
#   kmod-test.sh VDUSE-KMOD-TEST basic|badargs|kill|ping|killfeat|killreset|cycles|rtnl
# On 6.1, kmod/'s vduse.ko must be inserted (VM_KMOD); it is unloaded at the
# end, which must work. On a kernel with vDPA (6.12) the same part runs
# against the upstream VDUSE, as a reference for kmod/'s behaviour.
set -uo pipefail
bin=$1
part=$2

if [ -e /sys/module/vdpa ]; then
	kmod=
	echo "kernel $(uname -r): upstream VDUSE"
elif [ -e /sys/module/vduse ]; then
	kmod=yes
	echo "kernel $(uname -r): kmod/ vduse.ko"
else
	echo "SKIP: no VDUSE in this kernel (set VM_KMOD to kmod/'s vduse.ko)" >&2
	exit 77
fi

rc=0
"$bin" "$part" || rc=$?

if [ $rc -eq 0 ] && [ -n "$kmod" ]; then
	if rmmod vduse; then
		echo "ok: rmmod vduse"
	else
		echo "FAIL: rmmod vduse" >&2
		rc=1
	fi
fi

if dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace|blocked for more than|general protection'; then
	echo "FAIL: the kernel log has the lines above" >&2
	rc=1
fi
exit $rc
