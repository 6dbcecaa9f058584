/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bounce buffer of the kernel's IOVA domain, IOVA [0, bounce size - 1],
 * where the buffers of a kernel virtio driver (through virtio_vdpa) are
 * copied. It is backed either by the caller's hugepages
 * (VDUSE_IOTLB_REG_UMEM) or by kernel pages mapped here.
 *
 * The kernel enters the bounce range in its IOTLB only at the driver's first
 * buffer mapping, usually after DRIVER_OK, and accepts REG_UMEM only then. So
 * at DRIVER_OK the kernel pages are mapped at once, and when hugepages are
 * wanted the kick eventfds are watched: the first kick follows the first
 * mapping, and the queues are then stopped, moved to hugepages and restarted.
 */
#include <errno.h>
#include <string.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include "vdu_priv.h"

/* Used by the kernel when the device does not say (VDUSE_BOUNCE_SIZE). */
#define VDU_DEFAULT_BOUNCE_SIZE (64ULL << 20)

/* Size of the bounce range; @p present tells whether the kernel has entered it yet. */
static uint64_t bounce_size(const struct vdu_dev *dev, bool *present)
{
	struct vduse_iova_info info = {.start = 0, .last = 0};
	uint64_t size;

	*present = ioctl(dev->dev_fd, VDUSE_IOTLB_GET_INFO, &info) == 0 && info.start == 0 &&
		   (info.capability & VDUSE_IOVA_CAP_UMEM);
	if (*present)
		return info.last + 1;
	if (vdu_sysfs_bounce_size(dev->name, &size) == 0)
		return size;
	return VDU_DEFAULT_BOUNCE_SIZE;
}

/*
 * Every range of the bounce domain is a window on one file whose offset is
 * the IOVA, so any range's fd (here the rings') reaches the bounce pages too,
 * even before the kernel lists them.
 */
static int map_kernel_pages(struct vdu_dev *dev, uint64_t size)
{
	struct vduse_iotlb_entry e = {.start = size, .last = UINT64_MAX};
	int fd = ioctl(dev->dev_fd, VDUSE_IOTLB_GET_FD, &e);
	int ret;

	if (fd < 0) {
		ret = -errno;
		VDU_ERR(dev, "no IOVA range above the bounce buffer to reach it through: %s",
			strerror(-ret));
		return ret;
	}
	ret = vdu_iotlb_mmap(dev, fd, 0, 0, size - 1, VDUSE_ACCESS_RW);
	close(fd);
	return ret;
}

static int map_kernel_pages_logged(struct vdu_dev *dev, uint64_t size)
{
	VDU_INFO(dev, "bounce buffer: %llu MiB of kernel pages (hugepages %s)",
		 (unsigned long long)(size >> 20), dev->hugepages ? "failed" : "not asked for");
	return map_kernel_pages(dev, size);
}

static int map_umem(struct vdu_dev *dev, uint64_t size)
{
	return vdu_iotlb_add(dev, 0, size - 1, dev->umem.addr, VQ_MEM_READ | VQ_MEM_WRITE, NULL, 0);
}

int vdu_bounce_map(struct vdu_dev *dev)
{
	bool present;
	uint64_t size;

	/*
	 * A vhost-vdpa user maps its memory before DRIVER_OK and the kernel
	 * says so with UPDATE_IOTLB; without one, the device is in the bounce
	 * domain (virtio_vdpa, or a VDUSE module that is its own transport).
	 */
	if (dev->iotlb_updated)
		return 0;
	size = bounce_size(dev, &present);
	if (dev->umem.registered)
		return map_umem(dev, size);
	if (dev->hugepages && !dev->umem.failed) {
		if (present && vdu_umem_register(dev, size) == 0)
			return map_umem(dev, size);
		if (!present && vdu_loop_watch_kicks(dev, true) == 0) {
			VDU_INFO(dev, "bounce buffer: kernel pages until the driver's first "
				      "buffer, then hugepages");
			return map_kernel_pages(dev, size);
		}
	}
	return map_kernel_pages_logged(dev, size);
}

int vdu_bounce_upgrade(struct vdu_dev *dev)
{
	bool present;
	uint64_t size;
	int ret;

	if (!dev->upgrade_armed)
		return 0; /* the other queue's kick, in the same wakeup */
	size = bounce_size(dev, &present);
	vdu_loop_watch_kicks(dev, false);
	if (!present)
		return vdu_loop_watch_kicks(dev, true); /* a kick without a buffer: wait on */

	vdu_queues_stop(dev);
	vdu_iotlb_drop(dev, 0, size - 1);
	if (vdu_umem_register(dev, size) == 0)
		ret = map_umem(dev, size);
	else
		ret = map_kernel_pages_logged(dev, size);
	if (ret == 0)
		ret = vdu_queues_start(dev);
	if (ret < 0)
		VDU_ERR(dev, "queues stay stopped after moving the bounce buffer: %s",
			strerror(-ret));
	return ret;
}
