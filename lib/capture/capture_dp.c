/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: what worker lcores call. The filter runs on the caller's
 * frames; the copies come from the session's pool and go to a
 * multi-producer ring. Nothing here blocks, takes a lock, allocates from the
 * heap or makes a system call; the only shared writes are the ring, the
 * pool, and the caller's own counter slot once a burst.
 */
#include <rte_bpf.h>
#include <rte_branch_prediction.h>
#include <rte_cycles.h>

#include "capture_priv.h"

static inline struct capture_lcore *lcore_slot(struct capture *cap)
{
	unsigned int id = rte_lcore_id();

	return &cap->lcore[id < RTE_MAX_LCORE ? id : CAPTURE_LCORE_SHARED];
}

static inline void count(uint64_t *counter, uint64_t n)
{
	if (n != 0)
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

bool capture_wants(const struct capture *cap, uint16_t port_id, enum capture_dir dir)
{
	if (dir != CAPTURE_RX && dir != CAPTURE_TX)
		return false;
	return port_id < CAPTURE_MAX_PORTS && (cap->ports[port_id].dirs & dir) != 0;
}

/* The filter's verdict on n frames (n <= CAPTURE_FILTER_BURST): 0 rejects. */
static inline void run_filter(const struct capture_filter *filter, struct rte_mbuf *const *pkts,
			      unsigned int n, uint64_t *verdict)
{
	unsigned int i;

	if (filter->bpf == NULL) {
		for (i = 0; i < n; i++)
			verdict[i] = 1;
	} else if (filter->jit != NULL) {
		for (i = 0; i < n; i++)
			verdict[i] = filter->jit(pkts[i]);
	} else {
		/* The interpreter only reads the frames: the cast drops no promise kept. */
		rte_bpf_exec_burst(filter->bpf, (void **)(uintptr_t)pkts, verdict, n);
	}
}

unsigned int capture_burst(struct capture *cap, uint16_t port_id, uint16_t queue,
			   enum capture_dir dir, struct rte_mbuf *const *pkts, unsigned int n)
{
	uint64_t verdict[CAPTURE_FILTER_BURST];
	struct rte_mbuf *copies[CAPTURE_FILTER_BURST];
	uint64_t filtered = 0, nombuf = 0, ring_full = 0, captured = 0;
	struct capture_lcore *lc;
	uint16_t iface;
	uint64_t tsc;
	unsigned int done, chunk, i, nc, enq;

	if (likely(n == 0 || !capture_wants(cap, port_id, dir)))
		return 0;
	iface = cap->ports[port_id].iface;
	tsc = rte_rdtsc();

	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)CAPTURE_FILTER_BURST);
		run_filter(&cap->filter, pkts + done, chunk, verdict);
		nc = 0;
		for (i = 0; i < chunk; i++) {
			struct rte_mbuf *m = pkts[done + i], *c;
			struct capture_meta *meta;

			if (verdict[i] == 0) {
				filtered++;
				continue;
			}
			c = rte_pktmbuf_copy(m, cap->pool, 0, cap->snaplen);
			if (unlikely(c == NULL)) {
				nombuf++;
				continue;
			}
			meta = capture_meta(c);
			meta->tsc = tsc;
			meta->orig_len = rte_pktmbuf_pkt_len(m);
			meta->iface = iface;
			meta->queue = queue;
			meta->dir = (uint8_t)dir;
			copies[nc++] = c;
		}
		enq = rte_ring_mp_enqueue_burst(cap->ring, (void **)copies, nc, NULL);
		if (unlikely(enq < nc)) {
			/* The writer is behind: lose the copies, never wait for it. */
			rte_pktmbuf_free_bulk(copies + enq, nc - enq);
			ring_full += nc - enq;
		}
		captured += enq;
	}

	lc = lcore_slot(cap);
	count(&lc->captured, captured);
	count(&lc->filtered, filtered);
	count(&lc->dropped_ring, ring_full);
	count(&lc->dropped_nombuf, nombuf);
	return (unsigned int)captured;
}
