#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The upstream kernel's VDUSE is registered as a vdpa management device that
# can create virtio-net devices.
set -euo pipefail

out=$(vdpa -j mgmtdev show)
echo "$out"
python3 - "$out" <<'PY'
import json, sys
devs = json.loads(sys.argv[1])["mgmtdev"]
assert "vduse" in devs, f"no vduse management device in {sorted(devs)}"
classes = devs["vduse"]["supported_classes"]
assert "net" in classes, f"vduse lacks class net: {classes}"
print("ok: vduse supports", " ".join(classes))
PY
