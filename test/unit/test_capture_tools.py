#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""lib/capture's file as real tools read it.

test_capture --write FILE captures a sample through lib/capture (two named
ports, both directions, "udp port 5000", snaplen 80) and prints the frames
the file must hold: "iface direction length caplen hex". tcpdump must read
exactly those frames, every captured byte equal; tshark must see the
switch's port names as the interfaces, and the directions.
Usage: test_capture_tools.py TEST_CAPTURE_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

passes = failures = 0


def check(cond, what):
    global passes, failures
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passes += 1
    else:
        failures += 1


def tcpdump_frames(path):
    """(length, bytes) of each frame, from tcpdump -xx (every captured byte in hex)."""
    out = subprocess.run(["tcpdump", "-r", path, "-nn", "-e", "-xx"], check=True,
                         capture_output=True, text=True).stdout
    frames = []
    for line in out.splitlines():
        hexline = re.match(r"\s+0x[0-9a-f]+:\s+(.*)$", line)
        if hexline:
            frames[-1][1].append(hexline.group(1).replace(" ", ""))
        else:
            length = re.search(r"length (\d+):", line)
            frames.append((int(length.group(1)) if length else -1, []))
    return [(length, "".join(chunks)) for length, chunks in frames]


def tshark_frames(path):
    """(interface name, direction flags, length, caplen) of each frame."""
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-E", "separator=,",
                          "-e", "frame.interface_name", "-e", "frame.packet_flags_direction",
                          "-e", "frame.len", "-e", "frame.cap_len"],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(",")) for line in out.splitlines()]


def main():
    binary = sys.argv[1]
    for tool in ("tcpdump", "tshark"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: tools/setup.sh installs it", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sample.pcapng")
        sample = subprocess.run([binary, "--write", path], check=True, capture_output=True,
                                text=True).stdout
        expected = [line.split() for line in sample.splitlines()]
        check(len(expected) > 0, f"the sample holds {len(expected)} frames")

        seen = tcpdump_frames(path)
        check(len(seen) == len(expected),
              f"tcpdump reads {len(seen)} frames, {len(expected)} passed the filter")
        for i, ((length, data), (_, _, exp_len, exp_caplen, exp_hex)) in enumerate(
                zip(seen, expected)):
            check(length == int(exp_len), f"frame {i}: tcpdump length {length} == {exp_len}")
            check(data == exp_hex and len(data) == 2 * int(exp_caplen),
                  f"frame {i}: tcpdump's {len(data) // 2} bytes equal the frame's first "
                  f"{exp_caplen}")

        directions = {"in": "0x00000001", "out": "0x00000002"}
        shark = tshark_frames(path)
        check(len(shark) == len(expected), f"tshark reads {len(shark)} frames")
        for i, (got, (name, direction, exp_len, exp_caplen, _)) in enumerate(
                zip(shark, expected)):
            want = (name, directions[direction], exp_len, exp_caplen)
            check(got == want, f"frame {i}: tshark sees {got}, want {want}")

    print(f"{passes} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
