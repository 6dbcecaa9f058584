/* SPDX-License-Identifier: BSD-3-Clause */
/* The io forwarding loop: receive a burst, send it on, retry a full peer. */
#include <rte_lcore.h>
#include <rte_pause.h>

#include "forward.h"

static void forward_burst(struct vns_stream *s)
{
	struct rte_mbuf *pkts[VNS_BURST];
	uint16_t n = port_rx_burst(s->rx, pkts, VNS_BURST);
	uint16_t sent, retries = 0;

	if (n == 0)
		return;
	sent = port_tx_burst(s->tx, pkts, n);
	/* A peer whose ring is full often frees room within microseconds. */
	while (sent < n && retries++ < VNS_TX_RETRIES) {
		rte_pause();
		sent += port_tx_burst(s->tx, pkts + sent, n - sent);
	}
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		s->dropped += n - sent;
	}
	s->forwarded += sent;
}

int vns_worker_main(void *arg)
{
	struct vns_worker *w = arg;
	unsigned int i;

	rte_rcu_qsbr_thread_register(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->lcore_id);
	while (!*w->stop) {
		for (i = 0; i < w->nb_streams; i++)
			forward_burst(&w->streams[i]);
		/* Between rounds no queue is in use: retired queues may be freed. */
		rte_rcu_qsbr_quiescent(w->qsbr, w->lcore_id);
	}
	rte_rcu_qsbr_thread_offline(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->lcore_id);
	return 0;
}
