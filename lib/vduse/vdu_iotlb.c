/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's memory as the kernel's IOTLB describes it: each range found
 * with VDUSE_IOTLB_GET_FD is mmap()ed and entered in the region table the
 * workers translate through. Both change only while the queues are stopped.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vdu_priv.h"

int vdu_iotlb_add(struct vdu_dev *dev, uint64_t iova_start, uint64_t iova_last, void *host_addr,
		  uint32_t perm, void *mmap_addr, size_t mmap_len)
{
	int ret;

	if (dev->nmaps == VQ_MEM_MAX_REGIONS)
		ret = -ENOSPC;
	else
		ret = vq_mem_table_add(&dev->mem, iova_start, iova_last, host_addr, perm);
	if (ret < 0) {
		VDU_ERR(dev, "cannot enter IOVA range [%#llx, %#llx] in the region table: %s",
			(unsigned long long)iova_start, (unsigned long long)iova_last,
			strerror(-ret));
		return ret;
	}
	dev->maps[dev->nmaps++] = (struct vdu_map){
		.iova_start = iova_start,
		.iova_last = iova_last,
		.mmap_addr = mmap_addr,
		.mmap_len = mmap_len,
	};
	return 0;
}

void vdu_iotlb_drop(struct vdu_dev *dev, uint64_t iova_start, uint64_t iova_last)
{
	unsigned int i = 0;

	vq_mem_table_remove(&dev->mem, iova_start, iova_last);
	while (i < dev->nmaps) {
		struct vdu_map *m = &dev->maps[i];

		if (m->iova_last < iova_start || m->iova_start > iova_last) {
			i++;
			continue;
		}
		if (m->mmap_addr != NULL)
			munmap(m->mmap_addr, m->mmap_len);
		*m = dev->maps[--dev->nmaps];
	}
}

int vdu_iotlb_mmap(struct vdu_dev *dev, int fd, uint64_t offset, uint64_t iova_start,
		   uint64_t iova_last, uint8_t perm)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t delta = offset % page;
	uint64_t len = iova_last - iova_start + 1 + delta;
	uint32_t mem_perm = VQ_MEM_READ;
	int prot = PROT_READ;
	uint8_t *addr;
	int ret;

	/* A shared mapping needs read access: write-only memory cannot be reached. */
	if (perm == VDUSE_ACCESS_WO) {
		VDU_WARN(dev, "IOVA range [%#llx, %#llx] is write-only and left unmapped",
			 (unsigned long long)iova_start, (unsigned long long)iova_last);
		return 0;
	}
	if (perm == VDUSE_ACCESS_RW) {
		prot |= PROT_WRITE;
		mem_perm |= VQ_MEM_WRITE;
	}
	if (iova_last - iova_start >= SIZE_MAX / 2)
		return -E2BIG;
	addr = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)(offset - delta));
	if (addr == MAP_FAILED) {
		ret = -errno;
		VDU_ERR(dev, "cannot mmap IOVA range [%#llx, %#llx]: %s",
			(unsigned long long)iova_start, (unsigned long long)iova_last,
			strerror(-ret));
		return ret;
	}
	ret = vdu_iotlb_add(dev, iova_start, iova_last, addr + delta, mem_perm, addr, len);
	if (ret < 0)
		munmap(addr, len);
	return ret;
}

static bool covered(const struct vdu_dev *dev, uint64_t iova_start, uint64_t iova_last)
{
	unsigned int i;

	for (i = 0; i < dev->nmaps; i++)
		if (dev->maps[i].iova_start <= iova_start && iova_last <= dev->maps[i].iova_last)
			return true;
	return false;
}

int vdu_iotlb_map_all(struct vdu_dev *dev)
{
	uint64_t next = 0;
	int fd, ret = 0;

	/* GET_FD returns the first range overlapping [next, ~0]: walk them all. */
	for (;;) {
		struct vduse_iotlb_entry e = {.start = next, .last = UINT64_MAX};

		fd = ioctl(dev->dev_fd, VDUSE_IOTLB_GET_FD, &e);
		if (fd < 0 && errno == EINVAL)
			break; /* no range at or above next */
		if (fd < 0) {
			ret = -errno;
			VDU_ERR(dev, "VDUSE_IOTLB_GET_FD failed: %s", strerror(-ret));
			return ret;
		}
		if (!covered(dev, e.start, e.last)) {
			VDU_DBG(dev, "mapping IOVA [%#llx, %#llx] perm %u",
				(unsigned long long)e.start, (unsigned long long)e.last, e.perm);
			ret = vdu_iotlb_mmap(dev, fd, e.offset, e.start, e.last, e.perm);
		}
		close(fd);
		if (ret < 0 || e.last == UINT64_MAX)
			return ret;
		next = e.last + 1;
	}
	return 0;
}
