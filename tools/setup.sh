#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install everything vduse-netsw needs to build and test on Debian 12.
# Idempotent: when every package is present it only checks and returns.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "setup: run as root (apt-get, kernel images)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive

packages=(
	build-essential pkg-config meson ninja-build clang llvm lld
	libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev libcmocka-dev libjansson-dev
	libclang-rt-14-dev
	qemu-system-x86 busybox-static cpio kmod iproute2 procps
	linux-image-amd64 linux-headers-amd64
	iperf3 sockperf socat tcpdump tshark ethtool valgrind iputils-ping xz-utils
	clang-format python3
	openvswitch-switch-dpdk
	containernetworking-plugins podman jq util-linux gnuplot-nox
)

sources_dir=/etc/apt/sources.list.d
backports=$sources_dir/vduse-netsw-backports.sources

# Add bookworm-backports reusing the URI and keyring of the main Debian entry,
# so no registry host is written anywhere but the machine's own apt config.
add_backports() {
	local src uri key
	[ -f "$backports" ] && return 1
	if grep -rqs 'bookworm-backports' "$sources_dir" /etc/apt/sources.list 2>/dev/null; then
		return 1
	fi
	src=$sources_dir/debian.sources
	[ -f "$src" ] || { echo "setup: $src not found; add bookworm-backports by hand" >&2; exit 1; }
	# First stanza whose suites include plain "bookworm".
	read -r uri key < <(awk '
		/^URIs:/ { u = $2 } /^Signed-By:/ { k = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") hit = 1 }
		/^$/ { if (hit && u) { print u, k; exit } hit = 0; u = ""; k = "" }
		END { if (hit && u) print u, k }' "$src")
	[ -n "$uri" ] || { echo "setup: no bookworm entry in $src" >&2; exit 1; }
	{
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: bookworm-backports"
		echo "Components: main"
		[ -n "$key" ] && echo "Signed-By: $key"
	} >"$backports"
	return 0
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
kernel612=$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | head -n1 || true)

updated=0
if add_backports || [ ${#missing[@]} -gt 0 ] || [ -z "$kernel612" ]; then
	apt-get update -qq
	updated=1
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -z "$kernel612" ]; then
	pkg=$(apt-cache search --names-only '^linux-image-6\.12\..*\+deb12-amd64-unsigned$' |
		awk '{print $1}' | sort -V | tail -n1)
	[ -n "$pkg" ] || { echo "setup: no 6.12 kernel in bookworm-backports" >&2; exit 1; }
	echo "setup: installing $pkg"
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "$pkg" >/dev/null
fi
[ $updated -eq 1 ] || echo "setup: all packages present"
