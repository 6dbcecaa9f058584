/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring's common case, without the general chain machinery: an
 * available entry naming one direct descriptor whose buffer lies in one
 * mapped region, holding header and frame (dequeue) or room for both
 * (enqueue). That is how Linux's virtio_net posts most buffers. Both loops
 * stop at the first entry that is anything else, and enqueue at the first
 * frame that needs segmenting or is in several mbuf segments; what they
 * stop at is left, untouched, to the general path, which checks everything
 * again from the ring.
 */
#include <rte_memcpy.h>

#include "vq_priv.h"

/*
 * The buffer of entry @i of a burst of @n from @cur, if it is one direct
 * descriptor with exactly @flags, @min_len to @max_len bytes, in one region
 * with the permission @flags asks for; NULL for anything else. The head and
 * descriptor are read once; the next entry's descriptor is prefetched.
 */
static inline uint8_t *simple_buffer(struct vq *vq, const struct vq_cursor *cur, uint16_t i,
				     uint16_t n, uint16_t flags, uint32_t min_len, uint32_t max_len,
				     uint16_t *head, uint32_t *len)
{
	struct vring_desc d;
	uint8_t *buf;

	*head = __atomic_load_n(&vq->avail->ring[(uint16_t)(cur->idx + i) & vq->mask],
				__ATOMIC_RELAXED);
	if (unlikely(*head >= vq->size))
		return NULL;
	VQ_READ_ONCE_INTO(d, &vq->desc[*head]);
	if (unlikely(d.flags != flags || d.len < min_len || d.len > max_len))
		return NULL;
	buf = vq_translate_one(vq, d.addr, d.len,
			       flags & VRING_DESC_F_WRITE ? VQ_MEM_WRITE : VQ_MEM_READ);
	if (likely(buf != NULL && i + 1 < n))
		rte_prefetch0(&vq->desc[vq->avail->ring[(uint16_t)(cur->idx + i + 1) & vq->mask] &
					vq->mask]);
	*len = d.len;
	return buf;
}

static inline void put_used(struct vq *vq, uint16_t n, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[(uint16_t)(vq->used_idx + n) & vq->mask];

	e->id = head;
	e->len = len;
}

/* Account @n entries taken from @cur, consumed and used, that moved @packets frames. */
static inline void finish(struct vq *vq, struct vq_cursor *cur, uint16_t n, uint16_t packets,
			  uint64_t bytes)
{
	if (n == 0)
		return;
	cur->idx += n;
	vq_commit_cursor(vq, cur);
	vq->used_idx += n;
	vq->used_pending = true;
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

uint16_t vq_split_dequeue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf **pkts,
				 uint16_t count, uint32_t mbuf_room)
{
	uint64_t bytes = 0;
	uint16_t i, got = 0;

	for (i = 0; i < count; i++) {
		struct rte_mbuf *m = pkts[got];
		struct virtio_net_hdr hdr;
		const uint8_t *buf;
		uint16_t head;
		uint32_t len;

		buf = simple_buffer(vq, cur, i, count, 0, VQ_NET_HDR_LEN + 1,
				    VQ_NET_HDR_LEN + mbuf_room, &head, &len);
		if (unlikely(buf == NULL))
			break;
		VQ_READ_ONCE_INTO(hdr, buf);
		len -= VQ_NET_HDR_LEN;
		mbuf_init(m, len);
		rte_memcpy(rte_pktmbuf_mtod(m, uint8_t *), buf + VQ_NET_HDR_LEN, len);
		put_used(vq, i, head, 0);
		if ((hdr.flags != 0 || hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) &&
		    unlikely(vq_net_hdr_to_mbuf(&hdr, m) != 0)) {
			vq->stats.bad_headers++; /* returned unused; m takes the next frame */
			continue;
		}
		bytes += len;
		got++;
	}
	finish(vq, cur, i, got, bytes);
	return got;
}

uint16_t vq_split_enqueue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf *const *pkts,
				 uint16_t count)
{
	uint16_t n = RTE_MIN(count, (uint16_t)(cur->limit - cur->idx));
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint32_t need = VQ_NET_HDR_LEN + m->data_len;
		struct virtio_net_hdr_mrg_rxbuf hdr = {0};
		struct vq_csum_patch patch = {.needed = false};
		uint16_t head;
		uint32_t len;
		uint8_t *buf;

		/* pkt_len == data_len: all the frame is in the first segment. */
		if (unlikely(m->pkt_len != m->data_len))
			break;
		/* Offloads the driver cannot take (segmentation, drops) are the general path's. */
		if ((m->ol_flags & VQ_HDR_MBUF_FLAGS) &&
		    unlikely(vq_net_hdr_from_mbuf(vq, m, &hdr, &patch) != 0))
			break;
		buf = simple_buffer(vq, cur, i, n, VRING_DESC_F_WRITE, need, UINT32_MAX, &head,
				    &len);
		if (unlikely(buf == NULL))
			break;
		hdr.num_buffers = 1; /* with MRG_RXBUF one buffer; without it, 1 all the same */
		memcpy(buf, &hdr, sizeof(hdr));
		rte_memcpy(buf + VQ_NET_HDR_LEN, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		if (patch.needed)
			memcpy(buf + VQ_NET_HDR_LEN + patch.offset, &patch.value,
			       sizeof(patch.value));
		put_used(vq, i, head, need);
		bytes += m->data_len;
	}
	finish(vq, cur, i, i, bytes);
	return i;
}
