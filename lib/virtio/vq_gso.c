/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP and UDP segmentation in software, for a driver that cannot take the
 * frame's GSO type: each segment is the frame's headers, patched (IP length
 * and id; TCP sequence and flags, or UDP length; checksums), followed by one
 * gso_size piece of payload copied straight from the mbuf into the driver's
 * buffers. The mbuf itself is not changed.
 */
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vq_priv.h"

static inline bool is_tcp(const struct rte_mbuf *m)
{
	return m->ol_flags & RTE_MBUF_F_TX_TCP_SEG;
}

bool vq_gso_in_software(const struct rte_mbuf *m)
{
	uint32_t hdr_len = m->l2_len + m->l3_len + m->l4_len;
	bool l4_ok = is_tcp(m) ? m->l4_len >= sizeof(struct rte_tcp_hdr)
			       : (m->ol_flags & RTE_MBUF_F_TX_UDP_SEG) &&
					 m->l4_len == sizeof(struct rte_udp_hdr);

	return l4_ok && m->tso_segsz >= VQ_MIN_GSO_SIZE &&
	       (m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) &&
	       hdr_len <= VQ_MAX_HDR_LEN && m->pkt_len > hdr_len;
}

static inline uint32_t add_folded(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	return (s & 0xffff) + (s >> 16);
}

/*
 * Set the payload length of the IPv6 header at @l3 (@l3_len bytes with its
 * extension headers) for an L4 part of @l4_bytes, and return the folded
 * pseudo-header sum. The pseudo-header names the upper-layer protocol and
 * its length (RFC 8200 section 8.1), not the first next-header field and the
 * payload length, which count the extension headers too.
 */
static uint16_t ipv6_patch(uint8_t *l3, uint32_t l3_len, uint32_t l4_bytes, bool tcp)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
	struct rte_ipv6_hdr pseudo = *ip;

	ip->payload_len = rte_cpu_to_be_16(l3_len - sizeof(*ip) + l4_bytes);
	pseudo.payload_len = rte_cpu_to_be_16(l4_bytes);
	pseudo.proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	return rte_ipv6_phdr_cksum(&pseudo, 0);
}

/* The frame's headers and what the segments derive from them. */
struct gso_frame {
	const struct rte_mbuf *m;
	uint8_t prefix[VQ_MAX_HDR_LEN];
	uint32_t l4_off;
	uint32_t hdr_len;
	uint32_t seq0;	/* TCP: sequence number of the first payload byte */
	uint8_t flags0; /* TCP: flags of the whole frame */
	uint16_t id0;	/* IPv4: id of the first segment */
};

/* Rewrite the headers for segment @index (payload from @off, @seg_len bytes);
 * returns the pseudo-header checksum of the segment, folded. */
static uint16_t patch_headers(struct gso_frame *g, uint32_t index, uint32_t off, uint32_t seg_len,
			      bool last)
{
	const struct rte_mbuf *m = g->m;
	uint8_t *l3 = g->prefix + m->l2_len, *l4 = g->prefix + g->l4_off;

	if (is_tcp(m)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
		uint8_t flags = g->flags0;

		if (!last)
			flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (index > 0)
			flags &= ~RTE_TCP_CWR_FLAG;
		th->tcp_flags = flags;
		th->sent_seq = rte_cpu_to_be_32(g->seq0 + off);
	} else {
		((struct rte_udp_hdr *)l4)->dgram_len = rte_cpu_to_be_16(m->l4_len + seg_len);
	}
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->total_length = rte_cpu_to_be_16(m->l3_len + m->l4_len + seg_len);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(g->id0 + index));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		return rte_ipv4_phdr_cksum(ip, 0);
	}
	return ipv6_patch(l3, m->l3_len, m->l4_len + seg_len, is_tcp(m));
}

/* Fill the L4 checksum of the segment: partial for a GUEST_CSUM driver, whole otherwise. */
static void segment_checksum(const struct vq *vq, struct gso_frame *g, uint16_t pseudo,
			     uint32_t off, uint32_t seg_len, struct virtio_net_hdr_mrg_rxbuf *hdr)
{
	const struct rte_mbuf *m = g->m;
	uint32_t csum_offset = is_tcp(m) ? VQ_TCP_CSUM_OFFSET : VQ_UDP_CSUM_OFFSET;
	uint8_t *field = g->prefix + g->l4_off + csum_offset;
	uint16_t payload_sum = 0, value;
	uint32_t sum;

	if (vq->guest_csum) {
		memcpy(field, &pseudo, sizeof(pseudo));
		hdr->hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr->hdr.csum_start = g->l4_off;
		hdr->hdr.csum_offset = csum_offset;
		return;
	}
	memset(field, 0, sizeof(value));
	rte_raw_cksum_mbuf(m, g->hdr_len + off, seg_len, &payload_sum);
	sum = add_folded(rte_raw_cksum(g->prefix + g->l4_off, m->l4_len), pseudo);
	sum = add_folded(sum, payload_sum);
	value = (uint16_t)~sum;
	/* A computed zero goes out as all ones: zero means "no checksum" for UDP. */
	if (value == 0 && !is_tcp(m))
		value = 0xffff;
	memcpy(field, &value, sizeof(value));
}

enum vq_deliver_result vq_deliver_gso_segments(struct vq *vq, struct vq_cursor *cur,
					       const struct rte_mbuf *m)
{
	struct gso_frame g = {.m = m, .l4_off = m->l2_len + m->l3_len};
	uint32_t payload, off, seg_len, index = 0;
	const void *p;

	g.hdr_len = g.l4_off + m->l4_len;
	payload = m->pkt_len - g.hdr_len;
	p = rte_pktmbuf_read(m, 0, g.hdr_len, g.prefix);
	if (p != g.prefix)
		memcpy(g.prefix, p, g.hdr_len);
	if (is_tcp(m)) {
		const struct rte_tcp_hdr *th = (const void *)(g.prefix + g.l4_off);

		g.seq0 = rte_be_to_cpu_32(th->sent_seq);
		g.flags0 = th->tcp_flags;
	}
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4)
		g.id0 = rte_be_to_cpu_16(
			((const struct rte_ipv4_hdr *)(g.prefix + m->l2_len))->packet_id);

	for (off = 0; off < payload; off += seg_len, index++) {
		struct virtio_net_hdr_mrg_rxbuf hdr = {0};
		struct vq_csum_patch patch = {.needed = false};
		struct vq_frame frame = {g.prefix, g.hdr_len, m, g.hdr_len + off, 0};
		uint16_t pseudo;

		seg_len = RTE_MIN((uint32_t)m->tso_segsz, payload - off);
		frame.len = seg_len;
		pseudo = patch_headers(&g, index, off, seg_len, off + seg_len == payload);
		segment_checksum(vq, &g, pseudo, off, seg_len, &hdr);
		if (vq_deliver_frame(vq, cur, &hdr, &frame, &patch) == VQ_NO_ROOM) {
			if (index == 0)
				return VQ_NO_ROOM;
			/* The rest is lost, as on a congested link. */
			vq->stats.gso_dropped += (payload - off + m->tso_segsz - 1) / m->tso_segsz;
			break;
		}
		vq->stats.gso_segments++;
	}
	return VQ_DELIVERED;
}
