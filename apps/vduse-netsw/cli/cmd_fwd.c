/* SPDX-License-Identifier: BSD-3-Clause */
/* Forwarding commands, testpmd's: start, stop, set fwd, set burst, set txpkts, show config fwd. */
#include <inttypes.h>

#include "cli.h"
#include "fwd/fwd.h"
#include "stats/stats.h"
#include "worker/worker.h"

static void describe_stream(struct vns_reply *r, const struct vns_switch *sw,
			    const struct vns_worker *w, const struct vns_rxq *rq)
{
	const struct vns_port *in = sw->ports[rq->port_id], *out;
	int peer;

	vns_reply_open(r, NULL, NULL);
	vns_reply_u64(r, "rx_port", "  RX P=%" PRIu64, rq->port_id);
	vns_reply_u64(r, "rx_queue", "/Q=%" PRIu64, rq->queue);
	vns_reply_i64(r, "rx_socket", " (socket %" PRId64 ")",
		      in != NULL ? in->info.socket_id : SOCKET_ID_ANY);
	peer = fwd_peer(sw, rq->port_id);
	if (sw->engine == &fwd_bridge) {
		vns_reply_str(r, "tx", " -> TX %s\n", "by the MAC table");
	} else if (peer < 0) {
		vns_reply_str(r, "tx", " -> TX %s\n", "none (no peer port: dropped)");
	} else {
		out = sw->ports[peer];
		vns_reply_u64(r, "tx_port", " -> TX P=%" PRIu64, (uint64_t)peer);
		vns_reply_u64(r, "tx_queue", "/Q=%" PRIu64, vns_worker_txq(w, out));
		vns_reply_i64(r, "tx_socket", " (socket %" PRId64 ")\n", out->info.socket_id);
	}
	vns_reply_close(r, NULL);
}

/* testpmd's "show config fwd": the engine, then each lcore's streams (rx queue -> tx). */
static void describe_config(struct vns_reply *r, const struct vns_switch *sw)
{
	unsigned int i, q, ports = 0, cores = 0, streams = 0;

	for (i = 0; i < sw->nb_ports; i++)
		ports += sw->ports[i] != NULL;
	for (i = 0; i < sw->nb_workers; i++) {
		unsigned int n = sw->workers[i].rxqs != NULL ? sw->workers[i].rxqs->n : 0;

		cores += n > 0;
		streams += n;
	}
	vns_reply_str(r, "engine", "%s packet forwarding", sw->engine->name);
	vns_reply_u64(r, "nb_ports", " - ports=%" PRIu64, ports);
	vns_reply_u64(r, "nb_cores", " - cores=%" PRIu64, cores);
	vns_reply_u64(r, "nb_streams", " - streams=%" PRIu64, streams);
	vns_reply_u64(r, "burst", " - burst=%" PRIu64, sw->burst);
	vns_reply_u64(r, "txpkts", " - txpkts=%" PRIu64 "\n", sw->txpkts);
	vns_reply_list(r, "lcores", NULL);
	for (i = 0; i < sw->nb_workers; i++) {
		const struct vns_worker *w = &sw->workers[i];
		const struct vns_rxq_set *set = w->rxqs;

		if (set == NULL || set->n == 0)
			continue;
		vns_reply_open(r, NULL, NULL);
		vns_reply_u64(r, "lcore", "Logical Core %" PRIu64, w->lcore_id);
		vns_reply_i64(r, "socket", " (socket %" PRId64 ")", w->socket_id);
		vns_reply_text(r, " forwards packets on %u streams:\n", set->n);
		vns_reply_list(r, "streams", NULL);
		for (q = 0; q < set->n; q++)
			describe_stream(r, sw, w, &set->q[q]);
		vns_reply_close(r, NULL);
		vns_reply_close(r, NULL);
	}
	vns_reply_close(r, NULL);
}

static int start(struct vns_cmd_ctx *c, bool tx_first)
{
	struct vns_switch *sw = c->sw;
	unsigned int i;

	if (sw->forwarding)
		return vns_reply_error(c->r, "Packet forwarding already started");
	vns_stats_fwd_begin(sw);
	for (i = 0; i < sw->nb_workers; i++)
		__atomic_store_n(&sw->workers[i].tx_first, tx_first, __ATOMIC_RELEASE);
	__atomic_store_n(&sw->forwarding, true, __ATOMIC_RELEASE);
	describe_config(c->r, sw);
	return 0;
}

static int cmd_start(struct vns_cmd_ctx *c)
{
	return start(c, false);
}

static int cmd_start_tx_first(struct vns_cmd_ctx *c)
{
	return start(c, true);
}

static int cmd_stop(struct vns_cmd_ctx *c)
{
	struct vns_switch *sw = c->sw;

	if (!sw->forwarding)
		return vns_reply_error(c->r, "Packet forwarding not started");
	vns_reply_text(c->r, "Telling cores to stop...\nWaiting for lcores to finish...\n");
	__atomic_store_n(&sw->forwarding, false, __ATOMIC_RELEASE);
	/* Every worker has finished the round it was in: the counters are final. */
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
	vns_stats_fwd(c->r, sw);
	vns_reply_text(c->r, "\nDone.\n");
	return 0;
}

static int cmd_show_fwd_stats(struct vns_cmd_ctx *c)
{
	vns_stats_fwd(c->r, c->sw);
	return 0;
}

static int cmd_clear_fwd_stats(struct vns_cmd_ctx *c)
{
	vns_stats_fwd_begin(c->sw);
	return 0;
}

static int cmd_show_config(struct vns_cmd_ctx *c)
{
	describe_config(c->r, c->sw);
	return 0;
}

static int cmd_set_fwd(struct vns_cmd_ctx *c)
{
	const struct fwd_engine *engine = fwd_engine_find(vns_cmd_arg(c, "ENGINE")->word);

	/* Workers load it once a round: the next burst uses it. */
	__atomic_store_n(&c->sw->engine, engine, __ATOMIC_RELEASE);
	vns_reply_str(c->r, "engine", "Set %s packet forwarding mode\n", engine->name);
	return 0;
}

static int cmd_set_burst(struct vns_cmd_ctx *c)
{
	__atomic_store_n(&c->sw->burst, (uint16_t)vns_cmd_arg(c, "BURST")->u, __ATOMIC_RELAXED);
	return 0;
}

static int cmd_set_txpkts(struct vns_cmd_ctx *c)
{
	__atomic_store_n(&c->sw->txpkts, (uint16_t)vns_cmd_arg(c, "LENGTH")->u, __ATOMIC_RELAXED);
	return 0;
}

static int cmd_show_workers(struct vns_cmd_ctx *c)
{
	vns_stats_workers(c->r, c->sw);
	return 0;
}

static const struct vns_cmd fwd_cmds[] = {
	{"start", "start forwarding", cmd_start},
	{"start tx_first", "send a burst from every port, then forward", cmd_start_tx_first},
	{"stop", "stop forwarding; show what each port forwarded since start", cmd_stop},
	{"show fwd stats all", "what each port forwarded since start, and the totals",
	 cmd_show_fwd_stats},
	{"clear fwd stats all", "count what the ports forward from now on", cmd_clear_fwd_stats},
	{"show config fwd", "the engine, and each lcore's receive queues and where they go",
	 cmd_show_config},
	{"set fwd ENGINE", "the forwarding engine, from the next burst on", cmd_set_fwd},
	{"set burst BURST", "frames taken from a queue at once", cmd_set_burst},
	{"set txpkts LENGTH", "length of txonly's and flowgen's frames, FCS excluded",
	 cmd_set_txpkts},
	{"show workers", "each worker's queues, busy and idle cycles", cmd_show_workers},
};

VNS_CMD_REGISTER(fwd_cmds)
