#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo, inside the guest: the kernel's VDUSE management device and two
# network namespaces that will be joined by the switch.
set -euo pipefail
echo "== vdpa management devices (the VDUSE ports' parent)"
vdpa mgmtdev show
echo "== two namespaces joined by a veth pair"
"$(dirname "$0")/../test/vm/guest/netns-ping.sh"
