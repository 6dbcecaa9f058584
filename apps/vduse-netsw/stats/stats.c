/* SPDX-License-Identifier: BSD-3-Clause */
/* The counters of ports and workers, in testpmd's layouts. */
#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "stats.h"
#include "worker/worker.h"

/* testpmd's borders: 76 characters wide. */
#define NIC_BORDER "########################"
#define FWD_BORDER "----------------------"
#define ACC_BORDER "+++++++++++++++"

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

void vns_stats_read(const struct vns_switch *sw, struct vns_port *vp, struct vns_port_counts *c)
{
	port_stats_get(vp->port, &c->port);
	vns_stats_port_sums(sw, vp->port->id, &c->sums);
	c->tsc = rte_get_tsc_cycles();
}

/* @now - @base, counter by counter. */
static void counts_since(const struct vns_port_counts *now, const struct vns_port_counts *base,
			 struct vns_port_counts *d)
{
	d->port = (struct port_stats){
		.rx_packets = now->port.rx_packets - base->port.rx_packets,
		.rx_bytes = now->port.rx_bytes - base->port.rx_bytes,
		.rx_missed = now->port.rx_missed - base->port.rx_missed,
		.rx_errors = now->port.rx_errors - base->port.rx_errors,
		.rx_nombuf = now->port.rx_nombuf - base->port.rx_nombuf,
		.tx_packets = now->port.tx_packets - base->port.tx_packets,
		.tx_bytes = now->port.tx_bytes - base->port.tx_bytes,
		.tx_dropped = now->port.tx_dropped - base->port.tx_dropped,
	};
	d->sums = (struct vns_port_sums){
		.tx_full = now->sums.tx_full - base->sums.tx_full,
		.filtered = now->sums.filtered - base->sums.filtered,
		.flooded = now->sums.flooded - base->sums.flooded,
		.no_mbuf = now->sums.no_mbuf - base->sums.no_mbuf,
		.bpf_dropped = now->sums.bpf_dropped - base->sums.bpf_dropped,
	};
	d->tsc = now->tsc - base->tsc;
}

/* Per second over @cycles TSC cycles. */
static uint64_t rate(uint64_t n, uint64_t cycles)
{
	return cycles != 0 ? (uint64_t)((double)n * (double)rte_get_tsc_hz() / (double)cycles) : 0;
}

void vns_stats_port(struct vns_reply *r, const struct vns_switch *sw, struct vns_port *vp)
{
	struct vns_port_counts now, d, since_shown;
	const struct port_stats *s = &d.port;

	vns_stats_read(sw, vp, &now);
	counts_since(&now, &vp->cleared, &d);
	/* Rates since the last show, as testpmd's; none the first time. */
	counts_since(&now, vp->shown.tsc != 0 ? &vp->shown : &now, &since_shown);
	vp->shown = now;

	vns_reply_open(r, NULL, "\n  %s NIC statistics for port %-2u %s\n", NIC_BORDER,
		       vp->port->id, NIC_BORDER);
	vns_reply_u64(r, "port_id", NULL, vp->port->id);
	vns_reply_str(r, "name", NULL, vp->port->name);
	vns_reply_u64(r, "rx_packets", "  RX-packets: %-10" PRIu64, s->rx_packets);
	vns_reply_u64(r, "rx_missed", " RX-missed: %-10" PRIu64, s->rx_missed);
	vns_reply_u64(r, "rx_bytes", " RX-bytes:  %-" PRIu64 "\n", s->rx_bytes);
	vns_reply_u64(r, "rx_errors", "  RX-errors: %-" PRIu64 "\n", s->rx_errors);
	vns_reply_u64(r, "rx_nombuf", "  RX-nombuf:  %-10" PRIu64 "\n", s->rx_nombuf);
	vns_reply_u64(r, "tx_packets", "  TX-packets: %-10" PRIu64, s->tx_packets);
	vns_reply_u64(r, "tx_errors", " TX-errors: %-10" PRIu64, s->tx_dropped);
	vns_reply_u64(r, "tx_bytes", " TX-bytes:  %-" PRIu64 "\n", s->tx_bytes);
	/* The switch's own drops, which testpmd has no line for. */
	vns_reply_u64(r, "rx_filtered", "  RX-filtered: %-10" PRIu64, d.sums.filtered);
	vns_reply_u64(r, "rx_flooded", " RX-flooded: %-10" PRIu64, d.sums.flooded);
	vns_reply_u64(r, "bpf_dropped", " BPF-dropped: %-" PRIu64 "\n", d.sums.bpf_dropped);
	vns_reply_u64(r, "tx_full", "  TX-full:    %-10" PRIu64, d.sums.tx_full);
	vns_reply_u64(r, "tx_nombuf", " TX-nombuf: %-" PRIu64 "\n", d.sums.no_mbuf);
	vns_reply_text(r, "\n  Throughput (since last show)\n");
	vns_reply_u64(r, "rx_pps", "  Rx-pps: %12" PRIu64,
		      rate(since_shown.port.rx_packets, since_shown.tsc));
	vns_reply_u64(r, "rx_bps", "          Rx-bps: %12" PRIu64 "\n",
		      rate(since_shown.port.rx_bytes * 8, since_shown.tsc));
	vns_reply_u64(r, "tx_pps", "  Tx-pps: %12" PRIu64,
		      rate(since_shown.port.tx_packets, since_shown.tsc));
	vns_reply_u64(r, "tx_bps", "          Tx-bps: %12" PRIu64 "\n",
		      rate(since_shown.port.tx_bytes * 8, since_shown.tsc));
	vns_reply_close(r, "  %s############################%s\n", NIC_BORDER, NIC_BORDER);
}

void vns_stats_ports(struct vns_reply *r, const struct vns_switch *sw)
{
	unsigned int i;

	vns_reply_list(r, "ports", NULL);
	for (i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL)
			vns_stats_port(r, sw, sw->ports[i]);
	vns_reply_close(r, NULL);
}

void vns_stats_print(FILE *out, const struct vns_switch *sw)
{
	struct vns_reply *r = vns_reply_new(VNS_REPLY_TEXT);

	if (r == NULL)
		return;
	vns_stats_ports(r, sw);
	vns_reply_write(r, out, false);
	vns_reply_free(r);
	fflush(out);
}

void vns_stats_clear(const struct vns_switch *sw, struct vns_port *vp)
{
	vns_stats_read(sw, vp, &vp->cleared);
	vp->shown = vp->cleared;
}

int vns_stats_xstats(struct vns_reply *r, struct vns_port *vp)
{
	struct port_xstat *xs = NULL;
	int n, i;

	n = port_xstats_get(vp->port, NULL, 0);
	if (n > 0) {
		xs = calloc((size_t)n, sizeof(*xs));
		if (xs == NULL)
			return vns_reply_error(r, "port %s: no memory for its %d counters",
					       vp->port->name, n);
		n = port_xstats_get(vp->port, xs, (unsigned int)n);
	}
	if (n < 0) {
		free(xs);
		return vns_reply_error(r, "port %s: cannot read its extended counters: %s",
				       vp->port->name, strerror(-n));
	}
	vns_reply_open(r, NULL, "###### NIC extended statistics for port %-2u\n", vp->port->id);
	vns_reply_u64(r, "port_id", NULL, vp->port->id);
	vns_reply_str(r, "name", NULL, vp->port->name);
	vns_reply_open(r, "xstats", NULL);
	for (i = 0; i < n; i++) {
		vns_reply_text(r, "%s: ", xs[i].name);
		vns_reply_u64(r, xs[i].name, "%" PRIu64 "\n", xs[i].value);
	}
	vns_reply_close(r, NULL);
	vns_reply_close(r, NULL);
	free(xs);
	return 0;
}

void vns_stats_fwd_begin(const struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL)
			vns_stats_read(sw, sw->ports[i], &sw->ports[i]->fwd_start);
}

/* RX-packets, RX-dropped, RX-total and the same for TX, as testpmd lays them out. */
static void fwd_counts(struct vns_reply *r, uint64_t rx, uint64_t rx_drop, uint64_t tx,
		       uint64_t tx_drop)
{
	vns_reply_u64(r, "rx_packets", "  RX-packets: %-14" PRIu64, rx);
	vns_reply_u64(r, "rx_dropped", " RX-dropped: %-14" PRIu64, rx_drop);
	vns_reply_u64(r, "rx_total", "RX-total: %-" PRIu64 "\n", rx + rx_drop);
	vns_reply_u64(r, "tx_packets", "  TX-packets: %-14" PRIu64, tx);
	vns_reply_u64(r, "tx_dropped", " TX-dropped: %-14" PRIu64, tx_drop);
	vns_reply_u64(r, "tx_total", "TX-total: %-" PRIu64 "\n", tx + tx_drop);
}

void vns_stats_fwd(struct vns_reply *r, const struct vns_switch *sw)
{
	uint64_t rx = 0, rx_drop = 0, tx = 0, tx_drop = 0;
	struct vns_port_counts now, d;
	unsigned int i;

	vns_reply_list(r, "ports", NULL);
	for (i = 0; i < sw->nb_ports; i++) {
		struct vns_port *vp = sw->ports[i];
		uint64_t in_drop, out_drop;

		if (vp == NULL)
			continue;
		vns_stats_read(sw, vp, &now);
		counts_since(&now, &vp->fwd_start, &d);
		/* Dropped on the way in: the device's, the filters' and the engine's. */
		in_drop = d.port.rx_missed + d.port.rx_errors + d.port.rx_nombuf + d.sums.filtered +
			  d.sums.bpf_dropped;
		out_drop = d.port.tx_dropped + d.sums.tx_full;
		vns_reply_open(r, NULL, "\n  %s Forward statistics for port %-2u %s\n", FWD_BORDER,
			       vp->port->id, FWD_BORDER);
		vns_reply_u64(r, "port_id", NULL, vp->port->id);
		vns_reply_str(r, "name", NULL, vp->port->name);
		fwd_counts(r, d.port.rx_packets, in_drop, d.port.tx_packets, out_drop);
		vns_reply_close(r, "  %s--------------------------------%s\n", FWD_BORDER,
				FWD_BORDER);
		rx += d.port.rx_packets;
		rx_drop += in_drop;
		tx += d.port.tx_packets;
		tx_drop += out_drop;
	}
	vns_reply_close(r, NULL);
	vns_reply_open(r, "accumulated", "\n  %s Accumulated forward statistics for all ports%s\n",
		       ACC_BORDER, ACC_BORDER);
	fwd_counts(r, rx, rx_drop, tx, tx_drop);
	vns_reply_close(r, "  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n", ACC_BORDER,
			ACC_BORDER);
}

void vns_stats_workers(struct vns_reply *r, const struct vns_switch *sw)
{
	unsigned int i, q;

	vns_reply_list(r, "workers", NULL);
	for (i = 0; i < sw->nb_workers; i++) {
		const struct vns_worker *w = &sw->workers[i];
		uint64_t busy = __atomic_load_n(&w->busy_cycles, __ATOMIC_RELAXED);
		uint64_t idle = __atomic_load_n(&w->idle_cycles, __ATOMIC_RELAXED);
		uint64_t rx = __atomic_load_n(&w->rx_packets, __ATOMIC_RELAXED);

		vns_reply_open(r, NULL, NULL);
		vns_reply_u64(r, "lcore", "worker lcore %" PRIu64, w->lcore_id);
		vns_reply_i64(r, "socket", " (socket %" PRId64 "):\n", w->socket_id);
		vns_reply_list(r, "rx_queues", NULL);
		for (q = 0; w->rxqs != NULL && q < w->rxqs->n; q++) {
			const struct vns_rxq *rq = &w->rxqs->q[q];
			const struct vns_port *vp = sw->ports[rq->port_id];

			vns_reply_open(r, NULL, NULL);
			vns_reply_str(r, "port", "  rx queue %s",
				      vp != NULL ? vp->port->name : "?");
			vns_reply_u64(r, "queue", ":%" PRIu64, rq->queue);
			vns_reply_bool(r, "pinned", "%s\n", rq->pinned, " (pinned)", "");
			vns_reply_close(r, NULL);
		}
		vns_reply_close(r, NULL);
		vns_reply_u64(r, "rx_packets", "  packets received: %" PRIu64 "\n", rx);
		vns_reply_u64(r, "busy_cycles", "  busy cycles: %" PRIu64, busy);
		vns_reply_real(r, "busy_percent", " (%.1f %%)\n",
			       busy + idle ? 100.0 * (double)busy / (double)(busy + idle) : 0.0);
		vns_reply_u64(r, "idle_cycles", "  idle cycles: %" PRIu64 "\n", idle);
		vns_reply_u64(r, "idle_sleeps", "  idle sleeps: %" PRIu64 "\n",
			      __atomic_load_n(&w->sleeps, __ATOMIC_RELAXED));
		vns_reply_real(r, "cycles_per_packet", "  cycles per packet: %.1f\n",
			       rx ? (double)busy / (double)rx : 0.0);
		vns_reply_close(r, NULL);
	}
	vns_reply_close(r, NULL);
}
