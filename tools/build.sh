#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure (once) and build the tree in $BUILD_DIR (default: build/).
# Under CI warnings are errors.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILD_DIR:-$repo/build}

if [ ! -f "$builddir/build.ninja" ]; then
	opts=()
	[ "${CI:-}" = true ] && opts+=(--werror)
	meson setup "${opts[@]}" "$builddir" "$repo"
fi
ninja -C "$builddir"
