/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef OFFLOAD_H
#define OFFLOAD_H

/**
 * @file
 * TCP/UDP segmentation (TSO, USO) and checksums in software, for a port that
 * cannot do what an mbuf's TX offload flags ask for.
 *
 * The requests are DPDK's: RTE_MBUF_F_TX_TCP_SEG or RTE_MBUF_F_TX_UDP_SEG
 * with tso_segsz, RTE_MBUF_F_TX_TCP_CKSUM or RTE_MBUF_F_TX_UDP_CKSUM,
 * RTE_MBUF_F_TX_IP_CKSUM, RTE_MBUF_F_TX_IPV4 or RTE_MBUF_F_TX_IPV6, and
 * l2_len/l3_len/l4_len, where l2_len counts every VLAN tag in the frame and
 * l3_len every IPv6 extension header. As DPDK asks of a frame with an L4
 * checksum request, its checksum field holds the pseudo-header sum (what
 * rte_ipv4_phdr_cksum() and rte_ipv6_phdr_cksum() give with ol_flags 0),
 * which is also what a virtio driver leaves there. RTE_MBUF_F_TX_UDP_SEG
 * means USO: every segment is a UDP datagram of its own (not UFO, one
 * datagram in IP fragments). Tunnels (outer headers) are not handled.
 *
 * Two users: a port that transmits mbufs (offload_segment(),
 * offload_finish_csum()), and lib/virtio, which writes the segments of a
 * frame straight into a driver's buffers with the cursor of
 * offload_gso_begin() and offload_gso_next().
 *
 * Thread context: every function may run on any lcore or thread, touches
 * only what it is given (calls on different mbufs may run at the same
 * time), never blocks, takes no lock, makes no system call and allocates
 * nothing but the segments offload_segment() takes from the pool it is
 * given.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/**
 * Longest Ethernet + IP + L4 header looked at or segmented, VLAN tags, IPv4
 * options and IPv6 extension headers included, in bytes.
 */
#define OFFLOAD_MAX_HDR_LEN 256

/**
 * Smallest gso_size (tso_segsz) segmented, in bytes: Linux never sends TCP
 * segments smaller than TCP_MIN_SND_MSS (48, include/net/tcp.h), and a tiny
 * size would turn one 64 KiB frame into tens of thousands of segments.
 */
#define OFFLOAD_MIN_GSO_SIZE 48

/** Where TCP keeps its checksum, in bytes from the start of its header. */
#define OFFLOAD_TCP_CSUM_OFFSET offsetof(struct rte_tcp_hdr, cksum)
/** Where UDP keeps its checksum, in bytes from the start of its header. */
#define OFFLOAD_UDP_CSUM_OFFSET offsetof(struct rte_udp_hdr, dgram_cksum)

/** Header lengths of a frame as offload_parse() found them, in bytes; 0 where none was found. */
struct offload_hdr_lens {
	uint32_t l2_len; /**< Ethernet and every VLAN tag */
	uint32_t l3_len; /**< IPv4 with its options, or IPv6 with its extension headers */
	uint32_t l4_len; /**< TCP with its options, or UDP */
};

/**
 * Walk a frame from its Ethernet header to its TCP or UDP header, through
 * any number of 802.1Q/802.1ad tags (0x8100, 0x88a8, 0x9100, 0x9200, 0x9300)
 * and IPv6 extension headers, reading at most OFFLOAD_MAX_HDR_LEN bytes.
 *
 * @param m    the frame; may be in several segments; not changed
 * @param lens set to the lengths found; a layer not found leaves its
 *             length and those after it 0
 * @return the RTE_PTYPE_L2_*, RTE_PTYPE_L3_* and RTE_PTYPE_L4_* bits of what
 *         was found: RTE_PTYPE_UNKNOWN for a frame shorter than an Ethernet
 *         header or cut inside a tag; no L3 bits for a frame that is not IP
 *         or whose IP header is cut; RTE_PTYPE_L4_FRAG for an IP fragment
 *         whose L4 header is not in it; no L4 bits for another protocol or
 *         a cut TCP or UDP header.
 */
uint32_t offload_parse(const struct rte_mbuf *m, struct offload_hdr_lens *lens);

/**
 * The Internet checksum of bytes [@p start, pkt_len) of a frame, as it goes
 * into a checksum field: the complement of the one's complement sum, a
 * result of 0 given as 0xffff (for UDP, 0 means "no checksum"; for TCP both
 * are the same number). The checksum field itself is in the sum, holding
 * the pseudo-header sum as a partial checksum request leaves it.
 *
 * @param m     the frame; may be in several segments; not changed
 * @param start first byte summed; at most pkt_len
 */
uint16_t offload_csum_from(const struct rte_mbuf *m, uint32_t start);

/**
 * Store 16 bits, as they are in memory, at byte @p off of a frame that may
 * be in several segments (a checksum field may straddle two).
 *
 * @param off at most pkt_len - 2; the caller checks it
 */
void offload_store16(struct rte_mbuf *m, uint32_t off, uint16_t value);

/**
 * Compute in software the checksums a frame's TX flags ask for, and clear
 * those flags (RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_IP_CKSUM), so that the
 * frame can go to a port without checksum offloads. The L4 checksum field
 * must hold the pseudo-header sum (see the file comment); the IPv4 header
 * checksum is computed from scratch. A frame with no such flag is left as
 * it is.
 *
 * The frame's data is written: every segment must be the caller's alone
 * (reference count 1, neither cloned nor attached to a shared external
 * buffer); copy a frame that is flooded to several ports first.
 *
 * @param m the frame; may be in several segments
 * @return 0; -EINVAL when a segmentation flag is set (segment first) or the
 *         lengths do not fit the frame (an IP checksum without
 *         RTE_MBUF_F_TX_IPV4, l3_len not the IPv4 header's length, a
 *         checksum field beyond pkt_len); -ENOTSUP for an SCTP checksum;
 *         -EBUSY when the data is shared. On error nothing is changed.
 */
int offload_finish_csum(struct rte_mbuf *m);

/**
 * Whether a frame's segmentation request is one this library can carry out:
 * exactly one of RTE_MBUF_F_TX_TCP_SEG (l4_len at least 20) and
 * RTE_MBUF_F_TX_UDP_SEG (l4_len 8), exactly one of RTE_MBUF_F_TX_IPV4
 * (l3_len at least 20) and RTE_MBUF_F_TX_IPV6 (l3_len at least 40), no
 * tunnel, tso_segsz at least OFFLOAD_MIN_GSO_SIZE, headers of at most
 * OFFLOAD_MAX_HDR_LEN bytes, at least one payload byte after them, and IP
 * and L4 headers plus a full segment within the 65535 bytes of an IP length
 * field. Only the mbuf's fields are looked at; offload_gso_begin() checks
 * the header bytes too.
 *
 * @return 0; -ENOTSUP for a tunnel; -EINVAL otherwise.
 */
int offload_gso_check(const struct rte_mbuf *m);

/**
 * The number of segments a frame is cut into: its payload (pkt_len after
 * l2_len + l3_len + l4_len) in tso_segsz pieces, the last one shorter. 0
 * when offload_gso_check() refuses the frame.
 */
uint32_t offload_gso_segments(const struct rte_mbuf *m);

/**
 * Cut a TSO or USO frame into frames of at most tso_segsz payload bytes,
 * each a new mbuf from @p pool with the frame's headers patched: IPv4 total
 * length, id (the frame's id plus the segment's index) and header checksum;
 * IPv6 payload length (extension headers kept); TCP sequence number and
 * flags (FIN and PSH on the last segment only, CWR on the first only) or
 * UDP length; and the L4 checksum. The headers are in the first mbuf of a
 * segment when the pool's data room holds them (it always should: 256
 * bytes); a segment longer than the data room is a chain.
 *
 * Each segment keeps l2_len, l3_len, l4_len, packet_type, port, vlan_tci,
 * vlan_tci_outer and the flags RTE_MBUF_F_TX_IPV4/IPV6 and
 * RTE_MBUF_F_TX_VLAN/QINQ; no other flag. Its L4 checksum is left to the
 * port, as the pseudo-header sum with RTE_MBUF_F_TX_TCP_CKSUM or
 * RTE_MBUF_F_TX_UDP_CKSUM set, when @p tx_offloads has
 * RTE_ETH_TX_OFFLOAD_TCP_CKSUM or RTE_ETH_TX_OFFLOAD_UDP_CKSUM for it, and
 * finished here otherwise. The IPv4 header checksum is always finished here
 * (20 to 60 bytes, cheaper than a descriptor field).
 *
 * Ownership: @p m is only read; it stays the caller's, who frees it or
 * sends it elsewhere (a flooded frame may be cut for one port and sent
 * whole to another). On success the segments are the caller's; on error
 * no segment is left allocated and @p segs is unspecified.
 *
 * @param m           the frame, with a request offload_gso_check() accepts;
 *                    may be in several segments
 * @param pool        pool for the segments
 * @param tx_offloads RTE_ETH_TX_OFFLOAD_* bits of what the port can do;
 *                    without RTE_ETH_TX_OFFLOAD_MULTI_SEGS every segment
 *                    must fit in one mbuf of @p pool
 * @param segs        filled with the segments, in order
 * @param max_segs    room in @p segs
 * @return the number of segments (at least 1); -EINVAL or -ENOTSUP as
 *         offload_gso_begin() says; -ENOSPC when more than @p max_segs
 *         segments are needed (offload_gso_segments() says how many);
 *         -EMSGSIZE when a segment would need a chain and @p tx_offloads
 *         lacks RTE_ETH_TX_OFFLOAD_MULTI_SEGS; -ENOMEM when the pool ran
 *         out.
 */
int offload_segment(const struct rte_mbuf *m, struct rte_mempool *pool, uint64_t tx_offloads,
		    struct rte_mbuf **segs, uint16_t max_segs);

/**
 * The RTE_ETH_TX_OFFLOAD_* bits a frame's TX flags ask for that are not in
 * @p tx_offloads: RTE_ETH_TX_OFFLOAD_TCP_TSO or _UDP_TSO (then call
 * offload_segment()), _TCP_CKSUM, _UDP_CKSUM, _SCTP_CKSUM or _IPV4_CKSUM
 * (then offload_finish_csum()). 0 when the port can send the frame as it is.
 */
uint64_t offload_missing(const struct rte_mbuf *m, uint64_t tx_offloads);

/**
 * A TSO or USO frame being cut, for a caller that writes each segment where
 * it wants (lib/virtio: straight into a driver's buffers). A segment is
 * hdr[0, hdr_len) followed by bytes [hdr_len + off, hdr_len + off + seg_len)
 * of the frame; offload_gso_next() patches hdr for each segment in turn.
 * The fields are read-only to the caller but hdr, whose bytes it may copy.
 */
struct offload_gso {
	uint8_t hdr[OFFLOAD_MAX_HDR_LEN]; /**< the current segment's headers */
	const struct rte_mbuf *m;	  /**< the frame; not changed */
	uint32_t l3_off;		  /**< l2_len: where the IP header starts */
	uint32_t l4_off;		  /**< l2_len + l3_len: where the L4 header starts */
	uint32_t hdr_len;		  /**< l4_off + l4_len: header bytes of every segment */
	uint32_t csum_offset; /**< where the L4 checksum is, from l4_off: 16 (TCP) or 6 (UDP) */
	uint32_t payload;     /**< payload bytes of the frame, after hdr_len */
	uint32_t off;	      /**< payload bytes before the current segment */
	uint32_t seg_len;     /**< payload bytes of the current segment; 0 before the first */
	uint32_t index;	      /**< the current segment's number, from 0 */
	uint32_t seq0;	      /**< TCP: the frame's sequence number, host order */
	uint16_t gso_size;    /**< payload bytes of every segment but the last */
	uint16_t pseudo;      /**< pseudo-header sum of the current segment, folded */
	uint16_t id0;	      /**< IPv4: the frame's id, host order */
	uint16_t ip_sum;      /**< IPv4: sum of the header but its length, id and checksum */
	uint16_t pseudo_sum;  /**< sum of the pseudo-header but its length */
	uint8_t flags0;	      /**< TCP: the frame's flags */
	bool tcp;	      /**< TCP (TSO); false: UDP (USO) */
	bool ipv4;	      /**< IPv4; false: IPv6 */
};

/**
 * Start cutting @p m: check it (offload_gso_check()), copy its headers into
 * @p g and check that they agree with the mbuf's fields (IP version; IPv4
 * header length and protocol; TCP data offset). No segment is current until
 * offload_gso_next().
 *
 * @param g filled; it holds a pointer to @p m, which must stay unchanged
 *          while @p g is used
 * @return 0; -ENOTSUP for a tunnel; -EINVAL for anything else that is
 *         refused.
 */
int offload_gso_begin(struct offload_gso *g, const struct rte_mbuf *m);

/**
 * Move to the next segment and patch the headers in g->hdr for it: IP
 * length (and IPv4 id and header checksum), TCP sequence number and flags
 * or UDP length, and g->pseudo. The L4 checksum field is left to
 * offload_gso_csum() or offload_gso_csum_partial().
 *
 * @return true, or false when the last segment has been done.
 */
bool offload_gso_next(struct offload_gso *g);

/** Finish the current segment's L4 checksum in g->hdr, over its headers and payload. */
void offload_gso_csum(struct offload_gso *g);

/**
 * Leave the current segment's L4 checksum partial: the pseudo-header sum in
 * its field, for a receiver that finishes it from l4_off to the end
 * (virtio's NEEDS_CSUM, DPDK's RTE_MBUF_F_TX_TCP_CKSUM/UDP_CKSUM). Inline:
 * it is one store per segment.
 */
static inline void offload_gso_csum_partial(struct offload_gso *g)
{
	memcpy(g->hdr + g->l4_off + g->csum_offset, &g->pseudo, sizeof(g->pseudo));
}

#endif /* OFFLOAD_H */
