/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/offload against frames built here and checked with a reference
 * checksum of its own (16-bit big-endian words, byte by byte): every segment
 * offload_segment() makes must be, byte for byte, the frame this file builds
 * for that segment's payload, sequence number and IP id, and every error
 * must leave the input as it was and no mbuf taken from the pool.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "offload.h"

#define MAX_FRAME 9200
#define MAX_SEGS  64

static struct rte_mempool *pool;  /* 2048-byte data room */
static struct rte_mempool *small; /* 512-byte data room: segments become chains */
static struct rte_mempool *tiny;  /* 3 mbufs: runs out in the middle of a frame */

/* What a test frame is made of. */
struct spec {
	int ntags;	  /* VLAN tags, outermost 802.1ad (0x88a8), the others 802.1Q */
	bool v6;	  /* IPv6, else IPv4 */
	int ext;	  /* IPv6: extension headers, Hop-by-Hop (8 bytes) then Destination (16) */
	uint32_t ip_opts; /* IPv4: option bytes, a multiple of 4 */
	bool tcp;	  /* TCP, else UDP */
	uint32_t tcp_opts;
	uint16_t id;
	uint32_t seq;
	uint8_t flags;
	bool partial; /* L4 checksum field: the pseudo-header sum (a request), else finished */
};

struct lens {
	uint32_t l2, l3, l4, len;
};

/* --- reference checksum, independent of DPDK's and the library's --- */

static uint32_t ref_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Pseudo-header sum (RFC 768, RFC 793, RFC 8200 section 8.1) of an L4 part of @l4_len bytes. */
static uint32_t ref_pseudo(const uint8_t *l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum = v6 ? ref_add(0, l3 + 8, 32) : ref_add(0, l3 + 12, 8);

	return sum + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

/* Whether the L4 checksum of the frame @f verifies. */
static bool l4_verifies(const uint8_t *f, const struct lens *l, bool v6, bool tcp)
{
	uint32_t l4_len = l->len - l->l2 - l->l3;
	uint32_t sum = ref_pseudo(f + l->l2, v6, tcp ? IPPROTO_TCP : IPPROTO_UDP, l4_len);

	return ref_fold(ref_add(sum, f + l->l2 + l->l3, l4_len)) == 0xffff;
}

static void fill_payload(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 13 + i * 7 + (i >> 8));
}

/*
 * Build the frame @s describes around @payload_len bytes at @payload into
 * @f; return its lengths. IP lengths and checksums are all filled in.
 */
static struct lens build(uint8_t *f, const struct spec *s, const uint8_t *payload,
			 uint32_t payload_len)
{
	struct lens l = {0};
	uint8_t *p = f, *l3, *l4, proto = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	uint32_t l4_len, sum;
	uint16_t value;
	int i;

	for (i = 0; i < 12; i++)
		*p++ = (uint8_t)(i < 6 ? 0x02 + i : 0x12 + i);
	for (i = 0; i < s->ntags; i++) {
		put_be16(p, i == 0 ? RTE_ETHER_TYPE_QINQ : RTE_ETHER_TYPE_VLAN);
		put_be16(p + 2, (uint16_t)(100 + i));
		p += 4;
	}
	put_be16(p, s->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	p += 2;
	l.l2 = (uint32_t)(p - f);
	l3 = p;
	l.l4 = s->tcp ? 20 + s->tcp_opts : 8;
	l4_len = l.l4 + payload_len;
	if (s->v6) {
		static const uint8_t next[] = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS};
		uint8_t *e;

		memset(l3, 0, 40);
		l3[0] = 0x60;
		l3[6] = s->ext > 0 ? next[0] : proto;
		l3[7] = 64;
		for (i = 0; i < 16; i++) {
			l3[8 + i] = (uint8_t)(0x20 + i);
			l3[24 + i] = (uint8_t)(0xf0 - i);
		}
		e = l3 + 40;
		for (i = 0; i < s->ext; i++) {
			uint32_t n = i == 0 ? 8 : 16;

			memset(e, 0, n);
			e[0] = i + 1 < s->ext ? next[i + 1] : proto;
			e[1] = (uint8_t)(n / 8 - 1);
			e[2] = 1; /* PadN */
			e[3] = (uint8_t)(n - 4);
			e += n;
		}
		l.l3 = (uint32_t)(e - l3);
		put_be16(l3 + 4, (uint16_t)(l.l3 - 40 + l4_len));
	} else {
		l.l3 = 20 + s->ip_opts;
		memset(l3, 0, l.l3);
		memset(l3 + 20, 1, s->ip_opts); /* NOP options */
		l3[0] = (uint8_t)(0x40 | l.l3 / 4);
		put_be16(l3 + 2, (uint16_t)(l.l3 + l4_len));
		put_be16(l3 + 4, s->id);
		l3[6] = 0x40; /* DF */
		l3[8] = 64;
		l3[9] = proto;
		for (i = 0; i < 4; i++) {
			l3[12 + i] = (uint8_t)(10 + i);
			l3[16 + i] = (uint8_t)(200 - i);
		}
		put_be16(l3 + 10, (uint16_t)~ref_fold(ref_add(0, l3, l.l3)));
	}
	l4 = l3 + l.l3;
	memset(l4, 0, l.l4);
	put_be16(l4, 40000);
	put_be16(l4 + 2, 443);
	if (s->tcp) {
		put_be16(l4 + 4, (uint16_t)(s->seq >> 16));
		put_be16(l4 + 6, (uint16_t)s->seq);
		put_be16(l4 + 8, 0x1234);
		l4[12] = (uint8_t)(l.l4 / 4 << 4);
		l4[13] = s->flags;
		put_be16(l4 + 14, 512);
		memset(l4 + 20, 1, s->tcp_opts);
	} else {
		put_be16(l4 + 4, (uint16_t)l4_len);
	}
	memcpy(l4 + l.l4, payload, payload_len);
	l.len = l.l2 + l.l3 + l4_len;
	sum = ref_pseudo(l3, s->v6, proto, l4_len);
	if (s->partial) {
		value = ref_fold(sum);
	} else {
		value = (uint16_t)~ref_fold(ref_add(sum, l4, l4_len));
		if (value == 0 && !s->tcp)
			value = 0xffff;
	}
	put_be16(l4 + (s->tcp ? 16 : 6), value);
	return l;
}

/* An mbuf holding @len bytes of @f in pieces of @chunk bytes. */
static struct rte_mbuf *make_mbuf(const uint8_t *f, uint32_t len, uint32_t chunk)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *tail = m;
	uint32_t off = 0;

	assert_non_null(m);
	while (off < len) {
		uint32_t n = RTE_MIN(chunk, len - off);

		if (off > 0) {
			tail = rte_pktmbuf_alloc(pool);
			assert_non_null(tail);
			assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
		}
		memcpy(rte_pktmbuf_append(tail, n), f + off, n);
		if (tail != m)
			m->pkt_len += n;
		off += n;
	}
	return m;
}

/* Ask for @m, built from @s with lengths @l, to be cut at @gso_size, as lib/virtio's dequeue does.
 */
static void request_gso(struct rte_mbuf *m, const struct spec *s, const struct lens *l,
			uint16_t gso_size)
{
	m->l2_len = l->l2;
	m->l3_len = l->l3;
	m->l4_len = l->l4;
	m->tso_segsz = gso_size;
	m->ol_flags = s->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->ol_flags |= s->tcp ? RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM
			      : RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_UDP_CKSUM;
}

/*
 * Build the frame @s describes with @payload_len bytes into @f, as a GSO
 * request of @gso_size in mbufs of @chunk bytes.
 */
static struct rte_mbuf *gso_mbuf(const struct spec *s, uint32_t payload_len, uint16_t gso_size,
				 uint32_t chunk, uint8_t *f, struct lens *l)
{
	static uint8_t payload[MAX_FRAME];
	struct spec req = *s;
	struct rte_mbuf *m;

	req.partial = true;
	fill_payload(payload, payload_len, s->seq);
	*l = build(f, &req, payload, payload_len);
	m = make_mbuf(f, l->len, chunk);
	request_gso(m, s, l, gso_size);
	return m;
}

/* Copy the bytes of @m into @out (MAX_FRAME bytes); check that its lengths add up. */
static uint32_t flatten(const struct rte_mbuf *m, uint8_t *out)
{
	uint32_t off = 0, nsegs = 0;
	const struct rte_mbuf *s;

	for (s = m; s != NULL; s = s->next, nsegs++) {
		assert_true(off + s->data_len <= MAX_FRAME);
		memcpy(out + off, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		off += s->data_len;
	}
	assert_int_equal(off, m->pkt_len);
	assert_int_equal(nsegs, m->nb_segs);
	return off;
}

/* Whether @m is byte for byte what it was when @f was built: refused calls leave it alone. */
static void assert_unchanged(const struct rte_mbuf *m, const uint8_t *f, uint32_t len)
{
	static uint8_t got[MAX_FRAME];

	assert_int_equal(flatten(m, got), len);
	assert_memory_equal(got, f, len);
}

/*
 * Cut the frame @s describes (@payload_len bytes, in input mbufs of @chunk
 * bytes) at @gso_size with @tx_offloads from @segs_pool, and check every
 * segment against the frame built for it here.
 */
static void check_segmentation(const struct spec *s, uint32_t payload_len, uint16_t gso_size,
			       uint32_t chunk, struct rte_mempool *segs_pool, uint64_t tx_offloads)
{
	static uint8_t f[MAX_FRAME], want[MAX_FRAME], got[MAX_FRAME], payload[MAX_FRAME];
	struct rte_mbuf *segs[MAX_SEGS], *m;
	unsigned int avail = rte_mempool_avail_count(segs_pool);
	uint32_t nsegs = (payload_len + gso_size - 1) / gso_size, off = 0, i;
	bool port_csum = tx_offloads &
			 (s->tcp ? RTE_ETH_TX_OFFLOAD_TCP_CKSUM : RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	struct lens l;
	int n;

	m = gso_mbuf(s, payload_len, gso_size, chunk, f, &l);
	memcpy(payload, f + l.len - payload_len, payload_len);
	assert_int_equal(offload_gso_segments(m), nsegs);
	n = offload_segment(m, segs_pool, tx_offloads, segs, MAX_SEGS);
	assert_int_equal(n, nsegs);
	assert_unchanged(m, f, l.len); /* the frame may still go whole to another port */

	for (i = 0; i < nsegs; i++) {
		uint32_t seg_len = RTE_MIN((uint32_t)gso_size, payload_len - off);
		struct spec one = *s;
		const uint8_t *l3 = got + l.l2, *l4 = l3 + l.l3;
		struct lens wl;
		uint32_t len;

		/* The frame this segment must be: its payload, id, sequence and flags. */
		one.id = (uint16_t)(s->id + i);
		one.seq = s->seq + off;
		if (i + 1 < nsegs)
			one.flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (i > 0)
			one.flags &= ~RTE_TCP_CWR_FLAG;
		one.partial = port_csum;
		wl = build(want, &one, payload + off, seg_len);

		len = flatten(segs[i], got);
		assert_int_equal(len, l.l2 + l.l3 + l.l4 + seg_len);
		assert_int_equal(wl.len, len);
		if (s->tcp) {
			assert_int_equal(get_be32(l4 + 4), s->seq + off);
			assert_int_equal(l4[13], one.flags);
		} else {
			assert_int_equal(get_be16(l4 + 4), 8 + seg_len);
		}
		if (s->v6) {
			assert_int_equal(get_be16(l3 + 4), l.l3 - 40 + l.l4 + seg_len);
		} else {
			const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

			assert_int_equal(get_be16(l3 + 2), l.l3 + l.l4 + seg_len);
			assert_int_equal(get_be16(l3 + 4), (uint16_t)(s->id + i));
			assert_int_equal(ref_fold(ref_add(0, l3, l.l3)), 0xffff);
			if (!port_csum)
				assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, l4), 0);
		}
		if (!port_csum)
			assert_true(l4_verifies(got, &wl, s->v6, s->tcp));
		assert_memory_equal(got, want, len);

		/* Metadata: the port sees a plain frame, or a checksum request. */
		assert_int_equal(segs[i]->l2_len, l.l2);
		assert_int_equal(segs[i]->l3_len, l.l3);
		assert_int_equal(segs[i]->l4_len, l.l4);
		assert_int_equal(segs[i]->tso_segsz, 0);
		assert_int_equal(segs[i]->ol_flags,
				 (s->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
					 (!port_csum ? 0
					  : s->tcp   ? RTE_MBUF_F_TX_TCP_CKSUM
						     : RTE_MBUF_F_TX_UDP_CKSUM));
		if (rte_pktmbuf_data_room_size(segs_pool) - RTE_PKTMBUF_HEADROOM >= (int)len)
			assert_int_equal(segs[i]->nb_segs, 1);
		off += seg_len;
	}
	rte_pktmbuf_free_bulk(segs, n);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(segs_pool), avail);
}

static void test_segment_tcp_ipv4(void **state)
{
	/* Ids and sequence numbers that wrap inside the frame. */
	struct spec s = {.tcp = true,
			 .id = 0xfffe,
			 .seq = 0xfffff000,
			 .flags = RTE_TCP_CWR_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG |
				  RTE_TCP_FIN_FLAG};

	(void)state;
	check_segmentation(&s, 3500, 1000, 2048, pool, 0);
	s.tcp_opts = 12; /* timestamps, as Linux sends */
	s.ip_opts = 8;
	check_segmentation(&s, 8000, 1448, 2048, pool, 0);
	/* One segment only, and a payload of exactly gso_size. */
	check_segmentation(&s, 1448, 1448, 2048, pool, 0);
}

static void test_segment_tcp_ipv6_extension_headers(void **state)
{
	struct spec s = {.v6 = true,
			 .ext = 1,
			 .tcp = true,
			 .seq = 7,
			 .flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG};

	(void)state;
	check_segmentation(&s, 3000, 1000, 2048, pool, 0);
	s.ext = 2;
	check_segmentation(&s, 2500, 1200, 2048, pool, 0);
	s.ext = 0;
	check_segmentation(&s, 2500, 1200, 2048, pool, 0);
}

static void test_segment_udp_ipv4(void **state)
{
	struct spec s = {.id = 0x1234};

	(void)state;
	check_segmentation(&s, 3500, 1000, 2048, pool, 0);
	check_segmentation(&s, 4000, 1472, 2048, pool, 0);
	s.v6 = true;
	s.ext = 1;
	check_segmentation(&s, 3500, 1000, 2048, pool, 0);
}

static void test_segment_stacked_vlan(void **state)
{
	struct spec s = {
		.ntags = 2, .tcp = true, .seq = 1, .flags = RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG};

	(void)state;
	check_segmentation(&s, 3000, 1000, 2048, pool, 0);
	s.ntags = 3;
	s.v6 = true;
	s.ext = 2;
	check_segmentation(&s, 3000, 1000, 2048, pool, 0);
	s.tcp = false;
	check_segmentation(&s, 3000, 1000, 2048, pool, 0);
}

/* Input in pieces of odd sizes: headers, payload slices and checksums span mbufs. */
static void test_segment_multi_segment_input(void **state)
{
	struct spec s = {.ntags = 1, .tcp = true, .seq = 99, .flags = RTE_TCP_ACK_FLAG};

	(void)state;
	check_segmentation(&s, 5000, 1000, 333, pool, 0);
	check_segmentation(&s, 5000, 1001, 17, pool, 0); /* headers in four mbufs */
	s.v6 = true;
	s.ext = 2;
	s.tcp = false;
	check_segmentation(&s, 5000, 999, 333, pool, 0);
}

/* Segments longer than the pool's data room are chains, for a port that takes them. */
static void test_segment_chained_output(void **state)
{
	static uint8_t f[MAX_FRAME];
	struct spec s = {.tcp = true, .flags = RTE_TCP_ACK_FLAG};
	struct rte_mbuf *segs[MAX_SEGS], *m;
	unsigned int avail = rte_mempool_avail_count(small);
	struct lens l;

	(void)state;
	check_segmentation(&s, 4000, 1448, 2048, small, RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	s.v6 = true;
	check_segmentation(&s, 4000, 1448, 700, small, RTE_ETH_TX_OFFLOAD_MULTI_SEGS);

	/* Without MULTI_SEGS a chain would not go out whole: refused before anything. */
	m = gso_mbuf(&s, 4000, 1448, 2048, f, &l);
	assert_int_equal(offload_segment(m, small, 0, segs, MAX_SEGS), -EMSGSIZE);
	assert_int_equal(rte_mempool_avail_count(small), avail);
	assert_unchanged(m, f, l.len);
	rte_pktmbuf_free(m);
}

/* A port with checksum offload but no TSO finishes the L4 checksums itself. */
static void test_segment_csum_left_to_port(void **state)
{
	struct spec s = {.tcp = true, .seq = 5, .flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG};
	uint64_t both = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;

	(void)state;
	check_segmentation(&s, 3000, 1000, 2048, pool, RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	s.v6 = true;
	s.ext = 1;
	check_segmentation(&s, 3000, 1000, 2048, pool, both);
	s.tcp = false;
	check_segmentation(&s, 3000, 1000, 2048, pool, both);
	/* UDP checksums but not TCP: TCP is finished here. */
	s.tcp = true;
	check_segmentation(&s, 3000, 1000, 2048, pool, RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
}

/* A UDP segment whose checksum comes out as 0 goes out as 0xffff: 0 means "none". */
static void test_segment_udp_zero_checksum(void **state)
{
	static uint8_t f[MAX_FRAME], got[MAX_FRAME];
	struct spec s = {.id = 1};
	struct rte_mbuf *m, *seg;
	uint8_t *l4;
	uint32_t sum;
	struct lens l;

	(void)state;
	/* Choose the first payload word so that the datagram sums to 0xffff. */
	m = gso_mbuf(&s, 100, 1000, 2048, f, &l);
	l4 = f + l.l2 + l.l3;
	put_be16(l4 + 6, 0);
	sum = ref_pseudo(f + l.l2, false, IPPROTO_UDP, l.l4 + 100);
	put_be16(l4 + 8, 0);
	put_be16(l4 + 8, (uint16_t)~ref_fold(ref_add(sum, l4, l.l4 + 100)));
	put_be16(l4 + 6, ref_fold(sum));
	rte_pktmbuf_free(m);
	m = make_mbuf(f, l.len, 2048);
	m->l2_len = l.l2;
	m->l3_len = l.l3;
	m->l4_len = l.l4;
	m->tso_segsz = 1000;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(offload_segment(m, pool, 0, &seg, 1), 1);
	flatten(seg, got);
	assert_int_equal(get_be16(got + l.l2 + l.l3 + 6), 0xffff);
	assert_true(l4_verifies(got, &l, false, false));
	rte_pktmbuf_free(seg);

	/* The same rule when the checksum is finished without segmenting. */
	assert_int_equal(get_be16(rte_pktmbuf_mtod_offset(m, uint8_t *, l.l2 + l.l3 + 6)),
			 ref_fold(sum));
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(offload_finish_csum(m), 0);
	assert_int_equal(get_be16(rte_pktmbuf_mtod_offset(m, uint8_t *, l.l2 + l.l3 + 6)), 0xffff);
	rte_pktmbuf_free(m);
}

/* Refused requests: the documented errno, the frame unchanged, no mbuf taken. */
static void expect_refused(struct rte_mbuf *m, const uint8_t *f, uint32_t len,
			   struct rte_mempool *p, uint64_t tx_offloads, uint16_t max_segs, int err)
{
	struct rte_mbuf *segs[MAX_SEGS];
	unsigned int avail = rte_mempool_avail_count(p);

	assert_int_equal(offload_segment(m, p, tx_offloads, segs, max_segs), err);
	assert_int_equal(rte_mempool_avail_count(p), avail);
	assert_unchanged(m, f, len);
}

static void test_segment_refused(void **state)
{
	static uint8_t f[MAX_FRAME];
	struct spec tcp4 = {.tcp = true, .flags = RTE_TCP_ACK_FLAG}, tcp6 = tcp4;
	struct rte_mbuf *m, *segs[MAX_SEGS];
	unsigned int avail = rte_mempool_avail_count(pool);
	struct lens l;
	uint64_t fl;

	(void)state;
	tcp6.v6 = true;
	m = gso_mbuf(&tcp4, 3000, 1000, 2048, f, &l);
	fl = m->ol_flags;

	/* gso_size: 1 and 47 refused, 48 (OFFLOAD_MIN_GSO_SIZE) cut. */
	m->tso_segsz = 1;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	assert_int_equal(offload_gso_segments(m), 0);
	m->tso_segsz = OFFLOAD_MIN_GSO_SIZE - 1;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->tso_segsz = OFFLOAD_MIN_GSO_SIZE;
	assert_int_equal(offload_gso_segments(m), 63);
	/* No room in segs: 63 segments for 62 places, or 3 for 2. */
	expect_refused(m, f, l.len, pool, 0, 62, -ENOSPC);
	assert_int_equal(offload_segment(m, pool, 0, segs, 63), 63);
	rte_pktmbuf_free_bulk(segs, 63);
	m->tso_segsz = 1000;
	expect_refused(m, f, l.len, pool, 0, 2, -ENOSPC);

	/* Headers longer than OFFLOAD_MAX_HDR_LEN. */
	m->l4_len = 60;
	m->l3_len = 511;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	rte_pktmbuf_free(m);
	/* Truncated: cut inside the TCP header, or no payload after the headers. */
	m = gso_mbuf(&tcp4, 3000, 1000, 2048, f, &l);
	rte_pktmbuf_free(m);
	m = make_mbuf(f, l.l2 + l.l3 + 10, 2048);
	request_gso(m, &tcp4, &l, 1000);
	expect_refused(m, f, l.l2 + l.l3 + 10, pool, 0, MAX_SEGS, -EINVAL);
	rte_pktmbuf_free(m);
	m = make_mbuf(f, l.l2 + l.l3 + l.l4, 2048);
	request_gso(m, &tcp4, &l, 1000);
	expect_refused(m, f, l.l2 + l.l3 + l.l4, pool, 0, MAX_SEGS, -EINVAL);
	rte_pktmbuf_free(m);

	/* Lengths and flags that do not describe a TSO or USO frame. */
	m = gso_mbuf(&tcp4, 3000, 1000, 2048, f, &l);
	m->l4_len = 16; /* shorter than TCP */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->l4_len = 20;
	m->ol_flags = fl | RTE_MBUF_F_TX_UDP_SEG; /* both */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->ol_flags = fl & ~RTE_MBUF_F_TX_TCP_SEG; /* neither */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->ol_flags = fl & ~RTE_MBUF_F_TX_IPV4; /* no IP version */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->ol_flags = fl | RTE_MBUF_F_TX_IPV6; /* both */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->ol_flags = fl | RTE_MBUF_F_TX_TUNNEL_VXLAN;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -ENOTSUP);
	/* Fields that contradict the bytes: the patching would write in the wrong place. */
	m->ol_flags = fl;
	m->l4_len = 24; /* the TCP header says 20 */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->l4_len = 20;
	m->l3_len = 20;
	m->ol_flags = (fl & ~RTE_MBUF_F_TX_IPV4) | RTE_MBUF_F_TX_IPV6; /* an IPv4 frame */
	m->l3_len = 40;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	m->l3_len = 24; /* IHL says 20 */
	m->ol_flags = fl;
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	rte_pktmbuf_free(m);

	m = gso_mbuf(&tcp6, 3000, 1000, 2048, f, &l);
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_IPV6) | RTE_MBUF_F_TX_IPV4; /* an IPv6 frame */
	expect_refused(m, f, l.len, pool, 0, MAX_SEGS, -EINVAL);
	rte_pktmbuf_free(m);

	/* The pool runs dry after three segments: they go back, -ENOMEM. */
	m = gso_mbuf(&tcp4, 3000, 400, 2048, f, &l);
	expect_refused(m, f, l.len, tiny, 0, MAX_SEGS, -ENOMEM);
	rte_pktmbuf_free(m);
	/* In the middle of a chain: the one segment, 1654 bytes, needs four. */
	m = gso_mbuf(&tcp4, 1600, 1600, 2048, f, &l);
	expect_refused(m, f, l.len, tiny, RTE_ETH_TX_OFFLOAD_MULTI_SEGS, MAX_SEGS, -ENOMEM);
	rte_pktmbuf_free(m);
	m = gso_mbuf(&tcp4, 400, 1000, 2048, f, &l);
	assert_int_equal(offload_segment(m, tiny, 0, segs, MAX_SEGS), 1);
	rte_pktmbuf_free(segs[0]);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

/* The cursor lib/virtio uses: the same segments, written where the caller wants. */
static void test_gso_cursor(void **state)
{
	static uint8_t f[MAX_FRAME];
	struct spec s = {.ntags = 1, .v6 = true, .ext = 1, .tcp = true, .seq = 3};
	struct offload_gso g;
	struct rte_mbuf *m;
	uint32_t count = 0, total = 0;
	struct lens l;

	(void)state;
	m = gso_mbuf(&s, 2500, 1000, 2048, f, &l);
	assert_int_equal(offload_gso_begin(&g, m), 0);
	assert_int_equal(g.l4_off, l.l2 + l.l3);
	assert_int_equal(g.hdr_len, l.l2 + l.l3 + l.l4);
	assert_int_equal(g.csum_offset, 16);
	while (offload_gso_next(&g)) {
		assert_int_equal(g.index, count);
		assert_int_equal(g.off, total);
		assert_int_equal(g.seg_len, count < 2 ? 1000 : 500);
		offload_gso_csum_partial(&g);
		/* The pseudo-header sum of this segment's length, in memory order. */
		assert_int_equal(
			get_be16(g.hdr + g.l4_off + 16),
			ref_fold(ref_pseudo(g.hdr + l.l2, true, IPPROTO_TCP, l.l4 + g.seg_len)));
		total += g.seg_len;
		count++;
	}
	assert_int_equal(count, 3);
	assert_int_equal(total, 2500);
	assert_false(offload_gso_next(&g)); /* stays done */
	rte_pktmbuf_free(m);
}

/*
 * A frame with a checksum request (pseudo-header sum in the field, as DPDK
 * and virtio leave it) in pieces of @chunk bytes, finished here.
 */
static void check_finish(const struct spec *s, uint32_t payload_len, uint32_t chunk)
{
	static uint8_t f[MAX_FRAME], want[MAX_FRAME], got[MAX_FRAME], payload[MAX_FRAME];
	struct spec done = *s;
	struct rte_mbuf *m;
	struct lens l;

	fill_payload(payload, payload_len, payload_len);
	done.partial = false;
	build(want, &done, payload, payload_len);
	l = build(f, s, payload, payload_len);
	if (!s->v6)
		memset(f + l.l2 + 10, 0xee, 2); /* the IPv4 checksum is computed from scratch */
	m = make_mbuf(f, l.len, chunk);
	m->l2_len = l.l2;
	m->l3_len = l.l3;
	m->l4_len = l.l4;
	m->ol_flags = s->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->ol_flags |= s->tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(offload_finish_csum(m), 0);
	assert_int_equal(m->ol_flags, s->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	assert_int_equal(flatten(m, got), l.len);
	assert_true(l4_verifies(got, &l, s->v6, s->tcp));
	if (!s->v6) {
		assert_int_equal(ref_fold(ref_add(0, got + l.l2, l.l3)), 0xffff);
		assert_int_equal(
			rte_ipv4_udptcp_cksum_verify((const struct rte_ipv4_hdr *)(got + l.l2),
						     got + l.l2 + l.l3),
			0);
	}
	assert_memory_equal(got, want, l.len);
	/* Nothing left to do: a second call changes nothing. */
	assert_int_equal(offload_finish_csum(m), 0);
	assert_int_equal(flatten(m, got), l.len);
	assert_memory_equal(got, want, l.len);
	rte_pktmbuf_free(m);
}

static void test_finish_csum(void **state)
{
	struct spec s = {.tcp = true, .seq = 1, .flags = RTE_TCP_ACK_FLAG, .partial = true};
	unsigned int avail = rte_mempool_avail_count(pool);
	int v6, tcp;
	uint32_t chunk;

	(void)state;
	for (v6 = 0; v6 < 2; v6++) {
		for (tcp = 0; tcp < 2; tcp++) {
			s.v6 = v6;
			s.tcp = tcp;
			s.ext = v6;
			check_finish(&s, 1000, 2048);
			check_finish(&s, 1001, 2048);
			/* Chunks that split headers and the checksum field itself. */
			for (chunk = 13; chunk < 60; chunk += 7)
				check_finish(&s, 777, chunk);
		}
	}
	s.ntags = 2;
	check_finish(&s, 300, 2048);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void test_finish_csum_refused(void **state)
{
	static uint8_t f[MAX_FRAME], payload[64];
	struct spec s = {.tcp = true, .partial = true};
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m, *clone;
	struct lens l;
	uint64_t fl = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;

	(void)state;
	fill_payload(payload, sizeof(payload), 1);
	l = build(f, &s, payload, sizeof(payload));
	m = make_mbuf(f, l.len, 2048);
	m->l2_len = l.l2;
	m->l3_len = l.l3;
	m->l4_len = l.l4;

	m->ol_flags = fl | RTE_MBUF_F_TX_TCP_SEG; /* segment first */
	m->tso_segsz = 1000;
	assert_int_equal(offload_finish_csum(m), -EINVAL);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM;
	assert_int_equal(offload_finish_csum(m), -ENOTSUP);
	m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM; /* IPv4 checksum of IPv6 */
	assert_int_equal(offload_finish_csum(m), -EINVAL);
	m->ol_flags = fl;
	m->l3_len = 24; /* IHL says 20 */
	assert_int_equal(offload_finish_csum(m), -EINVAL);
	m->l3_len = 20;
	m->l2_len = 127; /* the checksum field past the end */
	assert_int_equal(offload_finish_csum(m), -EINVAL);
	m->l2_len = l.l2;
	/* Shared data: another port may still want the request as it is. */
	clone = rte_pktmbuf_clone(m, pool);
	assert_non_null(clone);
	assert_int_equal(offload_finish_csum(m), -EBUSY);
	assert_int_equal(offload_finish_csum(clone), -EBUSY);
	rte_pktmbuf_free(clone);
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(offload_finish_csum(m), -EBUSY);
	rte_mbuf_refcnt_update(m, -1);
	assert_unchanged(m, f, l.len);
	assert_int_equal(m->ol_flags, fl);
	/* No request: nothing to do. */
	m->ol_flags = RTE_MBUF_F_TX_IPV4;
	assert_int_equal(offload_finish_csum(m), 0);
	assert_unchanged(m, f, l.len);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void test_parse(void **state)
{
	static uint8_t f[MAX_FRAME], payload[100];
	struct spec s = {.ntags = 3, .v6 = true, .ext = 2, .tcp = true, .tcp_opts = 12};
	struct offload_hdr_lens lens;
	struct rte_mbuf *m;
	struct lens l;

	(void)state;
	l = build(f, &s, payload, sizeof(payload));
	m = make_mbuf(f, l.len, 29);
	assert_int_equal(offload_parse(m, &lens),
			 RTE_PTYPE_L2_ETHER_QINQ | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_TCP);
	assert_int_equal(lens.l2_len, 14 + 12);
	assert_int_equal(lens.l3_len, 40 + 8 + 16);
	assert_int_equal(lens.l4_len, 32);
	/* Cut inside the TCP header: L3 found, no L4. */
	rte_pktmbuf_free(m);
	m = make_mbuf(f, l.l2 + l.l3 + 10, 29);
	assert_int_equal(offload_parse(m, &lens), RTE_PTYPE_L2_ETHER_QINQ | RTE_PTYPE_L3_IPV6_EXT);
	assert_int_equal(lens.l4_len, 0);
	rte_pktmbuf_free(m);
	/* Cut inside a tag. */
	m = make_mbuf(f, 16, 29);
	assert_int_equal(offload_parse(m, &lens), RTE_PTYPE_UNKNOWN);
	assert_int_equal(lens.l2_len, 0);
	rte_pktmbuf_free(m);

	s = (struct spec){.ip_opts = 4};
	l = build(f, &s, payload, sizeof(payload));
	m = make_mbuf(f, l.len, 2048);
	assert_int_equal(offload_parse(m, &lens),
			 RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT | RTE_PTYPE_L4_UDP);
	assert_int_equal(lens.l3_len, 24);
	assert_int_equal(lens.l4_len, 8);
	rte_pktmbuf_free(m);
}

static void test_missing(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint64_t all = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO |
		       RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		       RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_SCTP_CKSUM;

	(void)state;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG |
		      RTE_MBUF_F_TX_TCP_CKSUM;
	assert_int_equal(offload_missing(m, 0), RTE_ETH_TX_OFFLOAD_TCP_TSO |
							RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
							RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	assert_int_equal(
		offload_missing(m, RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM),
		RTE_ETH_TX_OFFLOAD_TCP_TSO);
	assert_int_equal(offload_missing(m, all), 0);
	m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(offload_missing(m, RTE_ETH_TX_OFFLOAD_TCP_TSO),
			 RTE_ETH_TX_OFFLOAD_UDP_TSO | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM;
	assert_int_equal(offload_missing(m, 0), RTE_ETH_TX_OFFLOAD_SCTP_CKSUM);
	m->ol_flags = RTE_MBUF_F_TX_IPV4;
	assert_int_equal(offload_missing(m, 0), 0);
	rte_pktmbuf_free(m);
}

static int init_eal(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"256",	     "-l",	 "0",		"--log-level=3"};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	small = rte_pktmbuf_pool_create("small", 1023, 0, 0, RTE_PKTMBUF_HEADROOM + 512,
					SOCKET_ID_ANY);
	tiny = rte_pktmbuf_pool_create("tiny", 3, 0, 0, RTE_PKTMBUF_HEADROOM + 512, SOCKET_ID_ANY);
	return pool == NULL || small == NULL || tiny == NULL ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_tcp_ipv4),
		cmocka_unit_test(test_segment_tcp_ipv6_extension_headers),
		cmocka_unit_test(test_segment_udp_ipv4),
		cmocka_unit_test(test_segment_stacked_vlan),
		cmocka_unit_test(test_segment_multi_segment_input),
		cmocka_unit_test(test_segment_chained_output),
		cmocka_unit_test(test_segment_csum_left_to_port),
		cmocka_unit_test(test_segment_udp_zero_checksum),
		cmocka_unit_test(test_segment_refused),
		cmocka_unit_test(test_gso_cursor),
		cmocka_unit_test(test_finish_csum),
		cmocka_unit_test(test_finish_csum_refused),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_missing),
	};

	if (init_eal() != 0) {
		fprintf(stderr, "test_offload: cannot initialise DPDK's EAL and mempools\n");
		return 1;
	}
	return cmocka_run_group_tests_name("offload", tests, NULL, NULL);
}
