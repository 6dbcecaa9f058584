/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CAPTURE_PCAPNG_H
#define CAPTURE_PCAPNG_H

/*
 * A pcapng writer of the three blocks a capture needs: the Section Header,
 * one Interface Description per port, one Enhanced Packet per frame, in the
 * host's byte order (the section's byte-order magic tells readers).
 *
 * Why not DPDK's rte_pcapng: in DPDK 22.11 rte_pcapng_fdopen() writes one
 * interface per ethdev, named after the ethdev, and has no call to add
 * another; a VDUSE port is no ethdev, and the file must name the switch's
 * ports. Format: draft-ietf-opsawg-pcapng.
 *
 * Each call returns 0 or a negative errno, and adds the bytes it wrote to
 * *bytes.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>

/* epb_flags direction bits (the two low-order bits of the flags word). */
#define CAPTURE_PCAPNG_INBOUND	1
#define CAPTURE_PCAPNG_OUTBOUND 2

/* What an Enhanced Packet Block says of its frame. */
struct capture_pcapng_packet {
	uint32_t iface;	   /* interface index, in the order they were written */
	uint64_t ts_ns;	   /* nanoseconds since 1970-01-01 00:00 UTC */
	uint32_t orig_len; /* length of the frame on the wire */
	uint32_t flags;	   /* epb_flags: CAPTURE_PCAPNG_INBOUND or _OUTBOUND */
	uint32_t queue;	   /* epb_queue */
};

/* The Section Header Block that opens the file (section length unknown). */
int capture_pcapng_section(FILE *f, uint64_t *bytes);

/*
 * An Interface Description Block: Ethernet, @p snaplen, nanosecond
 * timestamps, named @p name; @p filter (NULL: none) recorded as a libpcap
 * filter string.
 */
int capture_pcapng_interface(FILE *f, const char *name, uint32_t snaplen, const char *filter,
			     uint64_t *bytes);

/* An Enhanced Packet Block with the bytes of @p m (every segment). */
int capture_pcapng_packet(FILE *f, const struct capture_pcapng_packet *pkt,
			  const struct rte_mbuf *m, uint64_t *bytes);

#endif /* CAPTURE_PCAPNG_H */
