#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up, build and show vduse-netsw at work inside a guest running the
# upstream kernel's VDUSE (Debian 12 backports 6.12).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

"$repo/tools/setup.sh"
"$repo/tools/build.sh" "$repo/build"
exec "$repo/test/vm/run" --kernel 6.12 -- "$repo/tools/demo-guest.sh"
