#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up, build and run every test: the unit tests and a libFuzzer run under
# AddressSanitizer and UBSan (clang build in build-san/), then the unit and
# guest tests on both Debian kernels (gcc build in build/). Extra arguments
# go to `meson test` of build/ (e.g. --suite vm-6.12). Ends with
# "N passed, N failed, N skipped".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
build_san=$repo/build-san

"$repo/tools/setup.sh"
"$repo/tools/build.sh" "$build"
# -fsanitize=fuzzer-no-link: libFuzzer coverage in the libraries, not only the targets.
CC=clang "$repo/tools/build.sh" "$build_san" -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fsanitize=fuzzer-no-link -Dfuzz=enabled -Dvm_tests=disabled

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
meson test -C "$build_san" --print-errorlogs --suite unit --suite fuzz || status=1
meson test -C "$build" --print-errorlogs "$@" || status=1

python3 - "$build_san/meson-logs/testlog.json" "$build/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    with open(path) as log:
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
