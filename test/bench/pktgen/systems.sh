# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The systems the pktgen benchmark compares, each connecting netdev eth0 of
# namespace "src" to eth0 of namespace "sink" (sourced by guest.sh, which
# sets sw_bin, ctl_bin, peers and work):
#
#   vduse-netsw         the switch, bridge engine, two VDUSE ports, one
#                       worker (lcore 1), bounce buffers in hugepages
#                       (VDUSE_IOTLB_REG_UMEM)
#   vduse-netsw-kpages  the same with the kernel's bounce pages (--no-hugepages)
#   vduse-netsw-io      the same as vduse-netsw with testpmd's io engine
#   veth                a veth pair: what a container gets without a switch
#   testpmd             DPDK 24.11's dpdk-testpmd, io engine, two net_vhost
#                       ports on VDUSE devices (its vhost library's VDUSE
#                       backend), one forwarding core (lcore 1)
#   ovs                 OVS-DPDK 3.5, a NORMAL bridge of two dpdkvhostuserclient
#                       ports on VDUSE devices, one PMD thread (lcore 1)
#
# The last two run from the Debian 13 chroot $peers (test/bench/setup-peers.sh),
# with /dev, /proc, /sys and fresh /run, /tmp mounted for them.
#
# system_start NAME, system_stop NAME; system_irqs NAME prints the
# interrupts the system has injected into the two drivers so far and the
# times it published used buffers without one (the drivers asked for none),
# or "- -";
# system_has_gen NAME: whether it has generators (txonly, flowgen);
# system_gen NAME ENGINE SIZE switches to ENGINE with frames of SIZE bytes
# (FCS included), system_gen NAME "" SIZE back to forwarding.

sys_pid=
sys_fwd=

sw_start() {
	"$sw_bin" --no-huge -m 512 --no-pci --no-shconf -l 0-1 --log-level='*:error' \
		--log-level='netsw.*:info' -- --control "$work/ctl.sock" "$@" \
		--vduse src0,netns=src,ifname=eth0 --vduse sink0,netns=sink,ifname=eth0 \
		>"$work/switch.log" 2>&1 &
	sys_pid=$!
	for _ in $(seq 150); do
		grep -q '^vduse-netsw: forwarding' "$work/switch.log" && return 0
		kill -0 "$sys_pid" 2>/dev/null || break
		sleep 0.2
	done
	cat "$work/switch.log" >&2
	echo "guest: the switch did not start" >&2
	exit 1
}

# in_peers COMMAND...: COMMAND inside the peers' chroot (read-only here) in
# a mount namespace of its own with what DPDK and OVS need.
in_peers() {
	unshare --mount --propagation private sh -c '
		r=$1; shift
		mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
		mount --rbind /sys "$r/sys" && mount -t tmpfs tmpfs "$r/run" &&
		mount -t tmpfs tmpfs "$r/tmp" && mount -t tmpfs tmpfs "$r/var/log" &&
		mount -t tmpfs tmpfs "$r/etc/openvswitch" && exec chroot "$r" "$@"' sh "$peers" "$@"
}

# attach NAME NETNS: what a VDUSE backend leaves to the user: the vdpa
# device, and its netdev moved to NETNS as eth0.
attach() {
	local name=$1 ns=$2 dev
	# EAL's start takes a while under emulation (about 20 s for testpmd).
	for _ in $(seq 1200); do
		[ -e "/dev/vduse/$name" ] && break
		kill -0 "$sys_pid" 2>/dev/null || { tail -n 20 "$work"/*.log >&2; echo "guest: the peer exited" >&2; exit 1; }
		sleep 0.1
	done
	[ -e "/dev/vduse/$name" ] || {
		tail -n 20 "$work"/*.log >&2
		echo "guest: no VDUSE device $name after 120 s" >&2
		exit 1
	}
	vdpa dev add name "$name" mgmtdev vduse
	for _ in $(seq 100); do
		dev=$(ls /sys/bus/vdpa/devices/"$name"/virtio*/net 2>/dev/null || true)
		[ -n "$dev" ] && break
		sleep 0.1
	done
	[ -n "$dev" ] || {
		tail -n 20 "$work"/*.log >&2
		ls -l /dev/vduse /sys/bus/vdpa/devices/"$name"/ >&2
		echo "guest: $name made no netdev" >&2
		exit 1
	}
	ip link set "$dev" netns "$ns" name eth0
}

peer_start() {
	[ -x "$peers/usr/bin/dpdk-testpmd" ] || {
		echo "guest: no peers' chroot at '$peers' (test/bench/setup-peers.sh)" >&2
		exit 1
	}
	case "$1" in
	testpmd)
		rm -f "$work/testpmd.in"
		mkfifo "$work/testpmd.in"
		in_peers dpdk-testpmd -l 0-1 --no-huge -m 512 --no-pci --log-level='*:error' \
			--vdev net_vhost0,iface=/dev/vduse/tp-src,queues=1 \
			--vdev net_vhost1,iface=/dev/vduse/tp-sink,queues=1 -- \
			-i --forward-mode=io --nb-cores=1 --total-num-mbufs=16383 --auto-start \
			<"$work/testpmd.in" >"$work/testpmd.log" 2>&1 &
		sys_pid=$!
		exec 9>"$work/testpmd.in" # its command line (-i): testpmd quits when it closes
		attach tp-src src
		attach tp-sink sink
		;;
	ovs)
		in_peers sh -c '
			set -e
			ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
			mkdir -p /run/openvswitch
			ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
				--pidfile --detach --log-file
			ovs-vsctl --no-wait init
			ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
				other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
				"other_config:dpdk-extra=--no-huge -m 512 --legacy-mem --no-pci --no-shconf --no-telemetry"
			ovs-vswitchd --pidfile --log-file &
			ovs-vsctl --timeout=60 add-br br0 -- set bridge br0 datapath_type=netdev
			for p in ovs-src ovs-sink; do
				ovs-vsctl --timeout=60 add-port br0 $p -- set Interface $p \
					type=dpdkvhostuserclient options:vhost-server-path=/dev/vduse/$p
			done
			exec sleep infinity' >"$work/ovs.log" 2>&1 &
		sys_pid=$!
		attach ovs-src src
		attach ovs-sink sink
		;;
	esac
}

system_start() {
	case "$1" in
	testpmd | ovs) peer_start "$1" ;;
	vduse-netsw) sys_fwd=bridge; sw_start --fwd bridge --hugepages ;;
	vduse-netsw-kpages) sys_fwd=bridge; sw_start --fwd bridge --no-hugepages ;;
	vduse-netsw-io) sys_fwd=io; sw_start --fwd io --hugepages ;;
	veth) ip link add eth0 netns src type veth peer name eth0 netns sink ;;
	*)
		echo "guest: unknown system $1" >&2
		exit 2
		;;
	esac
}

system_stop() {
	case "$1" in
	vduse-netsw*)
		kill -TERM "$sys_pid"
		wait "$sys_pid" || echo "guest: the switch exited with $?" >&2
		sys_pid=
		;;
	veth) ip -n src link del eth0 ;;
	testpmd | ovs)
		vdpa dev del "${1/testpmd/tp}-src"
		vdpa dev del "${1/testpmd/tp}-sink"
		[ "$1" = testpmd ] && exec 9>&-
		kill -TERM "$sys_pid" 2>/dev/null
		pkill -TERM -f ovs-vswitchd 2>/dev/null || true
		pkill -TERM -f ovsdb-server 2>/dev/null || true
		wait "$sys_pid" 2>/dev/null || true
		sys_pid=
		for _ in $(seq 300); do
			pgrep -f 'ovs-vswitchd|dpdk-testpmd' >/dev/null || break
			sleep 0.1
		done
		# DPDK 24.11 keeps a VDUSE device past its process for a later one
		# to reconnect to (OVS leaves them); the next start must not find it.
		destroy_vduse "${1/testpmd/tp}-src" "${1/testpmd/tp}-sink"
		;;
	esac
}

# destroy_vduse NAME...: VDUSE_DESTROY_DEV (linux/vduse.h: _IOW(0x81, 3,
# char[256])) for each device that is still there.
destroy_vduse() {
	python3 -c '
import fcntl, os, sys
fd = os.open("/dev/vduse/control", os.O_RDWR)
for name in sys.argv[1:]:
    if os.path.exists("/dev/vduse/" + name):
        fcntl.ioctl(fd, 0x41008103, name.encode().ljust(256, b"\0"))
' "$@"
}

system_stop_all() {
	[ -z "$sys_pid" ] || { kill -TERM "$sys_pid" 2>/dev/null; wait "$sys_pid" 2>/dev/null; }
	sys_pid=
}

system_has_gen() {
	case "$1" in
	vduse-netsw* | testpmd) return 0 ;;
	*) return 1 ;;
	esac
}

system_gen() {
	local engine=${2:-$sys_fwd}
	case "$1" in
	vduse-netsw*)
		"$ctl_bin" --socket "$work/ctl.sock" set txpkts $(($3 - 4)) >/dev/null &&
			"$ctl_bin" --socket "$work/ctl.sock" set fwd "$engine" >/dev/null
		;;
	testpmd)
		# testpmd reads its stdin (the FIFO) as its command line.
		printf 'stop\nset fwd %s\nset txpkts %d\nstart\n' "${2:-io}" $(($3 - 4)) >&9
		sleep 0.5
		;;
	*) return 1 ;;
	esac
}

system_irqs() {
	case "$1" in
	vduse-netsw*)
		"$ctl_bin" --socket "$work/ctl.sock" --json show port xstats all |
			jq -r '[.reply.ports[].xstats | [.rx_interrupts + .tx_interrupts,
				.rx_interrupts_suppressed + .tx_interrupts_suppressed]] |
				transpose | map(add) | "\(.[0]) \(.[1])"'
		;;
	*) echo - - ;;
	esac
}
