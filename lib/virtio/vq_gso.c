/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP and UDP segmentation in software, for a driver that cannot take the
 * frame's GSO type: lib/offload patches each segment's headers (IP length
 * and id; TCP sequence and flags, or UDP length; checksums), and here they
 * and one gso_size piece of payload are copied straight from the mbuf into
 * the driver's buffers, without an mbuf per segment. The mbuf itself is not
 * changed.
 */
#include "vq_priv.h"

enum vq_deliver_result vq_deliver_gso_segments(struct vq *vq, struct vq_cursor *cur,
					       const struct rte_mbuf *m)
{
	struct offload_gso g;

	if (unlikely(offload_gso_begin(&g, m) != 0)) {
		vq->stats.no_offload++;
		return VQ_DROPPED;
	}
	while (offload_gso_next(&g)) {
		struct virtio_net_hdr_mrg_rxbuf hdr = {0};
		struct vq_csum_patch patch = {.needed = false};
		struct vq_frame frame = {
			.prefix = g.hdr,
			.prefix_len = g.hdr_len,
			.m = m,
			.off = g.hdr_len + g.off,
			.len = g.seg_len,
		};

		if (vq->guest_csum) {
			/* The driver finishes it: the header says where. */
			offload_gso_csum_partial(&g);
			hdr.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			hdr.hdr.csum_start = g.l4_off;
			hdr.hdr.csum_offset = g.csum_offset;
		} else {
			offload_gso_csum(&g);
		}
		if (vq_deliver_frame(vq, cur, &hdr, &frame, &patch) == VQ_NO_ROOM) {
			if (g.index == 0)
				return VQ_NO_ROOM;
			/* The rest is lost, as on a congested link. */
			vq->stats.gso_dropped += (g.payload - g.off + g.gso_size - 1) / g.gso_size;
			break;
		}
		vq->stats.gso_segments++;
	}
	return VQ_DELIVERED;
}
