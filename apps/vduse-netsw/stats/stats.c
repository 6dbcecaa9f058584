/* SPDX-License-Identifier: BSD-3-Clause */
/* Formatting the counters of ports and workers. */
#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "stats.h"
#include "worker/worker.h"

void vns_stats_port_sums(const struct vns_switch *sw, uint16_t id, struct vns_port_sums *sums)
{
	unsigned int i;

	*sums = (struct vns_port_sums){0};
	for (i = 0; i < sw->nb_workers; i++) {
		const struct vns_port_counters *c = &sw->workers[i].counters[id];

		sums->tx_full += __atomic_load_n(&c->tx_full, __ATOMIC_RELAXED);
		sums->filtered += __atomic_load_n(&c->filtered, __ATOMIC_RELAXED);
		sums->flooded += __atomic_load_n(&c->flooded, __ATOMIC_RELAXED);
		sums->no_mbuf += __atomic_load_n(&c->no_mbuf, __ATOMIC_RELAXED);
		sums->bpf_dropped += __atomic_load_n(&c->bpf_dropped, __ATOMIC_RELAXED);
	}
}

void vns_stats_port(FILE *out, const struct vns_switch *sw, struct vns_port *vp)
{
	struct vns_port_sums sums;
	struct port_stats s;

	port_stats_get(vp->port, &s);
	vns_stats_port_sums(sw, vp->port->id, &sums);
	fprintf(out, "  ######## NIC statistics for port %u (%s) ########\n", vp->port->id,
		vp->port->name);
	fprintf(out,
		"  RX-packets: %-10" PRIu64 " RX-errors: %-10" PRIu64 " RX-bytes: %" PRIu64 "\n",
		s.rx_packets, s.rx_errors, s.rx_bytes);
	fprintf(out,
		"  RX-nombuf:  %-10" PRIu64 " RX-filtered: %-8" PRIu64 " RX-flooded: %" PRIu64 "\n",
		s.rx_nombuf, sums.filtered, sums.flooded);
	fprintf(out,
		"  TX-packets: %-10" PRIu64 " TX-dropped: %-9" PRIu64 " TX-bytes: %" PRIu64 "\n",
		s.tx_packets, s.tx_dropped, s.tx_bytes);
	fprintf(out,
		"  TX-full:    %-10" PRIu64 " TX-nombuf: %-10" PRIu64 " BPF-dropped: %" PRIu64 "\n",
		sums.tx_full, sums.no_mbuf, sums.bpf_dropped);
}

void vns_stats_ports(FILE *out, const struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL)
			vns_stats_port(out, sw, sw->ports[i]);
	fflush(out);
}

int vns_stats_xstats(FILE *out, struct vns_port *vp)
{
	struct port_xstat *xs;
	int n, i;

	n = port_xstats_get(vp->port, NULL, 0);
	if (n <= 0)
		return n;
	xs = calloc((size_t)n, sizeof(*xs));
	if (xs == NULL)
		return -ENOMEM;
	n = port_xstats_get(vp->port, xs, (unsigned int)n);
	for (i = 0; i < n; i++)
		fprintf(out, "%s: %" PRIu64 "\n", xs[i].name, xs[i].value);
	free(xs);
	return n < 0 ? n : 0;
}

void vns_stats_workers(FILE *out, const struct vns_switch *sw)
{
	unsigned int i, q;

	for (i = 0; i < sw->nb_workers; i++) {
		const struct vns_worker *w = &sw->workers[i];
		uint64_t busy = __atomic_load_n(&w->busy_cycles, __ATOMIC_RELAXED);
		uint64_t idle = __atomic_load_n(&w->idle_cycles, __ATOMIC_RELAXED);
		uint64_t rx = __atomic_load_n(&w->rx_packets, __ATOMIC_RELAXED);

		fprintf(out, "worker lcore %u (socket %d):\n", w->lcore_id, w->socket_id);
		for (q = 0; w->rxqs != NULL && q < w->rxqs->n; q++) {
			const struct vns_rxq *rq = &w->rxqs->q[q];
			const struct vns_port *vp = sw->ports[rq->port_id];

			fprintf(out, "  rx queue %s:%u%s\n", vp != NULL ? vp->port->name : "?",
				rq->queue, rq->pinned ? " (pinned)" : "");
		}
		fprintf(out, "  packets received: %" PRIu64 "\n", rx);
		fprintf(out, "  busy cycles: %" PRIu64 " (%.1f %%)\n", busy,
			busy + idle ? 100.0 * (double)busy / (double)(busy + idle) : 0.0);
		fprintf(out, "  idle cycles: %" PRIu64 "\n", idle);
		fprintf(out, "  idle sleeps: %" PRIu64 "\n",
			__atomic_load_n(&w->sleeps, __ATOMIC_RELAXED));
		fprintf(out, "  cycles per packet: %.1f\n", rx ? (double)busy / (double)rx : 0.0);
	}
}
