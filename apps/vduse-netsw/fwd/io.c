/* SPDX-License-Identifier: BSD-3-Clause */
/* io: frames go to the peer port as they came (testpmd's io mode). */
#include "fwd.h"

static void io_rx_burst(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			uint16_t n)
{
	int peer = fwd_peer_or_drop(w, in, pkts, n);
	uint16_t i;

	if (peer < 0)
		return;
	for (i = 0; i < n; i++)
		vns_worker_send(w, (uint16_t)peer, pkts[i]);
}

const struct fwd_engine fwd_io = {
	.name = "io",
	.help = "send each frame to the peer port unchanged",
	.rx_burst = io_rx_burst,
};
