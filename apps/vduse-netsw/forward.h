/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_FORWARD_H
#define VNS_FORWARD_H

/**
 * @file
 * Poll-mode forwarding: each worker lcore owns a fixed set of streams (a
 * port it receives from and the port it sends that traffic to) and moves
 * bursts between them, run to completion.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "port.h"

/** Burst size of the forwarding loop. */
#define VNS_BURST 32
/** Times a worker retries frames a full peer did not take before dropping them. */
#define VNS_TX_RETRIES 8
/** Most streams one worker serves. */
#define VNS_MAX_STREAMS 128

/** One direction of forwarding. */
struct vns_stream {
	struct port *rx;    /**< polled port */
	struct port *tx;    /**< where its frames go */
	uint64_t forwarded; /**< frames handed to @p tx */
	uint64_t dropped;   /**< frames @p tx had no room for */
};

/** A worker lcore and what it serves. */
struct vns_worker {
	unsigned int lcore_id;			    /**< EAL lcore */
	unsigned int nb_streams;		    /**< streams served */
	struct vns_stream streams[VNS_MAX_STREAMS]; /**< in polling order */
	struct rte_rcu_qsbr *qsbr;		    /**< reported to between rounds */
	const volatile bool *stop;		    /**< set to end the loop */
};

/** The worker loop, for rte_eal_remote_launch(). @return 0. */
int vns_worker_main(void *arg);

#endif /* VNS_FORWARD_H */
