#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""used-no-irq.py DEVICE QUEUE

Leaves the VDUSE device DEVICE, which no process serves (its switch was
killed), as a device process dying at the worst moment would: the next
available buffer of the split queue QUEUE is returned used, holding an empty
frame, and the driver is not interrupted. The driver must be idle and waiting
for an interrupt at the current used index (VIRTIO_RING_F_EVENT_IDX), so that
the published entry passes its used_event. Prints the indexes; exit 1 with
the reason when the device is not in that state.

The layouts are those of linux/vduse.h and the split virtqueue of the virtio
specification (2.7: avail ring, then used_event; used ring of 8-byte entries).
"""
import fcntl
import mmap
import os
import struct
import sys

VDUSE_BASE = 0x81


def iowr(nr, size):
    return (3 << 30) | (size << 16) | (VDUSE_BASE << 8) | nr


VQ_INFO = struct.Struct("<IIQQQ8sB7x")  # struct vduse_vq_info
IOTLB_ENTRY = struct.Struct("<QQQB7x")  # struct vduse_iotlb_entry
VDUSE_IOTLB_GET_FD = iowr(0x10, IOTLB_ENTRY.size)
VDUSE_VQ_GET_INFO = iowr(0x15, VQ_INFO.size)


class Iova:
    """Maps the IOVA regions of a VDUSE device file on demand."""

    def __init__(self, dev_fd):
        self.dev_fd = dev_fd
        self.regions = []

    def view(self, iova, length):
        for start, last, mem in self.regions:
            if start <= iova and iova + length - 1 <= last:
                return memoryview(mem)[iova - start:iova - start + length]
        buf = bytearray(IOTLB_ENTRY.pack(0, iova, iova + length - 1, 0))
        fd = fcntl.ioctl(self.dev_fd, VDUSE_IOTLB_GET_FD, buf)
        offset, start, last, _ = IOTLB_ENTRY.unpack(buf)
        if not (start <= iova and iova + length - 1 <= last):
            sys.exit(f"IOVA region [{start:#x}, {last:#x}] misses {iova:#x}+{length}")
        mem = mmap.mmap(fd, last - start + 1, mmap.MAP_SHARED,
                        mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
        os.close(fd)
        self.regions.append((start, last, mem))
        return self.view(iova, length)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[0])
    name, qid = sys.argv[1], int(sys.argv[2])
    try:
        dev_fd = os.open(f"/dev/vduse/{name}", os.O_RDWR)
    except OSError as e:
        sys.exit(f"/dev/vduse/{name}: {e.strerror} (is a switch still serving it?)")
    buf = bytearray(VQ_INFO.pack(qid, 0, 0, 0, 0, b"", 0))
    fcntl.ioctl(dev_fd, VDUSE_VQ_GET_INFO, buf)
    _, num, _, driver, device, _, ready = VQ_INFO.unpack(buf)
    if not ready:
        sys.exit(f"queue {qid} of {name} is not ready")
    mem = Iova(dev_fd)
    avail = mem.view(driver, 4 + 2 * num + 2)
    used = mem.view(device, 4 + 8 * num + 2)
    avail_idx, = struct.unpack_from("<H", avail, 2)
    used_event, = struct.unpack_from("<H", avail, 4 + 2 * num)
    used_idx, = struct.unpack_from("<H", used, 2)
    if avail_idx == used_idx:
        sys.exit(f"queue {qid}: no available buffer (avail idx {avail_idx})")
    if used_event != used_idx:
        sys.exit(f"queue {qid}: the driver waits at used_event {used_event}, "
                 f"not at used idx {used_idx}: it is not idle")
    head, = struct.unpack_from("<H", avail, 4 + 2 * (used_idx % num))
    # The entry (id, len 0), then the index that publishes it.
    struct.pack_into("<II", used, 4 + 8 * (used_idx % num), head, 0)
    struct.pack_into("<H", used, 2, (used_idx + 1) & 0xffff)
    print(f"queue {qid}: buffer {head} used without an interrupt: used idx "
          f"{used_idx} -> {(used_idx + 1) & 0xffff}, driver waits at used_event {used_event}")


if __name__ == "__main__":
    main()
