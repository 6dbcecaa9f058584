/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bursts, for both ring layouts: driver TX chains into mbufs (dequeue) and
 * mbufs into driver RX chains (enqueue). The layout is chosen once per chain
 * by a branch that always goes the same way for a queue.
 */
#include <errno.h>
#include <string.h>

#include <rte_memcpy.h>

#include "vq_priv.h"

static inline bool ring_begin(struct vq *vq, struct vq_cursor *cur)
{
	return vq->packed ? vq_packed_begin(vq, cur) : vq_split_begin(vq, cur);
}

static inline enum vq_chain_status ring_next(struct vq *vq, struct vq_cursor *cur, bool writable,
					     struct vq_chain *c, uint32_t *nsegs)
{
	return vq->packed ? vq_packed_next(vq, cur, writable, c, nsegs)
			  : vq_split_next(vq, cur, writable, c, nsegs);
}

static inline void ring_put_used(struct vq *vq, const struct vq_chain *c, uint32_t len)
{
	if (vq->packed)
		vq_packed_put_used(vq, c->id, c->ndescs, len);
	else
		vq_split_put_used(vq, c->id, len);
}

/*
 * Packed used entries are visible one by one; split ones need used->idx.
 * A packed queue's journal learns where the burst ended.
 */
static inline void ring_publish(struct vq *vq, bool any)
{
	if (!any)
		return;
	if (!vq->packed)
		vq_split_publish(vq);
	else
		__atomic_store_n(&vq->journal->position,
				 vq->last_avail_idx | (vq->avail_wrap ? VQ_PACKED_WRAP : 0),
				 __ATOMIC_RELEASE);
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
static int copy_to_mbuf(const struct vq *vq, struct rte_mempool *mp, struct rte_mbuf *m,
			const struct vq_chain *c, uint32_t pkt_len)
{
	const struct vq_seg *segs = &vq->segs[c->first_seg];
	struct rte_mbuf *cur = m;
	uint32_t off = VQ_NET_HDR_LEN;
	uint32_t i;

	for (i = 0; i < c->nsegs; i++) {
		const uint8_t *src = segs[i].addr;
		uint32_t len = segs[i].len;

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

/*
 * Turn the chain into @m. VQ_CHAIN_BAD (counted) leaves @m reusable;
 * -ENOMEM in *err means the chain must be left for a later burst.
 */
static enum vq_chain_status chain_to_mbuf(struct vq *vq, struct rte_mempool *mp, struct rte_mbuf *m,
					  const struct vq_chain *c, int *err)
{
	struct virtio_net_hdr hdr;
	uint32_t pkt_len;

	*err = 0;
	if (unlikely(c->capacity <= VQ_NET_HDR_LEN)) {
		vq->stats.bad_chains++;
		return VQ_CHAIN_BAD;
	}
	pkt_len = c->capacity - VQ_NET_HDR_LEN;
	if (unlikely(pkt_len > VQ_MAX_PKT_LEN)) {
		vq->stats.too_big++;
		return VQ_CHAIN_BAD;
	}
	if (likely(vq->segs[c->first_seg].len >= sizeof(hdr)))
		VQ_READ_ONCE_INTO(hdr, vq->segs[c->first_seg].addr);
	else
		vq_segs_read(&vq->segs[c->first_seg], c->nsegs, 0, &hdr, sizeof(hdr));
	if (likely(c->nsegs == 1 && pkt_len <= rte_pktmbuf_tailroom(m))) {
		/* One buffer into one mbuf: the common case needs no walk. */
		rte_memcpy(rte_pktmbuf_mtod(m, uint8_t *),
			   vq->segs[c->first_seg].addr + VQ_NET_HDR_LEN, pkt_len);
		m->data_len = pkt_len;
		m->pkt_len = pkt_len;
	} else if (unlikely(copy_to_mbuf(vq, mp, m, c, pkt_len) != 0)) {
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
	struct vq_cursor cur, first;
	uint16_t got, fast, n = count, i, room;
	bool any;

	if (unlikely(vq->broken) || !ring_begin(vq, &cur))
		return 0;
	first = cur;
	if (!vq->packed)
		n = RTE_MIN(count, (uint16_t)(cur.limit - cur.idx));
	if (unlikely(rte_mempool_get_bulk(mp, (void **)pkts, n) != 0)) {
		vq->stats.no_mbufs++;
		return 0;
	}
	room = rte_pktmbuf_data_room_size(mp);
	room = room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
	fast = vq_dequeue_simple(vq, &cur, pkts, n, room);
	got = fast;
	any = cur.idx != first.idx || cur.wrap != first.wrap;
	for (i = got; i < n; i++)
		rte_pktmbuf_reset(pkts[i]);

	while (got < n) {
		struct vq_chain c;
		uint32_t nsegs = 0;
		enum vq_chain_status st = ring_next(vq, &cur, false, &c, &nsegs);
		int err = 0;

		if (st == VQ_CHAIN_NONE || st == VQ_CHAIN_BROKEN)
			break;
		if (st == VQ_CHAIN_OK)
			st = chain_to_mbuf(vq, mp, pkts[got], &c, &err);
		else
			vq->stats.bad_chains++;
		if (unlikely(err != 0)) {
			vq->stats.no_mbufs++;
			break; /* leave the chain for the next burst */
		}
		vq_commit_cursor(vq, &cur);
		ring_put_used(vq, &c, 0);
		any = true;
		if (st == VQ_CHAIN_OK) {
			vq->stats.bytes += pkts[got]->pkt_len;
			got++;
		}
	}
	if (got < n)
		rte_pktmbuf_free_bulk(&pkts[got], n - got);
	ring_publish(vq, any);
	vq->stats.packets += got - fast;
	return got;
}

/*
 * Take driver RX chains for a frame of @need bytes (header included) into
 * vq->chains. Bad chains, and chains too small for the header where the
 * frame would start, stay in the list with capacity 0 so that they are
 * returned exactly once, when the frame is committed; a small chain further
 * on is an ordinary mergeable buffer. Returns the number of chains, or 0
 * when the ring ran out first: then nothing is consumed and @cur is where it
 * was, so that the chains looked at are taken again by the next frame.
 */
static uint32_t gather_rx_chains(struct vq *vq, struct vq_cursor *cur, uint32_t need,
				 uint32_t *nsegs, uint32_t *capacity)
{
	const struct vq_cursor start = *cur;
	uint32_t nchains = 0, good = 0;

	*nsegs = 0;
	*capacity = 0;
	while (*capacity < need && (vq->mrg_rxbuf || good == 0)) {
		struct vq_chain *c = &vq->chains[nchains];
		enum vq_chain_status st = VQ_CHAIN_NONE;

		if (nchains < vq->size)
			st = ring_next(vq, cur, true, c, nsegs);
		if (st == VQ_CHAIN_NONE || st == VQ_CHAIN_BROKEN) {
			*cur = start;
			return 0;
		}
		if (unlikely(st == VQ_CHAIN_BAD || (good == 0 && c->capacity < VQ_NET_HDR_LEN))) {
			*nsegs = c->first_seg;
			c->nsegs = 0;
			c->capacity = 0;
		} else {
			good++;
		}
		*capacity += c->capacity;
		nchains++;
	}
	return nchains;
}

/* Copy bytes [off, off + len) of @m into the gathered segments from byte @dst on. */
static void copy_from_mbuf(struct vq *vq, const struct rte_mbuf *m, uint32_t off, uint32_t len,
			   uint32_t nsegs, uint32_t dst)
{
	uint32_t seg = 0, seg_off = dst;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && len > 0; m = m->next, off = 0) {
		const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
		uint32_t left = RTE_MIN(len, (uint32_t)m->data_len - off);

		len -= left;
		while (left > 0 && seg < nsegs) {
			uint32_t n;

			if (seg_off >= vq->segs[seg].len) {
				seg_off -= vq->segs[seg].len;
				seg++;
				continue;
			}
			n = RTE_MIN(left, vq->segs[seg].len - seg_off);
			rte_memcpy(vq->segs[seg].addr + seg_off, src, n);
			seg_off += n;
			src += n;
			left -= n;
		}
	}
}

/*
 * Return the first @nchains gathered chains, @need bytes spread in order
 * over the good ones. The unusable ones go back first, with length 0: a
 * driver reads a frame's num_buffers used entries one after the other, so
 * nothing may come between them.
 */
static void commit_rx_chains(struct vq *vq, uint32_t nchains, uint32_t need)
{
	uint32_t i;

	for (i = 0; i < nchains; i++) {
		if (vq->chains[i].capacity == 0) {
			vq->stats.bad_chains++;
			ring_put_used(vq, &vq->chains[i], 0);
		}
	}
	for (i = 0; i < nchains; i++) {
		const struct vq_chain *c = &vq->chains[i];
		uint32_t len = RTE_MIN(need, c->capacity);

		if (c->capacity == 0)
			continue;
		ring_put_used(vq, c, len);
		need -= len;
	}
}

enum vq_deliver_result vq_deliver_frame(struct vq *vq, struct vq_cursor *cur,
					struct virtio_net_hdr_mrg_rxbuf *hdr,
					const struct vq_frame *f, const struct vq_csum_patch *patch)
{
	uint32_t frame_len = f->prefix_len + f->len;
	uint32_t need = VQ_NET_HDR_LEN + frame_len;
	uint32_t nchains, nsegs, capacity, good, c;

	nchains = gather_rx_chains(vq, cur, need, &nsegs, &capacity);
	if (nchains == 0)
		return VQ_NO_ROOM;
	if (capacity < need) {
		/* Without mergeable buffers: the one good chain is too small. */
		vq->stats.too_big++;
		commit_rx_chains(vq, nchains - 1, 0);
		*cur = vq->chains[nchains - 1].at; /* keep it for the next frame */
		vq_commit_cursor(vq, cur);
		return VQ_DROPPED;
	}
	for (c = 0, good = 0; c < nchains; c++)
		good += vq->chains[c].capacity != 0;
	hdr->num_buffers = good;
	if (likely(vq->segs[0].len >= sizeof(*hdr)))
		memcpy(vq->segs[0].addr, hdr, sizeof(*hdr));
	else
		vq_segs_write(vq->segs, nsegs, 0, hdr, sizeof(*hdr));
	if (f->prefix_len > 0)
		vq_segs_write(vq->segs, nsegs, VQ_NET_HDR_LEN, f->prefix, f->prefix_len);
	copy_from_mbuf(vq, f->m, f->off, f->len, nsegs, VQ_NET_HDR_LEN + f->prefix_len);
	if (patch->needed)
		vq_segs_write(vq->segs, nsegs, VQ_NET_HDR_LEN + patch->offset, &patch->value,
			      sizeof(patch->value));
	commit_rx_chains(vq, nchains, need);
	vq_commit_cursor(vq, cur);
	vq->stats.packets++;
	vq->stats.bytes += frame_len;
	return VQ_DELIVERED;
}

uint16_t vq_enqueue_burst(struct vq *vq, struct rte_mbuf *const *pkts, uint16_t count)
{
	struct vq_cursor cur;
	bool any;
	uint16_t i;

	if (unlikely(vq->broken) || !ring_begin(vq, &cur))
		return 0;
	i = vq_enqueue_simple(vq, &cur, pkts, count);
	any = i > 0;

	for (; i < count; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct vq_frame frame = {.m = m, .len = m->pkt_len};
		struct virtio_net_hdr_mrg_rxbuf hdr;
		struct vq_csum_patch patch;
		int ret;

		if (unlikely(m->pkt_len > VQ_MAX_PKT_LEN)) {
			vq->stats.too_big++;
			continue;
		}
		if (likely(!(m->ol_flags & VQ_HDR_MBUF_FLAGS))) {
			memset(&hdr, 0, sizeof(hdr));
			patch.needed = false;
		} else {
			ret = vq_net_hdr_from_mbuf(vq, m, &hdr, &patch);
			if (ret == -ENOTSUP) {
				/* The driver cannot take this GSO type: hand it the segments. */
				if (vq_deliver_gso_segments(vq, &cur, m) == VQ_NO_ROOM)
					break;
				any = true;
				continue;
			}
			if (unlikely(ret != 0)) {
				vq->stats.no_offload++;
				continue;
			}
		}
		if (vq_deliver_frame(vq, &cur, &hdr, &frame, &patch) == VQ_NO_ROOM)
			break;
		any = true;
	}
	ring_publish(vq, any);
	return i;
}
