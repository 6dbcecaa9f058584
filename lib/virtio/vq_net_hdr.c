/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net header (VERSION_1 layout) mapped to and from DPDK mbuf
 * offload flags. Frames leave a dequeue carrying TX offload requests, so the
 * egress port (another virtio driver, or a NIC) can finish them or do them in
 * hardware; at enqueue those requests become the receiving driver's header,
 * or are completed here in software when that driver cannot take them.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vq_priv.h"

static inline bool is_ipv4(uint32_t ptype)
{
	return RTE_ETH_IS_IPV4_HDR(ptype);
}

static inline bool is_ipv6(uint32_t ptype)
{
	return RTE_ETH_IS_IPV6_HDR(ptype);
}

/*
 * Whether @gso_type fits the parsed L3/L4 of the frame. UFO
 * (VIRTIO_NET_HDR_GSO_UDP: one datagram in IP fragments) is never offered
 * and has no mbuf flag; RTE_MBUF_F_TX_UDP_SEG here means USO, whose segments
 * are datagrams of their own.
 */
static bool gso_matches(uint8_t gso_type, uint32_t ptype)
{
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;

	switch (gso_type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN:
		return is_ipv4(ptype) && l4 == RTE_PTYPE_L4_TCP;
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN:
		return is_ipv6(ptype) && l4 == RTE_PTYPE_L4_TCP;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return l4 == RTE_PTYPE_L4_UDP;
	default:
		return false;
	}
}

int vq_net_hdr_to_mbuf(const struct virtio_net_hdr *hdr, struct rte_mbuf *m)
{
	struct offload_hdr_lens lens;
	uint32_t ptype, l4, start = hdr->csum_start, offset = hdr->csum_offset;
	bool gso = hdr->gso_type != VIRTIO_NET_HDR_GSO_NONE;

	if (hdr->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return -EINVAL;
	if (!(hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return gso ? -EINVAL : 0; /* GSO always comes with a partial checksum */
	if (start + offset + sizeof(uint16_t) > m->pkt_len)
		return -EINVAL;

	ptype = offload_parse(m, &lens);
	l4 = ptype & RTE_PTYPE_L4_MASK;
	if (start != lens.l2_len + lens.l3_len || !(is_ipv4(ptype) || is_ipv6(ptype)) ||
	    !((l4 == RTE_PTYPE_L4_TCP && offset == OFFLOAD_TCP_CSUM_OFFSET) ||
	      (l4 == RTE_PTYPE_L4_UDP && offset == OFFLOAD_UDP_CSUM_OFFSET))) {
		/* No offload flag describes this checksum: finish it now. */
		if (gso)
			return -EINVAL;
		offload_store16(m, start + offset, offload_csum_from(m, start));
		return 0;
	}

	m->packet_type = ptype;
	m->l2_len = lens.l2_len;
	m->l3_len = lens.l3_len;
	m->l4_len = lens.l4_len;
	m->ol_flags |=
		(l4 == RTE_PTYPE_L4_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM) |
		(is_ipv4(ptype) ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
	if (!gso)
		return 0;
	if (hdr->gso_size < VQ_MIN_GSO_SIZE || !gso_matches(hdr->gso_type, ptype))
		return -EINVAL;
	m->tso_segsz = hdr->gso_size;
	m->ol_flags |= l4 == RTE_PTYPE_L4_TCP ? RTE_MBUF_F_TX_TCP_SEG : RTE_MBUF_F_TX_UDP_SEG;
	return 0;
}

int vq_net_hdr_from_mbuf(const struct vq *vq, const struct rte_mbuf *m,
			 struct virtio_net_hdr_mrg_rxbuf *hdr, struct vq_csum_patch *patch)
{
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	bool tcp = l4 == RTE_MBUF_F_TX_TCP_CKSUM || (fl & RTE_MBUF_F_TX_TCP_SEG);
	uint32_t start = m->l2_len + m->l3_len;
	uint32_t offset = tcp ? OFFLOAD_TCP_CSUM_OFFSET : OFFLOAD_UDP_CSUM_OFFSET;

	memset(hdr, 0, sizeof(*hdr));
	patch->needed = false;

	if (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
		bool v4 = fl & RTE_MBUF_F_TX_IPV4;

		if (!(tcp ? (v4 ? vq->guest_tso4 : vq->guest_tso6)
			  : (v4 ? vq->guest_uso4 : vq->guest_uso6)))
			return -ENOTSUP;
		hdr->hdr.gso_type = tcp ? (v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6)
					: VIRTIO_NET_HDR_GSO_UDP_L4;
		hdr->hdr.gso_size = m->tso_segsz;
		hdr->hdr.hdr_len = start + m->l4_len;
	} else if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM) {
		if ((fl & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
		    vq->guest_csum)
			hdr->hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}

	if (start + offset + sizeof(uint16_t) > m->pkt_len)
		return -EINVAL;
	if (vq->guest_csum) {
		hdr->hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr->hdr.csum_start = start;
		hdr->hdr.csum_offset = offset;
	} else {
		/* GSO offers imply GUEST_CSUM, so only plain frames get here. */
		patch->needed = true;
		patch->offset = start + offset;
		patch->value = offload_csum_from(m, start);
	}
	return 0;
}
