#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up, build and run every test suite: unit tests on the host, then the
# guest tests on both Debian kernels. Extra arguments go to `meson test`
# (e.g. --suite unit). Ends with "N passed, N failed, N skipped".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILD_DIR:-$repo/build}

"$repo/tools/setup.sh"
"$repo/tools/build.sh"

status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?

python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
        elif result == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
print("{passed} passed, {failed} failed, {skipped} skipped".format(**counts))
PY
exit "$status"
