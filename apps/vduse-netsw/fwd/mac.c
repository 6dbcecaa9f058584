/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mac: frames go to the peer port with the peer's MAC as destination and the
 * sending port's as source (testpmd's mac mode; its default peer addresses
 * are 02:00:00:00:00:NN, NN the port id).
 */
#include <rte_ether.h>

#include "fwd.h"

static void mac_rx_burst(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			 uint16_t n)
{
	int peer = fwd_peer_or_drop(w, in, pkts, n);
	struct rte_ether_addr dst = {{0x02, 0, 0, 0, 0, 0}};
	const struct vns_port *out;
	uint16_t i;

	if (peer < 0)
		return;
	out = w->sw->ports[peer];
	dst.addr_bytes[5] = (uint8_t)peer;
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(&dst, &eth->dst_addr);
		rte_ether_addr_copy(&out->info.mac, &eth->src_addr);
		vns_worker_send(w, (uint16_t)peer, pkts[i]);
	}
}

const struct fwd_engine fwd_mac = {
	.name = "mac",
	.help = "send to the peer port, destination MAC 02:00:00:00:00:<peer>, source its own",
	.rx_burst = mac_rx_burst,
};
