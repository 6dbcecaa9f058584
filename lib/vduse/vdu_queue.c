/* SPDX-License-Identifier: BSD-3-Clause */
/* Handing the queues to the port driver and taking them back. */
#include <errno.h>
#include <string.h>

#include <sys/ioctl.h>

#include "vdu_priv.h"
#include "vdu_vq.h"

/* The saved position of a queue, as lib/virtio encodes it (vq_config::last_avail_idx). */
static uint16_t avail_state(const struct vdu_dev *dev, const struct vduse_vq_info *info)
{
	if (dev->driver_features & (1ULL << VIRTIO_F_RING_PACKED))
		return (info->packed.last_avail_idx & ~VQ_PACKED_WRAP) |
		       (info->packed.last_avail_counter ? VQ_PACKED_WRAP : 0);
	return info->split.avail_index;
}

/*
 * Where the queue of a process that died stopped: the kernel's avail index
 * is where the driver started, long ago; the ring and the journal know.
 */
static int recover_position(struct vdu_dev *dev, struct vdu_queue *q)
{
	struct vq_config cfg = vdu_queue_vq_config(q);
	int ret = vq_recover_position(&cfg, &q->last_avail_idx);

	if (ret < 0) {
		VDU_ERR(dev,
			"queue %u: where the previous process stopped cannot be read back (%s); "
			"replace the device",
			q->index, strerror(-ret));
		return ret;
	}
	q->recovered = true;
	return 0;
}

static int queue_start(struct vdu_dev *dev, uint16_t qid)
{
	struct vdu_vq *vq = &dev->vqs[qid];
	struct vduse_vq_info info = {.index = qid};
	struct vduse_vq_eventfd kick = {.index = qid, .fd = vq->kick_fd};
	int ret;

	if (ioctl(dev->dev_fd, VDUSE_VQ_GET_INFO, &info) < 0) {
		ret = -errno;
		VDU_ERR(dev, "VDUSE_VQ_GET_INFO of queue %u failed: %s", qid, strerror(-ret));
		return ret;
	}
	if (!info.ready) {
		VDU_INFO(dev, "queue %u not enabled by the driver", qid);
		return 0;
	}
	if (ioctl(dev->dev_fd, VDUSE_VQ_SETUP_KICKFD, &kick) < 0) {
		ret = -errno;
		VDU_ERR(dev, "VDUSE_VQ_SETUP_KICKFD of queue %u failed: %s", qid, strerror(-ret));
		return ret;
	}
	vq->info = (struct vdu_queue){
		.index = qid,
		.size = (uint16_t)info.num,
		.features = dev->driver_features,
		.desc_iova = info.desc_addr,
		.driver_iova = info.driver_addr,
		.device_iova = info.device_addr,
		.last_avail_idx = vq->resume ? vq->last_avail_idx : avail_state(dev, &info),
		.kick_fd = vq->kick_fd,
		.mem = &dev->mem,
		.journal = vdu_state_journal(dev, qid),
	};
	if (dev->reconnecting) {
		ret = recover_position(dev, &vq->info);
		if (ret < 0)
			return ret;
	}
	ret = dev->ops.queue_start(dev, &vq->info, dev->arg);
	if (ret < 0) {
		VDU_ERR(dev, "port driver refused queue %u: %s", qid, strerror(-ret));
		return ret;
	}
	vq->started = true;
	vq->last_avail_idx = vq->info.last_avail_idx;
	/*
	 * The previous process may have died between publishing used entries
	 * and interrupting the driver. With VIRTIO_RING_F_EVENT_IDX the driver
	 * then waits for an interrupt at a used_event we have already passed,
	 * and we would never send one: interrupt it once, it tolerates spurious
	 * ones (virtio spec, "Used Buffer Notification Suppression").
	 */
	if (vq->info.recovered) {
		ret = vdu_queue_notify(dev, qid);
		if (ret < 0)
			VDU_WARN(dev, "queue %u: VDUSE_VQ_INJECT_IRQ failed: %s", qid,
				 strerror(-ret));
	}
	VDU_INFO(dev, "queue %u %s: size %u, desc %#llx, avail %#llx, used %#llx, avail idx %u",
		 qid,
		 vq->info.recovered ? "recovered"
		 : vq->resume	    ? "resumed"
				    : "started",
		 info.num, (unsigned long long)info.desc_addr, (unsigned long long)info.driver_addr,
		 (unsigned long long)info.device_addr, vq->info.last_avail_idx);
	return 0;
}

int vdu_queues_start(struct vdu_dev *dev)
{
	uint16_t qid;
	int ret;

	for (qid = 0; qid < VDU_NET_QUEUES; qid++) {
		if (dev->vqs[qid].started)
			continue;
		ret = queue_start(dev, qid);
		if (ret < 0)
			return ret;
	}
	vdu_state_save(dev); /* where the driver put the rings */
	return 0;
}

void vdu_queues_forget(struct vdu_dev *dev)
{
	uint16_t qid;

	for (qid = 0; qid < VDU_NET_QUEUES; qid++)
		dev->vqs[qid].resume = false;
}

void vdu_queues_stop(struct vdu_dev *dev)
{
	uint16_t qid;

	for (qid = 0; qid < VDU_NET_QUEUES; qid++) {
		struct vdu_vq *vq = &dev->vqs[qid];

		if (!vq->started)
			continue;
		vq->last_avail_idx = dev->ops.queue_stop(dev, qid, dev->arg);
		vq->started = false;
		vq->resume = true;
		VDU_INFO(dev, "queue %u stopped at avail idx %u", qid, vq->last_avail_idx);
	}
}
