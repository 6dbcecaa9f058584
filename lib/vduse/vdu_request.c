/* SPDX-License-Identifier: BSD-3-Clause */
/* One request from the kernel, read from the device fd and answered. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vdu_priv.h"
#include "vq.h"

static uint32_t get_vq_state(struct vdu_dev *dev, const struct vduse_vq_state *in,
			     struct vduse_vq_state *out)
{
	if (in->index >= VDU_NET_QUEUES)
		return VDUSE_REQ_RESULT_FAILED;
	uint16_t state = dev->vqs[in->index].last_avail_idx;

	out->index = in->index;
	if (dev->driver_features & (1ULL << VIRTIO_F_RING_PACKED)) {
		/* Buffers are used in order: the used position equals the avail one. */
		out->packed.last_avail_idx = state & ~VQ_PACKED_WRAP;
		out->packed.last_avail_counter = !!(state & VQ_PACKED_WRAP);
		out->packed.last_used_idx = state & ~VQ_PACKED_WRAP;
		out->packed.last_used_counter = !!(state & VQ_PACKED_WRAP);
	} else {
		out->split.avail_index = state;
	}
	return VDUSE_REQ_RESULT_OK;
}

/*
 * The kernel changed the IOTLB in [start, last] and waits for this reply
 * before it frees the old memory: stop the queues and drop what they could
 * reach there first. The new mappings are made after the reply.
 */
static uint32_t update_iotlb(struct vdu_dev *dev, const struct vduse_iova_range *r)
{
	VDU_INFO(dev, "IOTLB update [%#llx, %#llx]", (unsigned long long)r->start,
		 (unsigned long long)r->last);
	dev->iotlb_updated = true;
	vdu_queues_stop(dev);
	vdu_iotlb_drop(dev, r->start, r->last);
	return VDUSE_REQ_RESULT_OK;
}

static void remap_and_restart(struct vdu_dev *dev)
{
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	if (vdu_iotlb_map_all(dev) < 0 || vdu_queues_start(dev) < 0)
		VDU_ERR(dev, "queues stay stopped after the IOTLB update");
}

int vdu_request_handle(struct vdu_dev *dev)
{
	struct vduse_dev_request req;
	struct vduse_dev_response resp;
	ssize_t n;

	n = read(dev->dev_fd, &req, sizeof(req));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n != sizeof(req))
		return -EIO;

	memset(&resp, 0, sizeof(resp));
	resp.request_id = req.request_id;
	switch (req.type) {
	case VDUSE_GET_VQ_STATE:
		resp.result = get_vq_state(dev, &req.vq_state, &resp.vq_state);
		break;
	case VDUSE_SET_STATUS:
		resp.result = vdu_status_set(dev, req.s.status) ? VDUSE_REQ_RESULT_OK
								: VDUSE_REQ_RESULT_FAILED;
		break;
	case VDUSE_UPDATE_IOTLB:
		resp.result = update_iotlb(dev, &req.iova);
		break;
	default:
		VDU_WARN(dev, "unknown request type %u refused", req.type);
		resp.result = VDUSE_REQ_RESULT_FAILED;
	}
	if (write(dev->dev_fd, &resp, sizeof(resp)) != sizeof(resp)) {
		VDU_ERR(dev, "cannot answer request %u: %s", req.request_id, strerror(errno));
		return -EIO;
	}
	if (req.type == VDUSE_UPDATE_IOTLB)
		remap_and_restart(dev);
	return 1;
}
