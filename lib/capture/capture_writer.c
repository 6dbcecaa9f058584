/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer thread: takes the copies off the ring (the ring's only
 * consumer), writes each as an Enhanced Packet Block and frees it. It may
 * block on the file; the workers never wait for it. When the ring is empty it
 * flushes the file's buffer (so a reader following the file sees what was
 * captured) and sleeps a moment.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "capture_pcapng.h"
#include "capture_priv.h"

/* Nap when the ring is empty: 100 us, in which a ring of 8192 copies fills only above 80 Mpps. */
#define IDLE_SLEEP_NS 100000

/* The wall clock of a worker's TSC reading, in ns since 1970. */
static uint64_t tsc_to_ns(const struct capture *cap, uint64_t tsc)
{
	/* A worker's TSC may be a hair behind the control thread's reading. */
	uint64_t d = tsc > cap->tsc_base ? tsc - cap->tsc_base : 0;

	return cap->ns_base + d / cap->tsc_hz * (uint64_t)NS_PER_S +
	       d % cap->tsc_hz * (uint64_t)NS_PER_S / cap->tsc_hz;
}

static void write_failed(struct capture *cap, int err)
{
	if (__atomic_load_n(&cap->write_error, __ATOMIC_RELAXED) != 0)
		return;
	__atomic_store_n(&cap->write_error, err, __ATOMIC_RELAXED);
	CAPTURE_LOG(cap, ERR, "writing the file failed (%s); copies are dropped from now on",
		    strerror(-err));
}

static void write_copy(struct capture *cap, struct rte_mbuf *m)
{
	const struct capture_meta *meta = capture_meta(m);
	struct capture_pcapng_packet pkt = {
		.iface = meta->iface,
		.ts_ns = tsc_to_ns(cap, meta->tsc),
		.orig_len = meta->orig_len,
		.flags = meta->dir == CAPTURE_RX ? CAPTURE_PCAPNG_INBOUND : CAPTURE_PCAPNG_OUTBOUND,
		.queue = meta->queue,
	};
	uint64_t bytes = 0;
	int ret;

	if (__atomic_load_n(&cap->write_error, __ATOMIC_RELAXED) != 0)
		return;
	ret = capture_pcapng_packet(cap->file, &pkt, m, &bytes);
	__atomic_store_n(&cap->bytes_written, cap->bytes_written + bytes, __ATOMIC_RELAXED);
	if (ret < 0)
		write_failed(cap, ret);
	else
		__atomic_store_n(&cap->written, cap->written + 1, __ATOMIC_RELAXED);
}

/* Write and free one burst of copies; how many there were. */
static unsigned int write_burst(struct capture *cap)
{
	struct rte_mbuf *copies[CAPTURE_WRITER_BURST];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(cap->ring, (void **)copies, RTE_DIM(copies), NULL);
	for (i = 0; i < n; i++) {
		write_copy(cap, copies[i]);
		rte_pktmbuf_free(copies[i]);
	}
	return n;
}

void capture_writer_drain(struct capture *cap)
{
	while (write_burst(cap) != 0)
		;
}

void *capture_writer_main(void *arg)
{
	struct capture *cap = arg;
	const struct timespec idle = {.tv_nsec = IDLE_SLEEP_NS};

	while (!__atomic_load_n(&cap->stopping, __ATOMIC_ACQUIRE)) {
		if (write_burst(cap) != 0)
			continue;
		if (fflush(cap->file) != 0)
			write_failed(cap, errno != 0 ? -errno : -EIO);
		nanosleep(&idle, NULL);
	}
	/* No worker enqueues any more (capture_stop()'s contract): empty the ring. */
	capture_writer_drain(cap);
	return NULL;
}
