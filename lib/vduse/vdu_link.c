/* SPDX-License-Identifier: BSD-3-Clause */
/* Link state: the status field of the config space, then a config interrupt. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <sys/ioctl.h>

#include "vdu_priv.h"

int vdu_set_link(struct vdu_dev *dev, bool up)
{
	_Alignas(struct vduse_config_data) uint8_t buf[sizeof(struct vduse_config_data) + 2];
	struct vduse_config_data *data = (struct vduse_config_data *)buf;
	uint16_t status = htole16(up ? VIRTIO_NET_S_LINK_UP : 0);
	int ret;

	data->offset = offsetof(struct virtio_net_config, status);
	data->length = sizeof(status);
	memcpy(data->buffer, &status, sizeof(status));
	if (ioctl(dev->dev_fd, VDUSE_DEV_SET_CONFIG, data) < 0) {
		ret = -errno;
		VDU_ERR(dev, "VDUSE_DEV_SET_CONFIG failed: %s", strerror(-ret));
		return ret;
	}
	/* Before DRIVER_OK there is nobody to tell: the driver reads the config later. */
	if (ioctl(dev->dev_fd, VDUSE_DEV_INJECT_CONFIG_IRQ) < 0 && errno != EINVAL) {
		ret = -errno;
		VDU_ERR(dev, "VDUSE_DEV_INJECT_CONFIG_IRQ failed: %s", strerror(-ret));
		return ret;
	}
	VDU_INFO(dev, "link %s", up ? "up" : "down");
	return 0;
}
