/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segmentation in software, for a driver that negotiated no GSO: each
 * segment is the frame's headers, patched (IP length and id, TCP sequence,
 * flags, checksums), followed by one MSS of payload copied straight from the
 * mbuf into the driver's buffers. The mbuf itself is not changed.
 */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "vq_priv.h"

/* Longest Ethernet + IP + TCP header segmented here (options included). */
#define MAX_HDR_LEN 192

bool vq_tso_in_software(const struct rte_mbuf *m)
{
	uint32_t hdr_len = m->l2_len + m->l3_len + m->l4_len;

	return (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && m->tso_segsz > 0 &&
	       (m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) &&
	       m->l4_len >= sizeof(struct rte_tcp_hdr) && hdr_len <= MAX_HDR_LEN &&
	       m->pkt_len > hdr_len;
}

static inline uint32_t add_folded(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	return (s & 0xffff) + (s >> 16);
}

/* Rewrite the headers in @prefix for the segment at payload offset @off. */
static uint16_t patch_headers(const struct rte_mbuf *m, uint8_t *prefix, uint32_t index,
			      uint32_t off, uint32_t seg_len, bool last, uint32_t seq0,
			      uint8_t flags0, uint16_t id0)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(prefix + m->l2_len + m->l3_len);
	uint8_t flags = flags0;

	if (!last)
		flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (index > 0)
		flags &= ~RTE_TCP_CWR_FLAG;
	th->tcp_flags = flags;
	th->sent_seq = rte_cpu_to_be_32(seq0 + off);
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(prefix + m->l2_len);

		ip->total_length = rte_cpu_to_be_16(m->l3_len + m->l4_len + seg_len);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(id0 + index));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		return rte_ipv4_phdr_cksum(ip, 0);
	}
	((struct rte_ipv6_hdr *)(prefix + m->l2_len))->payload_len =
		rte_cpu_to_be_16(m->l4_len + seg_len);
	return rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)(prefix + m->l2_len), 0);
}

enum vq_deliver_result vq_deliver_tso_segments(struct vq *vq, struct vq_cursor *cur,
					       const struct rte_mbuf *m)
{
	uint32_t l4_off = m->l2_len + m->l3_len, hdr_len = l4_off + m->l4_len;
	uint32_t payload = m->pkt_len - hdr_len, off, seg_len, index = 0;
	uint8_t prefix[MAX_HDR_LEN];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(prefix + l4_off);
	const void *p = rte_pktmbuf_read(m, 0, hdr_len, prefix);
	uint16_t id0 = 0;
	uint32_t seq0;
	uint8_t flags0;

	if (p != prefix)
		memcpy(prefix, p, hdr_len);
	seq0 = rte_be_to_cpu_32(th->sent_seq);
	flags0 = th->tcp_flags;
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4)
		id0 = rte_be_to_cpu_16(((struct rte_ipv4_hdr *)(prefix + m->l2_len))->packet_id);

	for (off = 0; off < payload; off += seg_len, index++) {
		struct virtio_net_hdr_mrg_rxbuf hdr = {0};
		struct vq_csum_patch patch = {.needed = false};
		struct vq_frame frame = {prefix, hdr_len, m, hdr_len + off, 0};
		bool last;
		uint16_t pseudo;

		seg_len = RTE_MIN((uint32_t)m->tso_segsz, payload - off);
		last = off + seg_len == payload;
		frame.len = seg_len;
		pseudo = patch_headers(m, prefix, index, off, seg_len, last, seq0, flags0, id0);
		if (vq->guest_csum) {
			th->cksum = pseudo;
			hdr.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			hdr.hdr.csum_start = l4_off;
			hdr.hdr.csum_offset = VQ_TCP_CSUM_OFFSET;
		} else {
			uint16_t payload_sum = 0;
			uint32_t sum;

			th->cksum = 0;
			rte_raw_cksum_mbuf(m, hdr_len + off, seg_len, &payload_sum);
			sum = add_folded(rte_raw_cksum(th, m->l4_len), pseudo);
			sum = add_folded(sum, payload_sum);
			th->cksum = (uint16_t)~sum;
		}
		if (vq_deliver_frame(vq, cur, &hdr, &frame, &patch) == VQ_NO_ROOM) {
			if (index == 0)
				return VQ_NO_ROOM;
			/* The rest is lost; TCP retransmits it. */
			vq->stats.gso_dropped += (payload - off + m->tso_segsz - 1) / m->tso_segsz;
			break;
		}
		vq->stats.gso_segments++;
	}
	return VQ_DELIVERED;
}
