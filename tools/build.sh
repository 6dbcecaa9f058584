#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure (once) and build a tree: tools/build.sh [BUILD_DIR [MESON_OPTIONS...]]
# BUILD_DIR defaults to build/. Under CI warnings are errors.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$repo/build}
shift || true

if [ ! -f "$builddir/build.ninja" ]; then
	opts=()
	[ "${CI:-}" = true ] && opts+=(--werror)
	meson setup "${opts[@]}" "$@" "$builddir" "$repo"
fi
ninja -C "$builddir"
