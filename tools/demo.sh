#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up, build and show vduse-netsw at work: three containers attached
# through its CNI plugin (tools/demo-containers.sh). On a kernel with VDUSE
# (upstream >= 6.10 with the vduse module, or this project's kmod loaded) it
# runs here; otherwise inside a guest running the upstream kernel's VDUSE
# (Debian 12 backports 6.12).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

"$repo/tools/setup.sh"
"$repo/tools/build.sh" "$repo/build"
modprobe -q vduse 2>/dev/null || true
if [ -e /dev/vduse/control ]; then
	exec "$repo/tools/demo-containers.sh"
fi
echo "demo: this kernel has no VDUSE (/dev/vduse/control): running it in a 6.12 guest"
exec "$repo/test/vm/run" --kernel 6.12 -- "$repo/tools/demo-containers.sh"
