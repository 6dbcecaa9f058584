/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CAPTURE_PRIV_H
#define CAPTURE_PRIV_H

/*
 * Inside a struct capture: who writes which field, what a copy carries, and
 * the calls between the library's files.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "capture.h"

struct rte_bpf;

/* What a copy carries beside the bytes, in its mbuf's private area. */
struct capture_meta {
	uint64_t tsc;	   /* TSC when the worker took the burst */
	uint32_t orig_len; /* the frame's length before snaplen */
	uint16_t iface;	   /* index in the file's interfaces */
	uint16_t queue;	   /* port queue */
	uint8_t dir;	   /* CAPTURE_RX or CAPTURE_TX */
};

static inline struct capture_meta *capture_meta(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

/* Data room of the pool's mbufs, after the headroom: longer copies are chained. */
#define CAPTURE_SEG_SIZE 2048

/* Copies the writer takes off the ring at once. */
#define CAPTURE_WRITER_BURST 64

/* Frames the filter looks at in one rte_bpf_exec_burst() call. */
#define CAPTURE_FILTER_BURST 32

/* capture_port::iface of a port not captured. */
#define CAPTURE_NO_IFACE UINT16_MAX

/* By port id: whether and where the port's frames go. */
struct capture_port {
	uint16_t iface; /* index in the file's interfaces, or CAPTURE_NO_IFACE */
	uint8_t dirs;	/* enum capture_dir bits captured; 0 for a port not captured */
};

/*
 * One per lcore, written by that lcore only, once a burst; the last one is
 * shared by the threads without an lcore id. Added to atomically all the
 * same: the shared slot needs it, and it costs one add per burst.
 */
struct capture_lcore {
	uint64_t captured;
	uint64_t filtered;
	uint64_t dropped_ring;
	uint64_t dropped_nombuf;
} __rte_cache_aligned;

#define CAPTURE_LCORE_SHARED RTE_MAX_LCORE

/* The filter as it runs on the workers. */
struct capture_filter {
	struct rte_bpf *bpf;	     /* NULL: no filter, every frame passes */
	uint64_t (*jit)(void *mbuf); /* native code, or NULL: the interpreter */
};

struct capture {
	/* Read by the workers, set at creation. */
	struct capture_port ports[CAPTURE_MAX_PORTS];
	struct capture_filter filter;
	struct rte_ring *ring;	  /* copies for the writer: multi-producer, single consumer */
	struct rte_mempool *pool; /* the copies' mbufs */
	uint32_t snaplen;
	struct capture_lcore *lcore; /* RTE_MAX_LCORE + 1 */

	/* Writer thread's, read by capture_stats_get(). */
	uint64_t written __rte_cache_aligned;
	uint64_t bytes_written;
	int write_error;

	/* Set by the control thread, read by the writer. */
	bool stopping;

	/* Control thread only from here (the writer reads what it needs once started). */
	char name[CAPTURE_NAME_MAX + 1] __rte_cache_aligned;
	int logtype;
	FILE *file;
	pthread_t writer;
	bool started, stopped;
	/* Wall clock at a TSC reading, to turn the copies' TSC into time. */
	uint64_t tsc_base;
	uint64_t ns_base; /* CLOCK_REALTIME in ns at tsc_base */
	uint64_t tsc_hz;
};

#define CAPTURE_LOG(cap, level, fmt, ...)                                              \
	rte_log(RTE_LOG_##level, (cap)->logtype, "capture %s: " fmt "\n", (cap)->name, \
		##__VA_ARGS__)

/* capture_filter.c: control thread. */
int capture_filter_compile(struct capture_filter *filter, const char *expr, uint32_t snaplen,
			   bool no_jit, char *errmsg, size_t errmsg_size);
void capture_filter_free(struct capture_filter *filter);

/* capture_writer.c: the writer thread, and the final drain. */
void *capture_writer_main(void *arg);
void capture_writer_drain(struct capture *cap);

#endif /* CAPTURE_PRIV_H */
