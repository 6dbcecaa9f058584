/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Walking a frame from its Ethernet header to its L4 header, the one walk
 * every offload decision rests on (lib/virtio's virtio-net header, software
 * segmentation and checksums for ports): any number of 802.1Q and
 * 802.1ad tags, IPv4 with options, IPv6 with its extension headers (RFC 8200
 * section 4; the upper-layer header follows the last one).
 *
 * DPDK 22.11's rte_net_get_ptype() stops at a second 0x8100 tag, so a
 * stacked-VLAN TSO frame looked like a bad header; this walk knows no such
 * limit but the bytes it reads.
 */
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf_ptype.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "offload.h"

/* IPv6 extension headers whose length is (hdr_ext_len + 1) * 8 bytes (RFC 8200, 7045). */
static bool ipv6_ext_in_8_octets(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case 135: /* Mobility Header, RFC 6275 */
	case 139: /* HIP, RFC 7401 */
	case 140: /* Shim6, RFC 5533 */
		return true;
	default:
		return false;
	}
}

/*
 * Walk IPv6 extension headers from byte @off of @p (of @len bytes) whose
 * first is @proto. Returns the upper-layer protocol and moves @off to its
 * header; -1 for a header that runs out of the window, and
 * IPPROTO_FRAGMENT for a fragment whose L4 header is not in this frame.
 */
static int ipv6_skip_ext(const uint8_t *p, uint32_t len, uint32_t *off, uint8_t proto)
{
	for (;;) {
		uint32_t ext_len;

		if (ipv6_ext_in_8_octets(proto)) {
			if (*off + 2 > len)
				return -1;
			ext_len = (p[*off + 1] + 1u) * 8;
		} else if (proto == IPPROTO_AH) {
			if (*off + 2 > len)
				return -1;
			ext_len = (p[*off + 1] + 2u) * 4;
		} else if (proto == IPPROTO_FRAGMENT) {
			if (*off + 8 > len)
				return -1;
			/* Offset or "more fragments" set: the L4 header is not all here. */
			if ((rte_be_to_cpu_16(*(const rte_be16_t *)&p[*off + 2]) & 0xfff9) != 0)
				return IPPROTO_FRAGMENT;
			ext_len = 8;
		} else {
			return proto;
		}
		if (*off + ext_len > len)
			return -1;
		proto = p[*off];
		*off += ext_len;
	}
}

uint32_t offload_parse(const struct rte_mbuf *m, struct offload_hdr_lens *lens)
{
	uint8_t window[OFFLOAD_MAX_HDR_LEN];
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)OFFLOAD_MAX_HDR_LEN), off, ptype, tags = 0;
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, window);
	uint16_t ether_type;
	int proto;

	*lens = (struct offload_hdr_lens){0};
	if (p == NULL || len < sizeof(struct rte_ether_hdr))
		return RTE_PTYPE_UNKNOWN;
	off = offsetof(struct rte_ether_hdr, ether_type);
	ether_type = rte_be_to_cpu_16(*(const rte_be16_t *)&p[off]);
	off += sizeof(rte_be16_t);
	while (ether_type == RTE_ETHER_TYPE_VLAN || ether_type == RTE_ETHER_TYPE_QINQ ||
	       ether_type == RTE_ETHER_TYPE_QINQ1 || ether_type == RTE_ETHER_TYPE_QINQ2 ||
	       ether_type == RTE_ETHER_TYPE_QINQ3) {
		if (off + sizeof(struct rte_vlan_hdr) > len)
			return RTE_PTYPE_UNKNOWN;
		ether_type = rte_be_to_cpu_16(*(const rte_be16_t *)&p[off + 2]);
		off += sizeof(struct rte_vlan_hdr);
		tags++;
	}
	ptype = tags == 0   ? RTE_PTYPE_L2_ETHER
		: tags == 1 ? RTE_PTYPE_L2_ETHER_VLAN
			    : RTE_PTYPE_L2_ETHER_QINQ;
	lens->l2_len = off;

	if (ether_type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)&p[off];
		uint32_t ihl;

		if (off + sizeof(*ip) > len || (ip->version_ihl >> 4) != 4)
			return ptype;
		ihl = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
		if (ihl < sizeof(*ip) || off + ihl > len)
			return ptype;
		ptype |= ihl == sizeof(*ip) ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV4_EXT;
		lens->l3_len = ihl;
		off += ihl;
		if (rte_be_to_cpu_16(ip->fragment_offset) &
		    (RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG))
			return ptype | RTE_PTYPE_L4_FRAG;
		proto = ip->next_proto_id;
	} else if (ether_type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)&p[off];
		uint32_t l3_off = off;

		if (off + sizeof(*ip) > len || (p[off] >> 4) != 6)
			return ptype;
		off += sizeof(*ip);
		proto = ipv6_skip_ext(p, len, &off, ip->proto);
		if (proto < 0)
			return ptype;
		ptype |= off == l3_off + sizeof(*ip) ? RTE_PTYPE_L3_IPV6 : RTE_PTYPE_L3_IPV6_EXT;
		lens->l3_len = off - l3_off;
		if (proto == IPPROTO_FRAGMENT)
			return ptype | RTE_PTYPE_L4_FRAG;
	} else {
		return ptype;
	}

	if (proto == IPPROTO_TCP && off + sizeof(struct rte_tcp_hdr) <= len) {
		const struct rte_tcp_hdr *th = (const void *)&p[off];
		uint32_t l4 = (th->data_off >> 4) * 4u;

		if (l4 >= sizeof(*th) && off + l4 <= len) {
			lens->l4_len = l4;
			ptype |= RTE_PTYPE_L4_TCP;
		}
	} else if (proto == IPPROTO_UDP && off + sizeof(struct rte_udp_hdr) <= len) {
		lens->l4_len = sizeof(struct rte_udp_hdr);
		ptype |= RTE_PTYPE_L4_UDP;
	}
	return ptype;
}
