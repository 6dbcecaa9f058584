#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make, once, the Debian 13 chroot that holds the peers of the pktgen
# benchmark: DPDK 24.11's dpdk-testpmd (its vhost library serves VDUSE
# devices; Debian 12's 22.11 does not) and OVS-DPDK 3.5. Debian's own
# packages, from the mirror this machine's apt already uses; nothing built.
# The 6.12 guest enters it (the host's root is the guest's). Cached: a
# second run only checks.
#
#   test/bench/setup-peers.sh [DIR]     (default .cache/bench/trixie)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
root=${1:-$repo/.cache/bench/trixie}

if [ -x "$root/usr/bin/dpdk-testpmd" ] && [ -x "$root/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk" ]; then
	echo "setup-peers: $root is ready"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "setup-peers: run as root (debootstrap)" >&2; exit 1; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
src=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ { print $2; exit }' "$src" 2>/dev/null || true)
[ -n "$uri" ] || { echo "setup-peers: no URIs: in $src; cannot find the Debian mirror" >&2; exit 1; }
rm -rf "$root.new"
mkdir -p "$(dirname "$root")"
# minbase: the packages and what they depend on, no more.
debootstrap --variant=minbase \
	--include=dpdk-dev,librte-net-vhost25,openvswitch-switch-dpdk,iproute2,procps \
	trixie "$root.new" "$uri"
# The package's alternative picks the DPDK build of ovs-vswitchd.
chroot "$root.new" update-alternatives --set ovs-vswitchd \
	/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
rm -rf "$root.new/var/cache/apt/archives"/*.deb
mv "$root.new" "$root"
echo "setup-peers: $root: DPDK $(chroot "$root" dpkg-query -W -f='${Version}' dpdk-dev)," \
	"$(chroot "$root" ovs-vswitchd --version | head -n1)"
