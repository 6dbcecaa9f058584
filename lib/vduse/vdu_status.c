/* SPDX-License-Identifier: BSD-3-Clause */
/* Device status transitions asked by the driver (VDUSE_SET_STATUS). */
#include <errno.h>
#include <string.h>

#include <sys/ioctl.h>

#include "vdu_priv.h"

#define BIT(n) (1ULL << (n))

/* The driver must accept what it was offered only, and speak virtio 1.0. */
static bool features_acceptable(struct vdu_dev *dev)
{
	uint64_t f;

	if (ioctl(dev->dev_fd, VDUSE_DEV_GET_FEATURES, &f) < 0) {
		VDU_ERR(dev, "VDUSE_DEV_GET_FEATURES failed: %s", strerror(errno));
		return false;
	}
	if (f & ~dev->offered_features) {
		VDU_ERR(dev, "driver accepted features %#llx that were not offered; refused",
			(unsigned long long)(f & ~dev->offered_features));
		return false;
	}
	if (!(f & BIT(VIRTIO_F_VERSION_1))) {
		VDU_ERR(dev, "driver did not accept VERSION_1 (features %#llx); refused",
			(unsigned long long)f);
		return false;
	}
	dev->driver_features = f;
	VDU_INFO(dev, "features negotiated: %#llx", (unsigned long long)f);
	return true;
}

/* Take the queues back from the workers, then unmap what they could reach. */
static void stop_device(struct vdu_dev *dev)
{
	vdu_queues_stop(dev);
	vdu_loop_watch_kicks(dev, false);
	vdu_iotlb_drop(dev, 0, UINT64_MAX);
}

bool vdu_driver_ok(struct vdu_dev *dev)
{
	int ret = vdu_bounce_map(dev);

	if (ret == 0)
		ret = vdu_iotlb_map_all(dev);
	if (ret == 0)
		ret = vdu_queues_start(dev);
	if (ret < 0) {
		VDU_ERR(dev, "cannot start the queues: %s", strerror(-ret));
		stop_device(dev);
		return false;
	}
	return true;
}

bool vdu_status_set(struct vdu_dev *dev, uint8_t status)
{
	uint8_t old = dev->status;
	bool ok = true;

	VDU_INFO(dev, "status 0x%02x -> 0x%02x", old, status);
	if (status == 0) {
		/* Workers are quiet and the memory unmapped before the kernel resets. */
		stop_device(dev);
		vdu_queues_forget(dev);
		dev->driver_features = 0;
		dev->iotlb_updated = false;
	} else {
		if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK))
			ok = features_acceptable(dev);
		if (ok && (old & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(status & VIRTIO_CONFIG_S_DRIVER_OK))
			stop_device(dev);
		if (ok && (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(old & VIRTIO_CONFIG_S_DRIVER_OK))
			ok = vdu_driver_ok(dev);
	}
	if (ok)
		__atomic_store_n(&dev->status, status, __ATOMIC_RELEASE);
	vdu_state_save(dev);
	return ok;
}
