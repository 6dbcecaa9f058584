#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Two network namespaces joined by a veth pair reach each other: the guest's
# netns, veth (loaded by the kernel's own request_module) and ICMP all work.
set -euo pipefail

ip netns add left
ip netns add right
ip link add veth-l type veth peer name veth-r
ip link set veth-l netns left
ip link set veth-r netns right
ip -n left addr add 10.77.0.1/24 dev veth-l
ip -n right addr add 10.77.0.2/24 dev veth-r
ip -n left link set veth-l up
ip -n right link set veth-r up

ip netns exec left ping -c 3 -i 0.2 -W 2 10.77.0.2
ip netns exec right ping -c 3 -i 0.2 -W 2 10.77.0.1
echo "ok: namespaces ping both ways"
