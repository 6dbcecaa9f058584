/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VDU_VQ_H
#define VDU_VQ_H

/**
 * @file
 * A queue lib/vduse hands over (struct vdu_queue), as the virtqueue engine
 * (lib/virtio) takes it. Separate from vduse.h, which stays free of DPDK.
 */

#include "vduse.h"
#include "vq.h"

/**
 * The engine's configuration for queue @p q: its ring, negotiated features,
 * position, memory and journal.
 */
static inline struct vq_config vdu_queue_vq_config(const struct vdu_queue *q)
{
	return (struct vq_config){
		.size = q->size,
		.features = q->features,
		.desc_iova = q->desc_iova,
		.driver_iova = q->driver_iova,
		.device_iova = q->device_iova,
		.last_avail_idx = q->last_avail_idx,
		.mem = q->mem,
		.journal = q->journal,
	};
}

#endif /* VDU_VQ_H */
