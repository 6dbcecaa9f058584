#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build vduse.ko out of the source tree, for meson:
#   kbuild.sh KDIR OUTPUT.ko SOURCE...
# copies the sources next to OUTPUT (in a kbuild/ folder), runs kbuild there
# and copies the module to OUTPUT.
set -eu
kdir=$1
out=$2
shift 2
dir=$(dirname "$out")/kbuild
mkdir -p "$dir"
for f in "$@"; do
	cmp -s "$f" "$dir/$(basename "$f")" || cp "$f" "$dir/"
done
dir=$(cd "$dir" && pwd)
make -s -C "$kdir" M="$dir" modules 2>&1 | grep -v '^Skipping BTF generation' || true
test -f "$dir/vduse.ko"
[ "$dir/vduse.ko" -ot "$out" ] 2>/dev/null || cp "$dir/vduse.ko" "$out"
