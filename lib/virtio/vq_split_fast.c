/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring's common case, without the general chain machinery: an
 * available entry naming one direct descriptor whose buffer lies in one
 * mapped region, and a frame that needs nothing from the virtio-net header.
 * That is how Linux's virtio_net posts nearly every buffer. Both loops stop
 * at the first entry or frame that is anything else and leave it, untouched,
 * to the general path, which checks everything again from the ring.
 */
#include <rte_memcpy.h>

#include "vq_priv.h"

/* The head and descriptor of available entry @idx, read once; false if out of range. */
static inline bool read_head(struct vq *vq, uint16_t idx, uint16_t *head, struct vring_desc *d)
{
	*head = __atomic_load_n(&vq->avail->ring[idx & vq->mask], __ATOMIC_RELAXED);
	if (unlikely(*head >= vq->size))
		return false;
	VQ_READ_ONCE_INTO(*d, &vq->desc[*head]);
	return true;
}

static inline void put_used(struct vq *vq, uint16_t n, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[(uint16_t)(vq->used_idx + n) & vq->mask];

	e->id = head;
	e->len = len;
}

/* Account @n entries taken from @cur: consumed, used, counted. */
static inline void finish(struct vq *vq, struct vq_cursor *cur, uint16_t n, uint64_t bytes)
{
	if (n == 0)
		return;
	cur->idx += n;
	vq_commit_cursor(vq, cur);
	vq->used_idx += n;
	vq->used_pending = true;
	vq->stats.packets += n;
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
	uint16_t i;

	for (i = 0; i < count; i++) {
		uint16_t head, flags_and_gso;
		struct vring_desc d;
		const uint8_t *buf;
		uint32_t len;

		if (unlikely(!read_head(vq, cur->idx + i, &head, &d)))
			break;
		if (unlikely(d.flags != 0 || d.len <= VQ_NET_HDR_LEN ||
			     d.len - VQ_NET_HDR_LEN > mbuf_room))
			break;
		buf = vq_translate_one(vq, d.addr, d.len, VQ_MEM_READ);
		if (unlikely(buf == NULL))
			break;
		/* flags and gso_type both zero: the header asks for nothing. */
		flags_and_gso = __atomic_load_n((const uint16_t *)buf, __ATOMIC_RELAXED);
		if (unlikely(flags_and_gso != 0))
			break;
		if (i + 1 < count)
			rte_prefetch0(&vq->desc[vq->avail->ring[(cur->idx + i + 1) & vq->mask] &
						vq->mask]);
		len = d.len - VQ_NET_HDR_LEN;
		mbuf_init(pkts[i], len);
		rte_memcpy(rte_pktmbuf_mtod(pkts[i], uint8_t *), buf + VQ_NET_HDR_LEN, len);
		put_used(vq, i, head, 0);
		bytes += len;
	}
	finish(vq, cur, i, bytes);
	return i;
}

uint16_t vq_split_enqueue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf *const *pkts,
				 uint16_t count)
{
	/* No offloads; with MRG_RXBUF, num_buffers 1; without it the field must be 1 too. */
	const struct virtio_net_hdr_mrg_rxbuf hdr = {.num_buffers = 1};
	uint16_t n = RTE_MIN(count, (uint16_t)(cur->limit - cur->idx));
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint32_t need = VQ_NET_HDR_LEN + m->data_len;
		struct vring_desc d;
		uint16_t head;
		uint8_t *buf;

		/* pkt_len == data_len: all the frame is in the first segment. */
		if (unlikely(m->pkt_len != m->data_len || (m->ol_flags & VQ_HDR_MBUF_FLAGS)))
			break;
		if (unlikely(!read_head(vq, cur->idx + i, &head, &d)))
			break;
		if (unlikely(d.flags != VRING_DESC_F_WRITE || d.len < need))
			break;
		buf = vq_translate_one(vq, d.addr, d.len, VQ_MEM_WRITE);
		if (unlikely(buf == NULL))
			break;
		if (i + 1 < n)
			rte_prefetch0(&vq->desc[vq->avail->ring[(cur->idx + i + 1) & vq->mask] &
						vq->mask]);
		memcpy(buf, &hdr, sizeof(hdr));
		rte_memcpy(buf + VQ_NET_HDR_LEN, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		put_used(vq, i, head, need);
		bytes += m->data_len;
	}
	finish(vq, cur, i, bytes);
	return i;
}
