/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksums finished in software: the L4 checksum of a partial checksum
 * request (the field holds the pseudo-header sum, so the sum from the L4
 * header to the end is the whole checksum), stored in a frame that may be
 * in several segments.
 */
#include <rte_ip.h>

#include "offload_priv.h"

uint16_t offload_raw_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = offload_seek(m, &off);
	uint32_t sum = 0, done = 0;

	if (len == 0)
		return 0;
	/* Most ranges lie in one segment. */
	if (likely(off + len <= seg->data_len))
		return rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), len);
	for (; done < len; seg = seg->next, off = 0) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)seg->data_len - off);
		uint16_t part = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), n);

		/* A piece that starts at an odd byte of the range pairs its bytes the other way. */
		sum += done & 1 ? rte_bswap16(part) : part;
		done += n;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

uint16_t offload_csum_from(const struct rte_mbuf *m, uint32_t start)
{
	uint16_t sum = offload_raw_sum(m, start, m->pkt_len - start);

	/* Whether the frame is UDP or TCP, 0 goes out as 0xffff: both are right for TCP. */
	return offload_csum_wire(sum, true);
}

void offload_store16(struct rte_mbuf *m, uint32_t off, uint16_t value)
{
	const uint8_t *bytes = (const uint8_t *)&value;
	int i;

	for (i = 0; i < 2; i++) {
		uint32_t local = off + i;
		/* The segments are the caller's to write: only the walk is const. */
		struct rte_mbuf *seg = (struct rte_mbuf *)offload_seek(m, &local);

		*rte_pktmbuf_mtod_offset(seg, uint8_t *, local) = bytes[i];
	}
}
