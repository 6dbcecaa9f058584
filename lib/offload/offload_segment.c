/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software TSO and USO for a port that sends mbufs: every segment the
 * cursor of offload_gso.c patches becomes a new mbuf holding a copy of its
 * headers and its piece of the payload. Copies rather than mbufs attached
 * to the frame: the frame may be sent whole to another port at the same
 * time, and a port without multi-segment support still gets one mbuf per
 * segment.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "offload_priv.h"

/* Flags of the frame that still hold for each segment. */
#define KEPT_FLAGS \
	(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ)

/*
 * Append @len bytes at @src to the segment @head, whose last mbuf is
 * *@tail, chaining mbufs from @pool as each fills up. -ENOMEM leaves the
 * chain whole, for the caller to free.
 */
static int put(struct rte_mbuf *head, struct rte_mbuf **tail, struct rte_mempool *pool,
	       const uint8_t *src, uint32_t len)
{
	while (len > 0) {
		uint32_t room = rte_pktmbuf_tailroom(*tail), n;

		if (room == 0) {
			struct rte_mbuf *next = rte_pktmbuf_alloc(pool);

			if (unlikely(next == NULL))
				return -ENOMEM;
			(*tail)->next = next;
			*tail = next;
			head->nb_segs++;
			continue;
		}
		n = RTE_MIN(len, room);
		memcpy(rte_pktmbuf_mtod_offset(*tail, uint8_t *, (*tail)->data_len), src, n);
		(*tail)->data_len += n;
		head->pkt_len += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* Append the current segment's payload, bytes of the frame that may span its mbufs. */
static int put_payload(struct rte_mbuf *head, struct rte_mbuf **tail, struct rte_mempool *pool,
		       const struct offload_gso *g)
{
	uint32_t off = g->hdr_len + g->off, len = g->seg_len;
	const struct rte_mbuf *from = offload_seek(g->m, &off);

	for (; len > 0; from = from->next, off = 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)from->data_len - off);
		int ret = put(head, tail, pool, rte_pktmbuf_mtod_offset(from, const uint8_t *, off),
			      n);

		if (ret != 0)
			return ret;
		len -= n;
	}
	return 0;
}

/* The frame's metadata that describes each segment too; the rest stays as allocated. */
static void copy_metadata(struct rte_mbuf *s, const struct rte_mbuf *m, uint64_t csum_flag)
{
	s->ol_flags = (m->ol_flags & KEPT_FLAGS) | csum_flag;
	s->l2_len = m->l2_len;
	s->l3_len = m->l3_len;
	s->l4_len = m->l4_len;
	s->packet_type = m->packet_type;
	s->port = m->port;
	s->vlan_tci = m->vlan_tci;
	s->vlan_tci_outer = m->vlan_tci_outer;
}

int offload_segment(const struct rte_mbuf *m, struct rte_mempool *pool, uint64_t tx_offloads,
		    struct rte_mbuf **segs, uint16_t max_segs)
{
	struct offload_gso g;
	uint32_t room = rte_pktmbuf_data_room_size(pool), longest;
	uint64_t csum_flag = 0;
	int n = 0, ret = offload_gso_begin(&g, m);

	if (ret != 0)
		return ret;
	if ((g.payload + g.gso_size - 1) / g.gso_size > max_segs)
		return -ENOSPC;
	room = room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
	longest = g.hdr_len + RTE_MIN(g.payload, (uint32_t)g.gso_size);
	if (longest > room && !(tx_offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
		return -EMSGSIZE;
	if (tx_offloads & (g.tcp ? RTE_ETH_TX_OFFLOAD_TCP_CKSUM : RTE_ETH_TX_OFFLOAD_UDP_CKSUM))
		csum_flag = g.tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;

	while (offload_gso_next(&g)) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(pool), *tail = s;

		if (unlikely(s == NULL))
			goto no_mbufs;
		segs[n++] = s;
		if (csum_flag != 0)
			offload_gso_csum_partial(&g);
		else
			offload_gso_csum(&g);
		if (put(s, &tail, pool, g.hdr, g.hdr_len) != 0 ||
		    put_payload(s, &tail, pool, &g) != 0)
			goto no_mbufs;
		copy_metadata(s, m, csum_flag);
	}
	return n;

no_mbufs:
	rte_pktmbuf_free_bulk(segs, n);
	return -ENOMEM;
}
