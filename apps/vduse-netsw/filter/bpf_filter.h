/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_BPF_FILTER_H
#define VNS_BPF_FILTER_H

/**
 * @file
 * eBPF port filters, in testpmd's form ("bpf-load rx|tx PORT QUEUE FLAGS
 * FILE"), on every kind of port: a program per port, direction and queue
 * that passes (returns non-zero) or drops (returns 0) each frame. Loaded
 * from an ELF object's .text section (clang -O2 -target bpf) by DPDK's bpf
 * library, checked by its verifier, JIT-compiled with flag J. The workers
 * run it on each burst a port receives, before the forwarding engine, and
 * on each burst it sends, before the driver; a dropped frame is freed and
 * counted (vns_port_counters::bpf_dropped).
 *
 * The program's argument is the frame's first byte, with the data room of
 * the port's mbufs readable (testpmd's default). Flag M (an rte_mbuf
 * argument) is not offered: a program would need DPDK's mbuf layout.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_bpf.h>
#include <rte_mbuf.h>

#include "cli/reply.h"
#include "switch.h"

/** A loaded program; replaced whole, never changed in place. */
struct vns_bpf {
	struct rte_bpf *bpf;	 /**< DPDK's context */
	uint64_t (*jit)(void *); /**< native code, or NULL: the interpreter */
	char file[256];		 /**< where it came from, for messages */
};

/**
 * Run @p f on @p n frames: those it passes are moved to the front of
 * @p pkts, in order; the others are freed. Worker lcore.
 *
 * @return the number of frames passed.
 */
static inline uint16_t vns_bpf_run(const struct vns_bpf *f, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, kept = 0;

	for (i = 0; i < n; i++) {
		void *data = rte_pktmbuf_mtod(pkts[i], void *);
		uint64_t rc = f->jit != NULL ? f->jit(data) : rte_bpf_exec(f->bpf, data);

		if (rc != 0)
			pkts[kept++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]);
	}
	return kept;
}

/**
 * Load @p file's program on queue @p queue of @p vp in direction @p dir,
 * replacing the one there (which is destroyed once no worker runs it).
 * @p flags: "J" (JIT) or "-" (interpreter). The reply says where it went.
 * Control thread.
 *
 * @return 0, or -1 after vns_reply_error() (no such queue, a bad flag, an
 *   object DPDK's loader or verifier refuses).
 */
int vns_bpf_load(struct vns_switch *sw, struct vns_port *vp, enum vns_bpf_dir dir, uint16_t queue,
		 const char *flags, const char *file, struct vns_reply *r);

/**
 * Remove the program of queue @p queue of @p vp in direction @p dir, once
 * no worker runs it. Control thread.
 *
 * @return 0, or -1 after vns_reply_error() (no such queue, no program there).
 */
int vns_bpf_unload(struct vns_switch *sw, struct vns_port *vp, enum vns_bpf_dir dir, uint16_t queue,
		   struct vns_reply *r);

/** Destroy every program of @p vp, which no worker polls or sends to any more. Control thread. */
void vns_bpf_free_port(struct vns_port *vp);

#endif /* VNS_BPF_FILTER_H */
