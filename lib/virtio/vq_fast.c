/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common case of both ring layouts, without the general chain
 * machinery: an available entry that is one direct descriptor whose buffer
 * lies in one mapped region, holding header and frame (dequeue) or room for
 * both (enqueue). That is how Linux's virtio_net posts most buffers. Both
 * loops stop at the first entry that is anything else, and enqueue at the
 * first frame that needs segmenting or is in several mbuf segments; what
 * they stop at is left, untouched, to the general path, which checks
 * everything again from the ring.
 */
#include <rte_memcpy.h>

#include "vq_priv.h"

/* take_split() and take_packed(): see take(). */
static inline uint8_t *take_split(struct vq *vq, struct vq_cursor *at, uint16_t flags,
				  uint32_t min_len, uint32_t max_len, uint16_t *id, uint32_t *len)
{
	struct vring_desc d;
	uint8_t *buf;

	if (at->idx == at->limit)
		return NULL;
	*id = __atomic_load_n(&vq->avail->ring[at->idx & vq->mask], __ATOMIC_RELAXED);
	if (unlikely(*id >= vq->size))
		return NULL;
	VQ_READ_ONCE_INTO(d, &vq->desc[*id]);
	if (unlikely(d.flags != flags || d.len < min_len || d.len > max_len))
		return NULL;
	buf = vq_translate_one(vq, d.addr, d.len,
			       flags & VRING_DESC_F_WRITE ? VQ_MEM_WRITE : VQ_MEM_READ);
	if (unlikely(buf == NULL))
		return NULL;
	if (++at->idx != at->limit)
		rte_prefetch0(&vq->desc[vq->avail->ring[at->idx & vq->mask] & vq->mask]);
	*len = d.len;
	return buf;
}

static inline uint8_t *take_packed(struct vq *vq, struct vq_cursor *at, uint16_t flags,
				   uint32_t min_len, uint32_t max_len, uint16_t *id, uint32_t *len)
{
	/* Available to us, no NEXT, no INDIRECT, the right direction: one compare. */
	uint16_t want = flags | (at->wrap ? VQ_PACKED_AVAIL_F : VQ_PACKED_USED_F);
	struct vring_packed_desc d;
	uint8_t *buf;

	if (__atomic_load_n(&vq->pdesc[at->idx].flags, __ATOMIC_ACQUIRE) != want)
		return NULL;
	VQ_READ_ONCE_INTO(d, &vq->pdesc[at->idx]);
	if (unlikely(d.flags != want || d.len < min_len || d.len > max_len))
		return NULL;
	buf = vq_translate_one(vq, d.addr, d.len,
			       flags & VRING_DESC_F_WRITE ? VQ_MEM_WRITE : VQ_MEM_READ);
	if (unlikely(buf == NULL))
		return NULL;
	vq_packed_advance(vq, &at->idx, &at->wrap, 1);
	*id = d.id;
	*len = d.len;
	return buf;
}

/*
 * The buffer of the entry at @at if it is one direct descriptor with
 * exactly @flags (VRING_DESC_F_WRITE or 0), of @min_len to @max_len bytes,
 * in one region with the permission @flags asks for: @at moves past it and
 * its id and length are returned. NULL, and @at unmoved, for anything else.
 * The descriptor is read once.
 */
static inline uint8_t *take(struct vq *vq, struct vq_cursor *at, uint16_t flags, uint32_t min_len,
			    uint32_t max_len, uint16_t *id, uint32_t *len)
{
	return vq->packed ? take_packed(vq, at, flags, min_len, max_len, id, len)
			  : take_split(vq, at, flags, min_len, max_len, id, len);
}

/* Return the buffer @id, one slot of the ring, with @len bytes written. */
static inline void give(struct vq *vq, uint16_t id, uint32_t len)
{
	if (vq->packed)
		vq_packed_put_used(vq, id, 1, len);
	else
		vq_split_put_used(vq, id, len);
}

/* Make @at the queue's position after the fast loop; count what it moved. */
static inline void finish(struct vq *vq, struct vq_cursor *cur, const struct vq_cursor *at,
			  uint16_t packets, uint64_t bytes)
{
	if (at->idx == cur->idx && at->wrap == cur->wrap)
		return;
	*cur = *at;
	vq_commit_cursor(vq, cur);
	vq->stats.packets += packets;
	vq->stats.bytes += bytes;
}

/*
 * A raw mbuf from the pool into a one-segment frame of @len bytes. The pool
 * keeps refcnt 1, nb_segs 1 and next NULL for free mbufs, so only the
 * fields a frame may have changed are written.
 */
static inline void mbuf_init(struct rte_mbuf *m, uint32_t len)
{
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->port = RTE_MBUF_PORT_INVALID;
	m->ol_flags &= RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	m->pkt_len = len;
	m->data_len = (uint16_t)len;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->tx_offload = 0;
}

uint16_t vq_dequeue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf **pkts,
			   uint16_t count, uint32_t mbuf_room)
{
	struct vq_cursor at = *cur;
	uint64_t bytes = 0;
	uint16_t i, got = 0;

	for (i = 0; i < count; i++) {
		struct rte_mbuf *m = pkts[got];
		struct virtio_net_hdr hdr;
		const uint8_t *buf;
		uint16_t id;
		uint32_t len;

		buf = take(vq, &at, 0, VQ_NET_HDR_LEN + 1, VQ_NET_HDR_LEN + mbuf_room, &id, &len);
		if (unlikely(buf == NULL))
			break;
		VQ_READ_ONCE_INTO(hdr, buf);
		len -= VQ_NET_HDR_LEN;
		mbuf_init(m, len);
		rte_memcpy(rte_pktmbuf_mtod(m, uint8_t *), buf + VQ_NET_HDR_LEN, len);
		give(vq, id, 0);
		if ((hdr.flags != 0 || hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) &&
		    unlikely(vq_net_hdr_to_mbuf(&hdr, m) != 0)) {
			vq->stats.bad_headers++; /* returned unused; m takes the next frame */
			continue;
		}
		bytes += len;
		got++;
	}
	finish(vq, cur, &at, got, bytes);
	return got;
}

uint16_t vq_enqueue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf *const *pkts,
			   uint16_t count)
{
	struct vq_cursor at = *cur;
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < count; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint32_t need = VQ_NET_HDR_LEN + m->data_len;
		struct virtio_net_hdr_mrg_rxbuf hdr = {0};
		struct vq_csum_patch patch = {.needed = false};
		uint16_t id;
		uint32_t len;
		uint8_t *buf;

		/* pkt_len == data_len: all the frame is in the first segment. */
		if (unlikely(m->pkt_len != m->data_len))
			break;
		/* Offloads the driver cannot take (segmentation, drops) are the general path's. */
		if ((m->ol_flags & VQ_HDR_MBUF_FLAGS) &&
		    unlikely(vq_net_hdr_from_mbuf(vq, m, &hdr, &patch) != 0))
			break;
		buf = take(vq, &at, VRING_DESC_F_WRITE, need, UINT32_MAX, &id, &len);
		if (unlikely(buf == NULL))
			break;
		hdr.num_buffers = 1; /* with MRG_RXBUF one buffer; without it, 1 all the same */
		memcpy(buf, &hdr, sizeof(hdr));
		rte_memcpy(buf + VQ_NET_HDR_LEN, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		if (patch.needed)
			memcpy(buf + VQ_NET_HDR_LEN + patch.offset, &patch.value,
			       sizeof(patch.value));
		give(vq, id, need);
		bytes += m->data_len;
	}
	finish(vq, cur, &at, i, bytes);
	return i;
}
