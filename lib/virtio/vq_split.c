/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-ring bursts: driver TX chains into mbufs (dequeue) and mbufs into
 * driver RX chains (enqueue). Used entries are written as chains complete
 * and published with one release store of used->idx per burst.
 */
#include <errno.h>

#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "vq_priv.h"

static inline void put_used(struct vq *vq, uint16_t id, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx & vq->mask];

	e->id = id;
	e->len = len;
	vq->used_idx++;
}

static inline void publish_used(struct vq *vq)
{
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

/* Entries the driver made available, or -1 when its index ran ahead. */
static inline int avail_count(struct vq *vq, uint16_t *avail_idx)
{
	uint16_t n;

	*avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	n = (uint16_t)(*avail_idx - vq->last_avail_idx);
	if (unlikely(n > vq->size)) {
		vq->broken = true;
		return -1;
	}
	return n;
}

static inline uint16_t avail_head(const struct vq *vq, uint16_t idx)
{
	return __atomic_load_n(&vq->avail->ring[idx & vq->mask], __ATOMIC_RELAXED);
}

/* Return @m to a fresh single-segment state for the next frame. */
static void mbuf_recycle(struct rte_mbuf *m)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
}

/* Copy the chain's payload (after the header) into @m, chaining segments. */
static int copy_to_mbuf(struct vq *vq, struct rte_mempool *mp, struct rte_mbuf *m, uint32_t nsegs,
			uint32_t pkt_len)
{
	struct rte_mbuf *cur = m;
	uint32_t off = VQ_NET_HDR_LEN;
	uint32_t i;

	for (i = 0; i < nsegs; i++) {
		const uint8_t *src = vq->segs[i].addr;
		uint32_t len = vq->segs[i].len;

		if (off >= len) {
			off -= len;
			continue;
		}
		src += off;
		len -= off;
		off = 0;
		while (len > 0) {
			uint32_t room = rte_pktmbuf_tailroom(cur);
			uint32_t n;

			if (room == 0) {
				struct rte_mbuf *next = rte_pktmbuf_alloc(mp);

				if (unlikely(next == NULL))
					return -ENOMEM;
				cur->next = next;
				cur = next;
				m->nb_segs++;
				room = rte_pktmbuf_tailroom(cur);
			}
			n = RTE_MIN(len, room);
			rte_memcpy(rte_pktmbuf_mtod_offset(cur, uint8_t *, cur->data_len), src, n);
			cur->data_len += n;
			src += n;
			len -= n;
		}
	}
	m->pkt_len = pkt_len;
	return 0;
}

/* Turn the chain in vq->segs into @m. */
static enum vq_chain_status chain_to_mbuf(struct vq *vq, struct rte_mempool *mp, struct rte_mbuf *m,
					  uint32_t nsegs, uint32_t total, int *err)
{
	struct virtio_net_hdr hdr;
	uint32_t pkt_len;

	*err = 0;
	if (unlikely(total < VQ_NET_HDR_LEN)) {
		vq->stats.bad_chains++;
		return VQ_CHAIN_BAD;
	}
	pkt_len = total - VQ_NET_HDR_LEN;
	if (unlikely(pkt_len > VQ_MAX_PKT_LEN || pkt_len == 0)) {
		vq->stats.too_big += pkt_len != 0;
		vq->stats.bad_chains += pkt_len == 0;
		return VQ_CHAIN_BAD;
	}
	vq_segs_read(vq->segs, nsegs, 0, &hdr, sizeof(hdr));
	if (unlikely(copy_to_mbuf(vq, mp, m, nsegs, pkt_len) != 0)) {
		mbuf_recycle(m);
		*err = -ENOMEM;
		return VQ_CHAIN_BAD;
	}
	if (hdr.flags != 0 || hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (unlikely(vq_net_hdr_to_mbuf(&hdr, m) != 0)) {
			vq->stats.bad_headers++;
			mbuf_recycle(m);
			return VQ_CHAIN_BAD;
		}
	}
	return VQ_CHAIN_OK;
}

uint16_t vq_dequeue_burst(struct vq *vq, struct rte_mempool *mp, struct rte_mbuf **pkts,
			  uint16_t count)
{
	uint16_t avail_idx, got = 0, used_before = vq->used_idx;
	int n, i;

	if (unlikely(vq->broken))
		return 0;
	n = avail_count(vq, &avail_idx);
	if (n <= 0)
		return 0;
	n = RTE_MIN(n, (int)count);
	if (unlikely(rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0)) {
		vq->stats.no_mbufs++;
		return 0;
	}

	for (i = 0; i < n; i++) {
		uint16_t head = avail_head(vq, vq->last_avail_idx);
		uint32_t nsegs = 0, total = 0;
		enum vq_chain_status st;
		int err;

		if (i + 1 < n)
			rte_prefetch0(&vq->desc[avail_head(vq, vq->last_avail_idx + 1) & vq->mask]);
		st = vq_split_collect(vq, head, false, &nsegs, &total);
		if (unlikely(st == VQ_CHAIN_BROKEN)) {
			vq->broken = true;
			break;
		}
		if (st == VQ_CHAIN_OK) {
			st = chain_to_mbuf(vq, mp, pkts[got], nsegs, total, &err);
			if (unlikely(err != 0)) {
				vq->stats.no_mbufs++;
				break; /* leave the chain for the next burst */
			}
		} else {
			vq->stats.bad_chains++;
		}
		vq->last_avail_idx++;
		put_used(vq, head, 0);
		if (st == VQ_CHAIN_OK) {
			vq->stats.bytes += pkts[got]->pkt_len;
			got++;
		}
	}
	if (got < n)
		rte_pktmbuf_free_bulk(&pkts[got], n - got);
	if (vq->used_idx != used_before)
		publish_used(vq);
	vq->stats.packets += got;
	return got;
}

/*
 * Gather driver RX chains for a frame of @need bytes (header included) into
 * vq->chains, from avail entry vq->last_avail_idx on. Bad chains are kept in
 * the list with capacity 0 so they are returned exactly once, when the frame
 * is committed. Returns the number of chains, or 0 when the ring ran out of
 * buffers first (nothing is consumed then).
 */
static uint32_t gather_rx_chains(struct vq *vq, uint16_t avail_idx, uint32_t need,
				 uint32_t *nsegs_out, uint32_t *capacity)
{
	uint16_t idx = vq->last_avail_idx;
	uint32_t nchains = 0, nsegs = 0, good = 0;

	*capacity = 0;
	while (*capacity < need && (vq->mrg_rxbuf || good == 0)) {
		struct vq_chain *c = &vq->chains[nchains];
		uint32_t cap = 0;
		enum vq_chain_status st;

		if (idx == avail_idx || nchains == vq->size)
			return 0;
		c->head = avail_head(vq, idx++);
		c->first_seg = nsegs;
		st = vq_split_collect(vq, c->head, true, &nsegs, &cap);
		if (unlikely(st == VQ_CHAIN_BROKEN)) {
			vq->broken = true;
			return 0;
		}
		if (unlikely(st == VQ_CHAIN_BAD || cap < VQ_NET_HDR_LEN)) {
			nsegs = c->first_seg;
			cap = 0;
		} else {
			good++;
		}
		c->nsegs = nsegs - c->first_seg;
		c->capacity = cap;
		*capacity += cap;
		nchains++;
	}
	*nsegs_out = nsegs;
	return nchains;
}

/* Copy @m behind the header into the gathered segments. */
static void copy_from_mbuf(struct vq *vq, const struct rte_mbuf *m, uint32_t nsegs)
{
	uint32_t seg = 0, seg_off = VQ_NET_HDR_LEN;

	for (; m != NULL; m = m->next) {
		const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = m->data_len;

		while (len > 0 && seg < nsegs) {
			uint32_t n;

			if (seg_off >= vq->segs[seg].len) {
				seg_off -= vq->segs[seg].len;
				seg++;
				continue;
			}
			n = RTE_MIN(len, vq->segs[seg].len - seg_off);
			rte_memcpy(vq->segs[seg].addr + seg_off, src, n);
			seg_off += n;
			src += n;
			len -= n;
		}
	}
}

/* Write used entries for the gathered chains: @need bytes spread in order. */
static void commit_rx_chains(struct vq *vq, uint32_t nchains, uint32_t need)
{
	uint32_t i;

	for (i = 0; i < nchains; i++) {
		const struct vq_chain *c = &vq->chains[i];
		uint32_t len = RTE_MIN(need, c->capacity);

		if (c->capacity == 0)
			vq->stats.bad_chains++;
		put_used(vq, c->head, len);
		need -= len;
	}
	vq->last_avail_idx += nchains;
}

/* Keep only the bad chains (to return them) when a frame is not delivered. */
static void commit_bad_rx_chains(struct vq *vq, uint32_t nchains)
{
	uint32_t i;

	for (i = 0; i < nchains && vq->chains[i].capacity == 0; i++) {
		vq->stats.bad_chains++;
		put_used(vq, vq->chains[i].head, 0);
	}
	vq->last_avail_idx += i;
}

uint16_t vq_enqueue_burst(struct vq *vq, struct rte_mbuf *const *pkts, uint16_t count)
{
	uint16_t avail_idx, used_before = vq->used_idx;
	uint16_t i;

	if (unlikely(vq->broken) || avail_count(vq, &avail_idx) < 0)
		return 0;

	for (i = 0; i < count; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct virtio_net_hdr_mrg_rxbuf hdr;
		struct vq_csum_patch patch;
		uint32_t need, nchains, nsegs, capacity, good, c;

		if (unlikely(m->pkt_len > VQ_MAX_PKT_LEN)) {
			vq->stats.too_big++;
			continue;
		}
		if (unlikely(vq_net_hdr_from_mbuf(vq, m, &hdr, &patch) != 0)) {
			vq->stats.no_offload++;
			continue;
		}
		need = VQ_NET_HDR_LEN + m->pkt_len;
		nchains = gather_rx_chains(vq, avail_idx, need, &nsegs, &capacity);
		if (nchains == 0)
			break;
		if (capacity < need) {
			/* Only without mergeable buffers: one chain and too small. */
			vq->stats.too_big++;
			commit_bad_rx_chains(vq, nchains);
			continue;
		}
		for (c = 0, good = 0; c < nchains; c++)
			good += vq->chains[c].capacity != 0;
		hdr.num_buffers = good;
		vq_segs_write(vq->segs, nsegs, 0, &hdr, sizeof(hdr));
		copy_from_mbuf(vq, m, nsegs);
		if (patch.needed)
			vq_segs_write(vq->segs, nsegs, VQ_NET_HDR_LEN + patch.offset, &patch.value,
				      sizeof(patch.value));
		commit_rx_chains(vq, nchains, need);
		vq->stats.packets++;
		vq->stats.bytes += m->pkt_len;
	}
	if (vq->used_idx != used_before)
		publish_used(vq);
	return i;
}
