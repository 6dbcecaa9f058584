/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_FWD_GEN_H
#define VNS_FWD_GEN_H

/**
 * @file
 * Frame generation for txonly and flowgen: IPv4/UDP frames from the
 * benchmarking range 198.18.0.0/15 (RFC 2544).
 */

#include <stdint.h>

#include "fwd.h"

/**
 * 198.18.0.0 and 198.19.0.0, the sources' and the destinations' halves of
 * the range. Written out: RTE_IPV4() shifts 198 as an int, past INT_MAX.
 */
#define FWD_GEN_SRC_NET UINT32_C(0xc6120000)
#define FWD_GEN_DST_NET UINT32_C(0xc6130000)

/** Flows flowgen cycles through (destination addresses 198.19.0.0 onwards). */
#define FWD_GEN_FLOWS 1024

/**
 * Send up to a burst of generated frames to the peer of @p in, the i-th with
 * destination address 198.19.x.y from @p dst_ip(i), each the switch's
 * txpkts bytes long (FCS excluded). Worker lcore.
 *
 * @return frames generated (0 without a peer or without mbufs).
 */
uint16_t fwd_gen_burst(struct vns_worker *w, struct vns_port *in, uint32_t (*dst_ip)(uint64_t seq));

#endif /* VNS_FWD_GEN_H */
