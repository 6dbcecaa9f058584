/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP and UDP segmentation in software, one segment at a time: each segment
 * is the frame's headers, patched (IP length and id; TCP sequence and flags,
 * or UDP length; checksums), followed by one gso_size piece of the payload,
 * which stays in the frame for the caller to copy wherever the segment goes
 * (a virtqueue buffer, a new mbuf). The frame itself is not changed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "offload_priv.h"

/* Flags of encapsulations whose inner headers this library does not patch. */
#define TUNNEL_FLAGS                                                                       \
	(RTE_MBUF_F_TX_TUNNEL_MASK | RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_OUTER_IPV6 | \
	 RTE_MBUF_F_TX_OUTER_IP_CKSUM | RTE_MBUF_F_TX_OUTER_UDP_CKSUM)

int offload_gso_check(const struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags;
	uint32_t l3_len = m->l3_len, l4_len = m->l4_len, hdr_len = m->l2_len + l3_len + l4_len;
	uint32_t l3_min;

	if (unlikely(fl & TUNNEL_FLAGS))
		return -ENOTSUP;
	switch (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
	case RTE_MBUF_F_TX_TCP_SEG:
		if (l4_len < sizeof(struct rte_tcp_hdr))
			return -EINVAL;
		break;
	case RTE_MBUF_F_TX_UDP_SEG:
		if (l4_len != sizeof(struct rte_udp_hdr))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	switch (fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) {
	case RTE_MBUF_F_TX_IPV4:
		l3_min = sizeof(struct rte_ipv4_hdr);
		break;
	case RTE_MBUF_F_TX_IPV6:
		l3_min = sizeof(struct rte_ipv6_hdr);
		break;
	default:
		return -EINVAL;
	}
	if (l3_len < l3_min || m->tso_segsz < OFFLOAD_MIN_GSO_SIZE ||
	    hdr_len > OFFLOAD_MAX_HDR_LEN || m->pkt_len <= hdr_len)
		return -EINVAL;
	/* The IP length field of a full segment must hold it. */
	if (l3_len + l4_len + RTE_MIN((uint32_t)m->tso_segsz, m->pkt_len - hdr_len) > UINT16_MAX)
		return -EINVAL;
	return 0;
}

uint32_t offload_gso_segments(const struct rte_mbuf *m)
{
	uint32_t payload = m->pkt_len - (m->l2_len + m->l3_len + m->l4_len);

	if (offload_gso_check(m) != 0)
		return 0;
	return (payload + m->tso_segsz - 1) / m->tso_segsz;
}

/* Whether the copied headers say what the mbuf's fields say: patching trusts both. */
static bool headers_agree(const struct offload_gso *g, const struct rte_mbuf *m)
{
	const uint8_t *l3 = g->hdr + g->l3_off;

	if (g->ipv4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		if ((ip->version_ihl >> 4) != 4 || rte_ipv4_hdr_len(ip) != (uint32_t)m->l3_len ||
		    ip->next_proto_id != (g->tcp ? IPPROTO_TCP : IPPROTO_UDP))
			return false;
	} else if ((l3[0] >> 4) != 6) {
		return false;
	}
	if (g->tcp) {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(g->hdr + g->l4_off);

		return (th->data_off >> 4) * 4u == m->l4_len;
	}
	return true;
}

/*
 * The sums every segment starts from: of the IPv4 header without its
 * length, id and checksum, and of the pseudo-header without its length
 * (RFC 768, RFC 9293; for IPv6, RFC 8200 section 8.1: the upper-layer
 * protocol, not the first next-header field). A segment then adds two
 * words instead of summing its headers again: the sum is the same.
 */
static void base_sums(struct offload_gso *g)
{
	rte_be16_t proto = rte_cpu_to_be_16(g->tcp ? IPPROTO_TCP : IPPROTO_UDP);

	if (g->ipv4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(g->hdr + g->l3_off);

		g->id0 = rte_be_to_cpu_16(ip->packet_id);
		ip->total_length = 0;
		ip->packet_id = 0;
		ip->hdr_checksum = 0;
		g->ip_sum = rte_raw_cksum(ip, g->l4_off - g->l3_off);
		g->pseudo_sum = offload_add_folded(rte_raw_cksum(&ip->src_addr, 8), proto);
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(g->hdr + g->l3_off);

		g->pseudo_sum = offload_add_folded(rte_raw_cksum(ip->src_addr, 32), proto);
	}
}

int offload_gso_begin(struct offload_gso *g, const struct rte_mbuf *m)
{
	const void *p;
	int ret = offload_gso_check(m);

	if (ret != 0)
		return ret;
	g->m = m;
	g->tcp = m->ol_flags & RTE_MBUF_F_TX_TCP_SEG;
	g->ipv4 = m->ol_flags & RTE_MBUF_F_TX_IPV4;
	g->l3_off = m->l2_len;
	g->l4_off = g->l3_off + m->l3_len;
	g->hdr_len = g->l4_off + m->l4_len;
	g->csum_offset = g->tcp ? OFFLOAD_TCP_CSUM_OFFSET : OFFLOAD_UDP_CSUM_OFFSET;
	g->payload = m->pkt_len - g->hdr_len;
	g->gso_size = m->tso_segsz;
	g->off = 0;
	g->seg_len = 0;
	g->index = 0;
	g->pseudo = 0;
	p = rte_pktmbuf_read(m, 0, g->hdr_len, g->hdr);
	if (p != g->hdr)
		memcpy(g->hdr, p, g->hdr_len);
	if (!headers_agree(g, m))
		return -EINVAL;
	if (g->tcp) {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(g->hdr + g->l4_off);

		g->seq0 = rte_be_to_cpu_32(th->sent_seq);
		g->flags0 = th->tcp_flags;
	}
	base_sums(g);
	return 0;
}

/* Rewrite the headers for the current segment and set its pseudo-header sum. */
static void patch_headers(struct offload_gso *g)
{
	uint8_t *l3 = g->hdr + g->l3_off, *l4 = g->hdr + g->l4_off;
	uint32_t l3_len = g->l4_off - g->l3_off, l4_bytes = g->hdr_len - g->l4_off + g->seg_len;
	rte_be16_t l4_be = rte_cpu_to_be_16(l4_bytes);

	if (g->tcp) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
		uint8_t flags = g->flags0;

		/* As Linux cuts: FIN and PSH end the frame, CWR answers once. */
		if (g->off + g->seg_len != g->payload)
			flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (g->index > 0)
			flags &= ~RTE_TCP_CWR_FLAG;
		th->tcp_flags = flags;
		th->sent_seq = rte_cpu_to_be_32(g->seq0 + g->off);
	} else {
		((struct rte_udp_hdr *)l4)->dgram_len = l4_be;
	}
	if (g->ipv4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->total_length = rte_cpu_to_be_16(l3_len + l4_bytes);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(g->id0 + g->index));
		ip->hdr_checksum = (uint16_t)~offload_add_folded(
			offload_add_folded(g->ip_sum, ip->total_length), ip->packet_id);
	} else {
		/* The payload length counts the extension headers too. */
		((struct rte_ipv6_hdr *)l3)->payload_len =
			rte_cpu_to_be_16(l3_len - sizeof(struct rte_ipv6_hdr) + l4_bytes);
	}
	g->pseudo = offload_add_folded(g->pseudo_sum, l4_be);
}

bool offload_gso_next(struct offload_gso *g)
{
	g->off += g->seg_len;
	if (g->off >= g->payload)
		return false;
	if (g->seg_len != 0)
		g->index++;
	g->seg_len = RTE_MIN((uint32_t)g->gso_size, g->payload - g->off);
	patch_headers(g);
	return true;
}

void offload_gso_csum(struct offload_gso *g)
{
	uint8_t *l4 = g->hdr + g->l4_off, *field = l4 + g->csum_offset;
	uint16_t value;
	uint32_t sum;

	memset(field, 0, sizeof(value));
	sum = offload_add_folded(rte_raw_cksum(l4, g->hdr_len - g->l4_off), g->pseudo);
	sum = offload_add_folded(sum, offload_raw_sum(g->m, g->hdr_len + g->off, g->seg_len));
	value = offload_csum_wire(sum, !g->tcp);
	memcpy(field, &value, sizeof(value));
}
