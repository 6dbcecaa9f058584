#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The bounce buffer moves to hugepages (VDUSE_IOTLB_REG_UMEM) once the driver
# maps its first buffer, and the data path then reads the driver's frames from
# that memory; without hugepages the kernel's pages are used and logged so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

free_hugepages() {
	awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo
}

# Without reserved hugepages: the fallback, named in the log.
echo 0 >/proc/sys/vm/nr_hugepages
start_probe nohuge --name vduhuge0 --mac 02:5e:00:00:00:02 --hugepages
netdev=$(awk '$1 == "netdev" { print $2 }' "$workdir/nohuge.out")
check_buffers "$workdir/nohuge.out" "$netdev" 02:5e:00:00:00:02
grep -q 'bounce buffer: 64 MiB of kernel pages (hugepages failed)' "$workdir/nohuge.err" ||
	fail "the fallback to kernel pages was not logged"
ok "no hugepages: kernel bounce pages, logged"
stop_probe

# With 64 MiB of 2 MiB hugepages reserved.
echo 32 >/proc/sys/vm/nr_hugepages
[ "$(free_hugepages)" -eq 32 ] || fail "cannot reserve 32 hugepages"
start_probe huge --name vduhuge1 --mac 02:5e:00:00:00:03 --hugepages --numa 0
netdev=$(awk '$1 == "netdev" { print $2 }' "$workdir/huge.out")
grep -q 'kernel pages until the driver.s first buffer, then hugepages' "$workdir/huge.err" ||
	fail "hugepages were not planned for"
check_buffers "$workdir/huge.out" "$netdev" 02:5e:00:00:00:03
grep -q 'bounce buffer: 64 MiB of hugepages on node 0 (VDUSE_IOTLB_REG_UMEM)' "$workdir/huge.err" ||
	fail "the bounce buffer did not move to hugepages"
[ "$(free_hugepages)" -eq 0 ] || fail "$(free_hugepages) hugepages still free: the buffer is elsewhere"
[ "$(grep -c '^queue 0 started' "$workdir/huge.out")" -eq 2 ] ||
	fail "the queues were not restarted on the new memory"
ok "bounce buffer on hugepages, queues restarted, frames read from it"
stop_probe
[ "$(free_hugepages)" -eq 32 ] || fail "hugepages not released after destroy"
ok "hugepages released"
echo 0 >/proc/sys/vm/nr_hugepages
