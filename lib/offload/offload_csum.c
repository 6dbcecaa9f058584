/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksums a port cannot compute, finished in software: the L4 checksum of
 * a partial checksum request (the field holds the pseudo-header sum, so the
 * sum from the L4 header to the end is the whole checksum) and the IPv4
 * header checksum. Also which requests a port lacks.
 */
#include <errno.h>

#include <rte_ethdev.h>
#include <rte_ip.h>

#include "offload_priv.h"

uint16_t offload_raw_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = offload_seek(m, &off);
	uint32_t sum = 0, done = 0;

	if (len == 0)
		return 0;
	/* Most ranges lie in one segment. */
	if (likely(off + len <= seg->data_len))
		return rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), len);
	for (; done < len; seg = seg->next, off = 0) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)seg->data_len - off);
		uint16_t part = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), n);

		/* A piece that starts at an odd byte of the range pairs its bytes the other way. */
		sum += done & 1 ? rte_bswap16(part) : part;
		done += n;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

uint16_t offload_csum_from(const struct rte_mbuf *m, uint32_t start)
{
	uint16_t sum = offload_raw_sum(m, start, m->pkt_len - start);

	/* Whether the frame is UDP or TCP, 0 goes out as 0xffff: both are right for TCP. */
	return offload_csum_wire(sum, true);
}

void offload_store16(struct rte_mbuf *m, uint32_t off, uint16_t value)
{
	const uint8_t *bytes = (const uint8_t *)&value;
	int i;

	for (i = 0; i < 2; i++) {
		uint32_t local = off + i;
		/* The segments are the caller's to write: only the walk is const. */
		struct rte_mbuf *seg = (struct rte_mbuf *)offload_seek(m, &local);

		*rte_pktmbuf_mtod_offset(seg, uint8_t *, local) = bytes[i];
	}
}

/*
 * Whether the caller alone holds every byte of @m: data another mbuf
 * shares (a flooded frame, a clone, an external buffer) must not change
 * under the other port's feet.
 */
static bool data_private(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
			return false;
		if (RTE_MBUF_HAS_EXTBUF(m) && rte_mbuf_ext_refcnt_read(m->shinfo) != 1)
			return false;
	}
	return true;
}

/* Compute the IPv4 header checksum at l2_len, l3_len bytes long. */
static int finish_ipv4(struct rte_mbuf *m)
{
	uint8_t copy[RTE_IPV4_HDR_IHL_MASK * RTE_IPV4_IHL_MULTIPLIER]; /* 60: the longest */
	const struct rte_ipv4_hdr *ip;
	struct rte_ipv4_hdr *hdr;

	if (!(m->ol_flags & RTE_MBUF_F_TX_IPV4) || m->l3_len < sizeof(*ip) ||
	    m->l3_len > sizeof(copy) || (uint32_t)m->l2_len + m->l3_len > m->pkt_len)
		return -EINVAL;
	ip = rte_pktmbuf_read(m, m->l2_len, m->l3_len, copy);
	if ((ip->version_ihl >> 4) != 4 || rte_ipv4_hdr_len(ip) != (uint32_t)m->l3_len)
		return -EINVAL;
	/* Summed over a copy with the field zeroed: the frame's own field may be anything. */
	if ((const void *)ip != copy)
		memcpy(copy, ip, m->l3_len);
	hdr = (struct rte_ipv4_hdr *)copy;
	hdr->hdr_checksum = 0;
	offload_store16(m, m->l2_len + offsetof(struct rte_ipv4_hdr, hdr_checksum),
			rte_ipv4_cksum(hdr));
	return 0;
}

int offload_finish_csum(struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags, l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t start = m->l2_len + m->l3_len, field;
	int ret;

	if (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		return -EINVAL;
	if (l4 == RTE_MBUF_F_TX_SCTP_CKSUM)
		return -ENOTSUP; /* CRC32c over the whole packet: no port here asks for it */
	if (l4 == RTE_MBUF_F_TX_L4_NO_CKSUM && !(fl & RTE_MBUF_F_TX_IP_CKSUM))
		return 0;
	field = start +
		(l4 == RTE_MBUF_F_TX_TCP_CKSUM ? OFFLOAD_TCP_CSUM_OFFSET : OFFLOAD_UDP_CSUM_OFFSET);
	if (l4 != RTE_MBUF_F_TX_L4_NO_CKSUM && field + sizeof(uint16_t) > m->pkt_len)
		return -EINVAL;
	if (!data_private(m))
		return -EBUSY;
	/* IP first: its checksum is not in the L4 sum, and a refusal must change nothing. */
	if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
		ret = finish_ipv4(m);
		if (ret != 0)
			return ret;
	}
	if (l4 != RTE_MBUF_F_TX_L4_NO_CKSUM)
		offload_store16(m, field, offload_csum_from(m, start));
	m->ol_flags &= ~(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM);
	return 0;
}

uint64_t offload_missing(const struct rte_mbuf *m, uint64_t tx_offloads)
{
	uint64_t fl = m->ol_flags, want = 0;

	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		want |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	if (fl & RTE_MBUF_F_TX_UDP_SEG)
		want |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	switch (fl & RTE_MBUF_F_TX_L4_MASK) {
	case RTE_MBUF_F_TX_TCP_CKSUM:
		want |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		break;
	case RTE_MBUF_F_TX_UDP_CKSUM:
		want |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		break;
	case RTE_MBUF_F_TX_SCTP_CKSUM:
		want |= RTE_ETH_TX_OFFLOAD_SCTP_CKSUM;
		break;
	default:
		break;
	}
	if (fl & RTE_MBUF_F_TX_IP_CKSUM)
		want |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	return want & ~tx_offloads;
}
