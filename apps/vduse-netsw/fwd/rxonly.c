/* SPDX-License-Identifier: BSD-3-Clause */
/* rxonly: frames are received, counted and freed. */
#include "fwd.h"

static void rxonly_rx_burst(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			    uint16_t n)
{
	(void)w;
	(void)in;
	rte_pktmbuf_free_bulk(pkts, n);
}

const struct fwd_engine fwd_rxonly = {
	.name = "rxonly",
	.help = "receive and free (the port's rx counters show the rate)",
	.rx_burst = rxonly_rx_burst,
};
