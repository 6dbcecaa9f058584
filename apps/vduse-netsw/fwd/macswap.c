/* SPDX-License-Identifier: BSD-3-Clause */
/* macswap: frames go to the peer port with source and destination MAC swapped. */
#include <rte_ether.h>

#include "fwd.h"

static void macswap_rx_burst(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			     uint16_t n)
{
	int peer = fwd_peer_or_drop(w, in, pkts, n);
	uint16_t i;

	if (peer < 0)
		return;
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp = eth->dst_addr;

		eth->dst_addr = eth->src_addr;
		eth->src_addr = tmp;
		vns_worker_send(w, (uint16_t)peer, pkts[i]);
	}
}

const struct fwd_engine fwd_macswap = {
	.name = "macswap",
	.help = "send to the peer port with source and destination MAC swapped",
	.rx_burst = macswap_rx_burst,
};
