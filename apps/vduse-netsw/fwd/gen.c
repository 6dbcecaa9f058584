/* SPDX-License-Identifier: BSD-3-Clause */
/* Building the IPv4/UDP frames txonly and flowgen send. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "gen.h"

#define SRC_IP	 (FWD_GEN_SRC_NET + 1) /* 198.18.0.1 */
#define UDP_PORT 9		       /* discard */

/*
 * @p len bytes, FCS excluded, in one segment. The payload is zeroed, not left
 * as the mbuf had it: a recycled mbuf holds another port's frame.
 */
static void build(struct rte_mbuf *m, const struct rte_ether_addr *src,
		  const struct rte_ether_addr *dst, uint32_t dst_ip, uint16_t len)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l3_len = len - sizeof(*eth);

	memset(eth, 0, len);
	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(SRC_IP);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(UDP_PORT);
	udp->dst_port = rte_cpu_to_be_16(UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(l3_len - sizeof(*ip));
	/* UDP checksum 0: none, allowed over IPv4 (RFC 768). */
	m->data_len = len;
	m->pkt_len = len;
}

uint16_t fwd_gen_burst(struct vns_worker *w, struct vns_port *in, uint32_t (*dst_ip)(uint64_t seq))
{
	struct rte_mbuf *pkts[VNS_BURST];
	struct rte_ether_addr dst = {{0x02, 0, 0, 0, 0, 0}};
	int peer = fwd_peer(w->sw, in->port->id);
	uint16_t len = __atomic_load_n(&w->sw->txpkts, __ATOMIC_RELAXED);
	const struct vns_port *out;
	uint16_t i;

	if (peer < 0)
		return 0;
	out = w->sw->ports[peer];
	if (rte_pktmbuf_alloc_bulk(in->port->pool, pkts, VNS_BURST) != 0) {
		w->counters[peer].no_mbuf += VNS_BURST;
		return 0;
	}
	dst.addr_bytes[5] = (uint8_t)peer;
	for (i = 0; i < VNS_BURST; i++) {
		build(pkts[i], &out->info.mac, &dst, dst_ip(w->seq++), len);
		vns_worker_send(w, (uint16_t)peer, pkts[i]);
	}
	return VNS_BURST;
}
