/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef OFFLOAD_PRIV_H
#define OFFLOAD_PRIV_H

/* Internals shared by the library's files; not part of the API. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "offload.h"

/* One's complement addition of two sums of at most 16 bits, folded once: at most 0xffff. */
static inline uint32_t offload_add_folded(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	return (s & 0xffff) + (s >> 16);
}

/*
 * The checksum field's value for a folded one's complement sum @sum. A
 * computed zero goes out as all ones where zero means "no checksum" (UDP);
 * TCP keeps it, 0 and 0xffff being the same number there.
 */
static inline uint16_t offload_csum_wire(uint32_t sum, bool udp)
{
	uint16_t value = (uint16_t)~sum;

	return value == 0 && udp ? 0xffff : value;
}

/* The segment of @m holding byte @off of the frame; *@off becomes local to it. NULL past the end.
 */
static inline const struct rte_mbuf *offload_seek(const struct rte_mbuf *m, uint32_t *off)
{
	while (m != NULL && *off >= m->data_len) {
		*off -= m->data_len;
		m = m->next;
	}
	return m;
}

/*
 * One's complement sum of bytes [@off, @off + @len) of @m, folded to 16 bits
 * in memory order as rte_raw_cksum() gives it; the range must be in the
 * frame. DPDK 22.11's rte_raw_cksum_mbuf() is not used: for a piece of the
 * range that starts at an odd byte it swaps the bytes of its sum cut to 16
 * bits, losing the carries, and about one such sum in two comes out wrong.
 */
uint16_t offload_raw_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len);

#endif /* OFFLOAD_PRIV_H */
