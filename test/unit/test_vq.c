/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue engine against the driver model: data byte for byte, ring
 * protocol, and every hardening rule. The common tests run on both ring
 * layouts; the others poke at one layout's own structures.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/virtio_config.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "virtio_driver.h"
#include "vq_priv.h"
#include "virtio_net_uso.h"

#define F(bit)	  (1ULL << (bit))
#define BASE_FEAT (F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM))
#define RING_SIZE 256
#define BURST	  32

static struct rte_mempool *pool;
/* VIRTIO_F_RING_PACKED or 0: the layout the common tests run on. */
static uint64_t layout;

struct fixture {
	struct drv drv;
	struct vq *vq;
	struct rte_mbuf *pkts[BURST];
};

static struct fixture *setup(uint16_t size, uint64_t features, uint16_t start_idx)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vq_config cfg;
	int err;

	assert_non_null(f);
	drv_init(&f->drv, size, BASE_FEAT | layout | features, start_idx);
	cfg = drv_vq_config(&f->drv);
	f->vq = vq_create(&cfg, SOCKET_ID_ANY, &err);
	assert_non_null(f->vq);
	return f;
}

/* The engine's ring state once it has taken all the driver published. */
static uint16_t driver_avail_state(const struct fixture *f)
{
	if (f->drv.packed)
		return f->drv.avail_idx | (f->drv.avail_wrap ? VQ_PACKED_WRAP : 0);
	return f->drv.avail_idx;
}

static void teardown(struct fixture *f)
{
	vq_free(f->vq);
	drv_fini(&f->drv);
	free(f);
}

static struct vq_stats stats(const struct fixture *f)
{
	struct vq_stats s;

	vq_get_stats(f->vq, &s);
	return s;
}

static void fill_pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* Flatten an mbuf chain and compare it with @want. */
static void assert_mbuf_bytes(const struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	uint8_t *flat = malloc(len ? len : 1);
	uint32_t off = 0;

	assert_int_equal(m->pkt_len, len);
	for (; m != NULL; m = m->next) {
		assert_true(off + m->data_len <= len);
		memcpy(flat + off, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		off += m->data_len;
	}
	assert_int_equal(off, len);
	assert_memory_equal(flat, want, len);
	free(flat);
}

static void assert_used(struct fixture *f, uint16_t id, uint32_t len)
{
	uint16_t got_id;
	uint32_t got_len;

	assert_true(drv_get_used(&f->drv, &got_id, &got_len));
	assert_int_equal(got_id, id);
	assert_int_equal(got_len, len);
}

static const struct virtio_net_hdr no_hdr;

/* --- dequeue: driver TX to mbufs --- */

static void dequeue_one(uint32_t len, const uint32_t *cuts, int ncuts, bool indirect,
			uint64_t features)
{
	struct fixture *f = setup(RING_SIZE, features, 0);
	uint8_t *data = malloc(len);
	uint16_t head;

	fill_pattern(data, len, len);
	head = drv_tx(&f->drv, &no_hdr, data, len, cuts, ncuts, indirect);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_mbuf_bytes(f->pkts[0], data, len);
	assert_used(f, head, 0); /* nothing written into TX buffers */
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	assert_int_equal(stats(f).packets, 1);
	assert_int_equal(stats(f).bytes, len);
	rte_pktmbuf_free(f->pkts[0]);
	free(data);
	teardown(f);
}

static void test_dequeue_single_descriptor(void **state)
{
	(void)state;
	dequeue_one(60, NULL, 0, false, 0);
}

static void test_dequeue_header_in_own_descriptor(void **state)
{
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 20, 20};

	(void)state;
	dequeue_one(100, cuts, 3, false, 0);
}

/* The first descriptor holds header and frame start: a chain all the same. */
static void test_dequeue_frame_split_after_header(void **state)
{
	static const uint32_t cuts[] = {40, 72};

	(void)state;
	dequeue_one(100, cuts, 2, false, 0);
}

static void test_dequeue_header_split_across_descriptors(void **state)
{
	static const uint32_t cuts[] = {5, 4, 3, 1, 50};

	(void)state;
	dequeue_one(300, cuts, 5, false, 0);
}

static void test_dequeue_indirect(void **state)
{
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 64, 64, 64};

	(void)state;
	dequeue_one(1500, cuts, 4, true, F(VIRTIO_RING_F_INDIRECT_DESC));
}

/*
 * Split rings take one-descriptor frames by a fast path that must hand
 * anything else to the general one, in order: a plain frame, a bad header,
 * one with a checksum request, a chained one, a bad chain, and a plain one.
 */
static void test_dequeue_plain_and_other_chains_mixed(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 30};
	struct virtio_net_hdr csum = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 4,
		.csum_offset = 6,
	};
	struct virtio_net_hdr gso_no_csum = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 10};
	struct drv_buf wrong = {drv_alloc(&f->drv, 200, 8), 200};
	uint8_t data[4][100];
	uint16_t heads[6];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		fill_pattern(data[i], 100, 40 + i);
	heads[0] = drv_tx(&f->drv, &no_hdr, data[0], 100, NULL, 0, false);
	heads[1] = drv_tx(&f->drv, &gso_no_csum, data[1], 100, NULL, 0, false);
	heads[2] = drv_tx(&f->drv, &csum, data[1], 100, NULL, 0, false);
	heads[3] = drv_tx(&f->drv, &no_hdr, data[2], 100, cuts, 2, false);
	heads[4] = drv_chain(&f->drv, &wrong, 1, VRING_DESC_F_WRITE, false);
	heads[5] = drv_tx(&f->drv, &no_hdr, data[3], 100, NULL, 0, false);
	for (i = 0; i < 6; i++)
		drv_publish(&f->drv, heads[i]);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 4);
	assert_mbuf_bytes(f->pkts[0], data[0], 100);
	/* The checksum was finished in software: bytes 10-11 hold it now. */
	assert_int_equal(f->pkts[1]->pkt_len, 100);
	assert_memory_equal(rte_pktmbuf_mtod(f->pkts[1], uint8_t *), data[1], 10);
	assert_int_not_equal(memcmp(rte_pktmbuf_mtod(f->pkts[1], uint8_t *) + 10, data[1] + 10, 2),
			     0);
	assert_memory_equal(rte_pktmbuf_mtod(f->pkts[1], uint8_t *) + 12, data[1] + 12, 88);
	assert_mbuf_bytes(f->pkts[2], data[2], 100);
	assert_mbuf_bytes(f->pkts[3], data[3], 100);
	for (i = 0; i < 6; i++)
		assert_used(f, heads[i], 0);
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	assert_int_equal(stats(f).bad_headers, 1);
	assert_int_equal(stats(f).bad_chains, 1);
	assert_int_equal(stats(f).packets, 4);
	assert_int_equal(stats(f).bytes, 400);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->pkts[i]->nb_segs, 1);
		assert_int_equal(f->pkts[i]->ol_flags, 0);
		rte_pktmbuf_free(f->pkts[i]);
	}
	teardown(f);
}

/* A burst of nothing but bad headers is returned to the driver all the same. */
static void test_dequeue_only_bad_headers(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct virtio_net_hdr bad = {.flags = 0x40};
	uint8_t data[60] = {0};
	uint16_t heads[3];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		heads[i] = drv_tx(&f->drv, &bad, data, sizeof(data), NULL, 0, false);
		drv_publish(&f->drv, heads[i]);
	}
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	for (i = 0; i < 3; i++)
		assert_used(f, heads[i], 0);
	assert_int_equal(stats(f).bad_headers, 3);
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	teardown(f);
}

static void test_dequeue_jumbo_chains_mbufs(void **state)
{
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 4096, 4096};

	(void)state;
	dequeue_one(9000, cuts, 3, false, 0);
}

static void test_dequeue_gso_sized_frame(void **state)
{
	(void)state;
	dequeue_one(VQ_MAX_PKT_LEN, NULL, 0, false, 0);
}

static void test_dequeue_buffer_spanning_regions(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	uint8_t data[1000];
	uint16_t head;

	(void)state;
	fill_pattern(data, sizeof(data), 3);
	/* Place the frame across the boundary of the two host regions. */
	f->drv.next_iova = DRV_IOVA_BASE + DRV_REGION_LEN - 300;
	head = drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_mbuf_bytes(f->pkts[0], data, sizeof(data));
	rte_pktmbuf_free(f->pkts[0]);
	teardown(f);
}

static void test_dequeue_index_wraparound(void **state)
{
	struct fixture *f = setup(16, 0, 65530);
	uint8_t data[64];
	int round, i;

	(void)state;
	for (round = 0; round < 3; round++) {
		uint16_t heads[10];

		for (i = 0; i < 10; i++) {
			fill_pattern(data, sizeof(data), round * 10 + i);
			heads[i] = drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false);
			drv_publish(&f->drv, heads[i]);
		}
		assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 10);
		for (i = 0; i < 10; i++) {
			fill_pattern(data, sizeof(data), round * 10 + i);
			assert_mbuf_bytes(f->pkts[i], data, sizeof(data));
			assert_used(f, heads[i], 0);
		}
		rte_pktmbuf_free_bulk(f->pkts, 10);
	}
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	assert_int_equal(drv_pending_used(&f->drv), 0);
	teardown(f);
}

static void test_dequeue_full_ring_and_burst_limit(void **state)
{
	struct fixture *f = setup(64, 0, 0);
	uint8_t data[64] = {0};
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), BURST);
	rte_pktmbuf_free_bulk(f->pkts, BURST);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), BURST);
	rte_pktmbuf_free_bulk(f->pkts, BURST);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	assert_false(vq_is_broken(f->vq));
	teardown(f);
}

/* --- hardening: bad chains are returned with len 0 and counted --- */

/* Publish @head, expect it returned unused, then check a good frame still flows. */
static void expect_bad_tx_chain(struct fixture *f, uint16_t head)
{
	uint8_t data[80];
	uint16_t good;

	drv_publish(&f->drv, head);
	fill_pattern(data, sizeof(data), 9);
	good = drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false);
	drv_publish(&f->drv, good);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_mbuf_bytes(f->pkts[0], data, sizeof(data));
	rte_pktmbuf_free(f->pkts[0]);
	assert_used(f, head, 0);
	assert_used(f, good, 0);
	assert_false(vq_is_broken(f->vq));
}

static void test_bad_next_out_of_range(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf bufs[2] = {{drv_alloc(&f->drv, 64, 8), 64}, {drv_alloc(&f->drv, 64, 8), 64}};
	uint16_t head = drv_chain(&f->drv, bufs, 2, 0, false);

	(void)state;
	f->drv.desc[head].next = RING_SIZE; /* one past the table */
	expect_bad_tx_chain(f, head);
	assert_int_equal(stats(f).bad_chains, 1);
	teardown(f);
}

static void test_bad_descriptor_loop(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf bufs[3];
	uint16_t head;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		bufs[i] = (struct drv_buf){drv_alloc(&f->drv, 64, 8), 64};
	head = drv_chain(&f->drv, bufs, 3, 0, false);
	f->drv.desc[(head + 2) % RING_SIZE].flags |= VRING_DESC_F_NEXT;
	f->drv.desc[(head + 2) % RING_SIZE].next = head; /* back to the start */
	expect_bad_tx_chain(f, head);
	assert_int_equal(stats(f).bad_chains, 1);
	teardown(f);
}

static void test_bad_chain_longer_than_ring(void **state)
{
	struct fixture *f = setup(16, 0, 0);
	struct drv_buf bufs[16];
	uint16_t head;
	int i;

	(void)state;
	/*
	 * Sixteen descriptors are fine; the last pointing back makes seventeen.
	 * Empty buffers: only the length cap can stop the walk.
	 */
	for (i = 0; i < 16; i++)
		bufs[i] = (struct drv_buf){drv_alloc(&f->drv, 8, 8), 0};
	head = drv_chain(&f->drv, bufs, 16, 0, false);
	f->drv.desc[(head + 15) % 16].flags |= VRING_DESC_F_NEXT;
	f->drv.desc[(head + 15) % 16].next = (head + 15) % 16;
	drv_publish(&f->drv, head);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	assert_used(f, head, 0);
	assert_int_equal(stats(f).bad_chains, 1);
	teardown(f);
}

static void test_bad_unmapped_address(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf buf = {DRV_IOVA_BASE - 4096, 100};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	teardown(f);
}

static void test_bad_address_runs_past_mapping(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	/* Starts mapped, ends in the hole after the second region. */
	struct drv_buf buf = {DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN - 50, 100};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	teardown(f);
}

static void test_bad_address_after_cached_region(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	uint8_t data[64] = {0};
	struct drv_buf hole = {DRV_IOVA_BASE + DRV_REGION_LEN / 2, 64};

	(void)state;
	/* Prime the translation cache with the first region, then go past its end. */
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
	assert_true(drv_get_used(&f->drv, &(uint16_t){0}, &(uint32_t){0}));
	hole.iova = DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN + 4096; /* between regions */
	expect_bad_tx_chain(f, drv_chain(&f->drv, &hole, 1, 0, false));
	teardown(f);
}

static void test_bad_address_wraps(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf buf = {UINT64_MAX - 10, 100};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	teardown(f);
}

static void test_bad_address_wraps_between_mapped_regions(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static uint8_t top[4096], bottom[4096];
	struct drv_buf buf = {UINT64_MAX - 10, 100};
	struct vq_config cfg;
	int err;

	(void)state;
	/* Both ends of the IOVA space are mapped: only the wrap check stops this. */
	drv_init(&f->drv, RING_SIZE, BASE_FEAT, 0);
	assert_int_equal(
		vq_mem_table_add(&f->drv.mem, UINT64_MAX - 4095, UINT64_MAX, top, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_add(&f->drv.mem, 0, 4095, bottom, VQ_MEM_READ), 0);
	cfg = drv_vq_config(&f->drv);
	f->vq = vq_create(&cfg, SOCKET_ID_ANY, &err);
	assert_non_null(f->vq);
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	teardown(f);
}

static void test_bad_writable_descriptor_in_tx(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf buf = {drv_alloc(&f->drv, 100, 8), 100};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, VRING_DESC_F_WRITE, false));
	teardown(f);
}

static void test_bad_chain_shorter_than_header(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf buf = {drv_alloc(&f->drv, 8, 8), VQ_NET_HDR_LEN - 1};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	teardown(f);
}

static void test_bad_frame_too_big(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf buf = {drv_alloc(&f->drv, 70000, 8), VQ_NET_HDR_LEN + VQ_MAX_PKT_LEN + 1};

	(void)state;
	expect_bad_tx_chain(f, drv_chain(&f->drv, &buf, 1, 0, false));
	assert_int_equal(stats(f).too_big, 1);
	teardown(f);
}

static void test_bad_indirect_not_negotiated(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	uint8_t data[64] = {0};

	(void)state;
	expect_bad_tx_chain(f, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, true));
	teardown(f);
}

/* An indirect chain, then let @mutate break it. */
static void expect_bad_indirect(void (*mutate)(struct drv *d, uint16_t head))
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_RING_F_INDIRECT_DESC), 0);
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 32};
	uint8_t data[64] = {0};
	uint16_t head = drv_tx(&f->drv, &no_hdr, data, sizeof(data), cuts, 2, true);

	mutate(&f->drv, head);
	expect_bad_tx_chain(f, head);
	assert_int_equal(stats(f).bad_chains, 1);
	teardown(f);
}

static void make_nested(struct drv *d, uint16_t head)
{
	struct vring_desc *table = drv_ptr(d, d->desc[head].addr);
	uint64_t inner_iova = drv_alloc(d, 2 * sizeof(struct vring_desc), 16);
	struct vring_desc *inner = drv_ptr(d, inner_iova);

	/* A well-formed second table: only the nesting is wrong. */
	inner[0] = table[1];
	inner[1] = table[2];
	inner[0].next = 1;
	table[1] = (struct vring_desc){
		.addr = inner_iova,
		.len = 2 * sizeof(struct vring_desc),
		.flags = VRING_DESC_F_INDIRECT,
	};
}

static void make_len_not_multiple(struct drv *d, uint16_t head)
{
	d->desc[head].len += 8; /* three whole entries and half of one */
}

static void make_indirect_with_next(struct drv *d, uint16_t head)
{
	d->desc[head].flags |= VRING_DESC_F_NEXT;
	d->desc[head].next = head;
}

static void make_table_too_long(struct drv *d, uint16_t head)
{
	d->desc[head].len = sizeof(struct vring_desc) * (RING_SIZE + 1);
}

static void make_table_unmapped(struct drv *d, uint16_t head)
{
	d->desc[head].addr = DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN + 64;
}

static void make_indirect_next_out_of_table(struct drv *d, uint16_t head)
{
	struct vring_desc *table = drv_ptr(d, d->desc[head].addr);

	table[0].next = 200; /* the table has three entries */
}

static void make_indirect_loop(struct drv *d, uint16_t head)
{
	struct vring_desc *table = drv_ptr(d, d->desc[head].addr);

	table[1].flags |= VRING_DESC_F_NEXT;
	table[1].next = 0;
}

static void test_bad_indirect_nested(void **state)
{
	(void)state;
	expect_bad_indirect(make_nested);
}

static void test_bad_indirect_len(void **state)
{
	(void)state;
	expect_bad_indirect(make_len_not_multiple);
}

static void test_bad_indirect_with_next(void **state)
{
	(void)state;
	expect_bad_indirect(make_indirect_with_next);
}

static void test_bad_indirect_too_long(void **state)
{
	(void)state;
	expect_bad_indirect(make_table_too_long);
}

static void test_bad_indirect_unmapped(void **state)
{
	(void)state;
	expect_bad_indirect(make_table_unmapped);
}

static void test_bad_indirect_next_out_of_table(void **state)
{
	(void)state;
	expect_bad_indirect(make_indirect_next_out_of_table);
}

static void test_bad_indirect_loop(void **state)
{
	(void)state;
	expect_bad_indirect(make_indirect_loop);
}

static void test_bad_csum_start_beyond_frame(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 50,
		.csum_offset = 16,
	};
	uint8_t data[64] = {0};

	(void)state;
	expect_bad_tx_chain(f, drv_tx(&f->drv, &hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(stats(f).bad_headers, 1);
	teardown(f);
}

/* --- ring protocol violations break the queue, alone --- */

static void test_broken_avail_idx_runs_ahead(void **state)
{
	struct fixture *f = setup(16, 0, 0);

	(void)state;
	__atomic_store_n(&f->drv.avail->idx, 17, __ATOMIC_RELEASE);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	assert_true(vq_is_broken(f->vq));
	assert_int_equal(f->drv.used->idx, 0);
	teardown(f);
}

static void test_broken_head_out_of_range(void **state)
{
	struct fixture *f = setup(16, 0, 0);
	struct fixture *other = setup(16, 0, 0);
	uint8_t data[64] = {0};

	(void)state;
	drv_publish(&f->drv, 16);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	assert_true(vq_is_broken(f->vq));
	/* The queue stays stopped; another queue is unaffected. */
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	drv_publish(&other->drv, drv_tx(&other->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(other->vq, pool, other->pkts, BURST), 1);
	rte_pktmbuf_free(other->pkts[0]);
	assert_false(vq_is_broken(other->vq));
	teardown(other);
	teardown(f);
}

static void test_create_rejects_bad_config(void **state)
{
	struct drv d;
	struct vq_config cfg;
	int err = 0;

	(void)state;
	drv_init(&d, 256, BASE_FEAT, 0);
	cfg = drv_vq_config(&d);
	cfg.size = 100; /* split rings are powers of two */
	assert_null(vq_create(&cfg, SOCKET_ID_ANY, &err));
	assert_int_equal(err, -EINVAL);
	cfg = drv_vq_config(&d);
	cfg.features &= ~F(VIRTIO_F_VERSION_1);
	assert_null(vq_create(&cfg, SOCKET_ID_ANY, &err));
	assert_int_equal(err, -EINVAL);
	cfg = drv_vq_config(&d);
	cfg.device_iova = DRV_RO_IOVA; /* the used ring must be writable */
	assert_null(vq_create(&cfg, SOCKET_ID_ANY, &err));
	assert_int_equal(err, -EFAULT);
	cfg = drv_vq_config(&d);
	cfg.desc_iova = DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN - 64; /* runs off the mapping */
	assert_null(vq_create(&cfg, SOCKET_ID_ANY, &err));
	assert_int_equal(err, -EFAULT);
	drv_fini(&d);
}

/* --- enqueue: mbufs to driver RX buffers --- */

static struct rte_mbuf *make_mbuf(uint32_t len, uint32_t seed)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint8_t *data = malloc(len);
	uint32_t off = 0;

	fill_pattern(data, len, seed);
	while (off < len || head == NULL) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));

		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, n), data + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
	}
	free(data);
	return head;
}

/* Read what the driver got in chain @head: header and @len bytes of frame. */
static void assert_rx(struct fixture *f, uint16_t head, uint32_t len, uint32_t seed,
		      struct virtio_net_hdr_mrg_rxbuf *hdr_out)
{
	uint8_t *got = malloc(VQ_NET_HDR_LEN + len), *want = malloc(len);

	assert_int_equal(drv_read_rx(&f->drv, head, got, VQ_NET_HDR_LEN + len),
			 VQ_NET_HDR_LEN + len);
	fill_pattern(want, len, seed);
	assert_memory_equal(got + VQ_NET_HDR_LEN, want, len);
	memcpy(hdr_out, got, sizeof(*hdr_out));
	free(got);
	free(want);
}

static void enqueue_one(uint32_t len, const uint32_t *bufs, int nbufs, bool indirect,
			uint64_t features)
{
	struct fixture *f = setup(RING_SIZE, features, 0);
	struct rte_mbuf *m = make_mbuf(len, len);
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint16_t head = drv_post_rx(&f->drv, bufs, nbufs, indirect);

	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_used(f, head, VQ_NET_HDR_LEN + len);
	assert_rx(f, head, len, len, &hdr);
	assert_int_equal(hdr.hdr.flags, 0);
	assert_int_equal(hdr.hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(hdr.num_buffers, 1);
	assert_int_equal(stats(f).packets, 1);
	assert_int_equal(stats(f).bytes, len);
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_enqueue_single_buffer(void **state)
{
	static const uint32_t bufs[] = {1526};

	(void)state;
	enqueue_one(1514, bufs, 1, false, 0);
}

static void test_enqueue_header_split_across_descriptors(void **state)
{
	static const uint32_t bufs[] = {4, 4, 4, 100};

	(void)state;
	enqueue_one(90, bufs, 4, false, 0);
}

static void test_enqueue_indirect_big_packets(void **state)
{
	/* The kernel's big-packets mode: a long chain of pages, indirect. */
	static const uint32_t bufs[] = {VQ_NET_HDR_LEN, 4096, 4096, 4096};

	(void)state;
	enqueue_one(9000, bufs, 4, true, F(VIRTIO_RING_F_INDIRECT_DESC));
}

static void test_enqueue_segmented_mbuf(void **state)
{
	static const uint32_t bufs[] = {16000};

	(void)state;
	enqueue_one(9000, bufs, 1, false, 0); /* 9000 bytes span several mbufs */
}

static void test_enqueue_too_big_without_mergeable(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	static const uint32_t small[] = {1526};
	struct rte_mbuf *pkts[2] = {make_mbuf(3000, 1), make_mbuf(100, 2)};
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint16_t head = drv_post_rx(&f->drv, small, 1, false);

	(void)state;
	drv_publish(&f->drv, head);
	/* The big frame is dropped, the buffer kept for the next frame. */
	assert_int_equal(vq_enqueue_burst(f->vq, pkts, 2), 2);
	assert_int_equal(stats(f).too_big, 1);
	assert_used(f, head, VQ_NET_HDR_LEN + 100);
	assert_rx(f, head, 100, 2, &hdr);
	rte_pktmbuf_free_bulk(pkts, 2);
	teardown(f);
}

static void test_enqueue_mergeable(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t page[] = {1536};
	struct rte_mbuf *m = make_mbuf(5000, 7);
	uint8_t *got = malloc(4 * 1536), *want = malloc(5000);
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint16_t heads[5];
	uint32_t off = 0;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		heads[i] = drv_post_rx(&f->drv, page, 1, false);
		drv_publish(&f->drv, heads[i]);
	}
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	/* 5012 bytes in 1536-byte buffers: four of them, the last partly. */
	for (i = 0; i < 4; i++) {
		uint32_t len = i < 3 ? 1536 : VQ_NET_HDR_LEN + 5000 - 3 * 1536;

		assert_used(f, heads[i], len);
		off += drv_read_rx(&f->drv, heads[i], got + off, len);
	}
	assert_int_equal(off, VQ_NET_HDR_LEN + 5000);
	memcpy(&hdr, got, sizeof(hdr));
	assert_int_equal(hdr.num_buffers, 4);
	fill_pattern(want, 5000, 7);
	assert_memory_equal(got + VQ_NET_HDR_LEN, want, 5000);
	assert_int_equal(drv_pending_used(&f->drv), 0);
	rte_pktmbuf_free(m);
	free(got);
	free(want);
	teardown(f);
}

static void test_enqueue_waits_for_buffers(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t page[] = {1536};
	struct rte_mbuf *m = make_mbuf(4000, 5);
	uint16_t head;

	(void)state;
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 0);
	/* Two buffers are not enough for 4012 bytes: nothing is consumed. */
	drv_publish(&f->drv, drv_post_rx(&f->drv, page, 1, false));
	drv_publish(&f->drv, drv_post_rx(&f->drv, page, 1, false));
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 0);
	assert_int_equal(drv_pending_used(&f->drv), 0);
	head = drv_post_rx(&f->drv, page, 1, false);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_int_equal(drv_pending_used(&f->drv), 3);
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	rte_pktmbuf_free(m);
	teardown(f);
}

/*
 * A buffer the driver prepared but has not published (split: in the avail
 * ring past avail->idx; packed: flags not yet flipped) is not taken.
 */
static void test_enqueue_takes_only_published_buffers(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t page[] = {1536};
	struct rte_mbuf *m[2] = {make_mbuf(100, 1), make_mbuf(100, 2)};
	uint16_t published = drv_post_rx(&f->drv, page, 1, false), prepared;
	struct virtio_net_hdr_mrg_rxbuf hdr;

	(void)state;
	drv_publish(&f->drv, published);
	prepared = drv_post_rx(&f->drv, page, 1, false);
	if (!f->drv.packed)
		f->drv.avail->ring[f->drv.avail_idx % f->drv.size] = prepared;
	assert_int_equal(vq_enqueue_burst(f->vq, m, 2), 1);
	assert_int_equal(drv_pending_used(&f->drv), 1);
	assert_used(f, published, VQ_NET_HDR_LEN + 100);
	drv_publish(&f->drv, prepared);
	assert_int_equal(vq_enqueue_burst(f->vq, &m[1], 1), 1);
	assert_used(f, prepared, VQ_NET_HDR_LEN + 100);
	assert_rx(f, prepared, 100, 2, &hdr);
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
	teardown(f);
}

static void test_enqueue_bad_rx_chains(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t page[] = {1536};
	struct drv_buf ro = {DRV_RO_IOVA, 1536};
	struct drv_buf readable = {drv_alloc(&f->drv, 1536, 8), 1536};
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct rte_mbuf *m = make_mbuf(1000, 4);
	uint16_t bad_ro, bad_dir, good;

	(void)state;
	/* A writable descriptor in read-only memory, a readable one in an RX chain. */
	bad_ro = drv_chain(&f->drv, &ro, 1, VRING_DESC_F_WRITE, false);
	bad_dir = drv_chain(&f->drv, &readable, 1, 0, false);
	good = drv_post_rx(&f->drv, page, 1, false);
	drv_publish(&f->drv, bad_ro);
	drv_publish(&f->drv, bad_dir);
	drv_publish(&f->drv, good);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_used(f, bad_ro, 0);
	assert_used(f, bad_dir, 0);
	assert_used(f, good, VQ_NET_HDR_LEN + 1000);
	assert_rx(f, good, 1000, 4, &hdr);
	assert_int_equal(hdr.num_buffers, 1);
	assert_int_equal(stats(f).bad_chains, 2);
	/* Nothing was written into the read-only region. */
	assert_int_equal(((uint8_t *)f->drv.host[2])[0], 0);
	rte_pktmbuf_free(m);
	teardown(f);
}

/*
 * Split rings take one-descriptor buffers by a fast path that must hand
 * anything else to the general one: a device-readable buffer and an
 * indirect table (large enough to hold the frame) between two plain buffers.
 */
static void test_enqueue_plain_and_other_chains_mixed(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_RING_F_INDIRECT_DESC), 0);
	static const uint32_t page[] = {1536}, eight[] = {8, 8, 8, 8, 8, 8, 8, 200};
	struct drv_buf readable = {drv_alloc(&f->drv, 1536, 8), 1536};
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct rte_mbuf *m[3];
	uint16_t first, bad_dir, table, last;
	uint8_t untouched[1536] = {0};
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		m[i] = make_mbuf(100, 20 + i);
	first = drv_post_rx(&f->drv, page, 1, false);
	bad_dir = drv_chain(&f->drv, &readable, 1, 0, false);
	table = drv_post_rx(&f->drv, eight, 8, true);
	if (!f->drv.packed) /* the device ignores WRITE on an indirect descriptor */
		f->drv.desc[table].flags |= VRING_DESC_F_WRITE;
	last = drv_post_rx(&f->drv, page, 1, false);
	drv_publish(&f->drv, first);
	drv_publish(&f->drv, bad_dir);
	drv_publish(&f->drv, table);
	drv_publish(&f->drv, last);
	assert_int_equal(vq_enqueue_burst(f->vq, m, 3), 3);
	assert_used(f, first, VQ_NET_HDR_LEN + 100);
	assert_used(f, bad_dir, 0);
	assert_used(f, table, VQ_NET_HDR_LEN + 100);
	assert_used(f, last, VQ_NET_HDR_LEN + 100);
	assert_rx(f, first, 100, 20, &hdr);
	assert_rx(f, table, 100, 21, &hdr);
	assert_int_equal(hdr.num_buffers, 1);
	assert_rx(f, last, 100, 22, &hdr);
	assert_memory_equal(drv_ptr(&f->drv, readable.iova), untouched, sizeof(untouched));
	assert_int_equal(stats(f).bad_chains, 1);
	assert_int_equal(stats(f).packets, 3);
	for (i = 0; i < 3; i++)
		rte_pktmbuf_free(m[i]);
	teardown(f);
}

static void test_enqueue_rx_chain_smaller_than_header(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t tiny[] = {VQ_NET_HDR_LEN - 2}, page[] = {1536};
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct rte_mbuf *m = make_mbuf(500, 8);
	uint16_t bad = drv_post_rx(&f->drv, tiny, 1, false);
	uint16_t good = drv_post_rx(&f->drv, page, 1, false);

	(void)state;
	drv_publish(&f->drv, bad);
	drv_publish(&f->drv, good);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_used(f, bad, 0);
	assert_used(f, good, VQ_NET_HDR_LEN + 500);
	assert_rx(f, good, 500, 8, &hdr);
	assert_int_equal(hdr.num_buffers, 1);
	assert_int_equal(stats(f).bad_chains, 1);
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_enqueue_index_wraparound(void **state)
{
	struct fixture *f = setup(8, 0, 65533);
	static const uint32_t buf[] = {200};
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		struct rte_mbuf *m = make_mbuf(100, i);
		struct virtio_net_hdr_mrg_rxbuf hdr;
		uint16_t head = drv_post_rx(&f->drv, buf, 1, false);

		drv_publish(&f->drv, head);
		assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
		assert_used(f, head, VQ_NET_HDR_LEN + 100);
		assert_rx(f, head, 100, i, &hdr);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	teardown(f);
}

/* --- notifications --- */

static void test_interrupt_flag_suppression(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	uint8_t data[64] = {0};

	(void)state;
	assert_false(vq_need_interrupt(f->vq)); /* nothing used yet */
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
	assert_true(vq_need_interrupt(f->vq));
	assert_false(vq_need_interrupt(f->vq)); /* once per new batch */

	f->drv.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
	assert_false(vq_need_interrupt(f->vq));
	assert_int_equal(stats(f).interrupts, 1);
	assert_int_equal(stats(f).interrupts_suppressed, 1);
	teardown(f);
}

static void test_interrupt_event_idx(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_RING_F_EVENT_IDX), 0);
	uint16_t *used_event = &f->drv.avail->ring[RING_SIZE];
	uint8_t data[64] = {0};
	int i;

	(void)state;
	/* The driver wants an interrupt once used->idx passes 2. */
	*used_event = 2;
	for (i = 0; i < 2; i++) {
		drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
		assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
		rte_pktmbuf_free(f->pkts[0]);
		assert_false(vq_need_interrupt(f->vq));
	}
	for (i = 0; i < 2; i++)
		drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 2);
	rte_pktmbuf_free_bulk(f->pkts, 2);
	assert_true(vq_need_interrupt(f->vq)); /* used went 2 -> 4, past event 2 */
	/* The driver's NO_INTERRUPT flag is ignored with event-idx. */
	f->drv.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	*used_event = 4;
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
	assert_true(vq_need_interrupt(f->vq));
	teardown(f);
}

static void test_kick_suppression(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct fixture *e = setup(RING_SIZE, F(VIRTIO_RING_F_EVENT_IDX), 0);
	uint16_t *avail_event = (uint16_t *)&e->drv.used->ring[RING_SIZE];
	uint8_t data[64] = {0};

	(void)state;
	vq_disable_kicks(f->vq);
	assert_int_equal(f->drv.used->flags, VRING_USED_F_NO_NOTIFY);
	assert_false(vq_enable_kicks(f->vq));
	assert_int_equal(f->drv.used->flags, 0);
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_true(vq_enable_kicks(f->vq)); /* work arrived: do not sleep */

	drv_publish(&e->drv, drv_tx(&e->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(e->vq, pool, e->pkts, BURST), 1);
	rte_pktmbuf_free(e->pkts[0]);
	assert_false(vq_enable_kicks(e->vq));
	assert_int_equal(*avail_event, 1); /* kick me when you make entry 1 available */
	teardown(e);
	teardown(f);
}

/* --- offloads: the virtio-net header --- */

/* An Ethernet + IPv4/IPv6 + TCP/UDP frame with a pseudo-header checksum. */
static uint32_t build_l4_frame(uint8_t *buf, bool v6, bool tcp, uint32_t payload)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	uint32_t l3_len = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint32_t l4_len = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint8_t *l3 = buf + sizeof(*eth), *l4 = l3 + l3_len;
	uint16_t pseudo;

	memset(buf, 0, sizeof(*eth) + l3_len + l4_len);
	eth->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	fill_pattern(l4 + l4_len, payload, 77);
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(l4_len + payload);
		ip->proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->hop_limits = 64;
		ip->src_addr[15] = 1;
		ip->dst_addr[15] = 2;
		pseudo = rte_ipv6_phdr_cksum(ip, 0);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(l3_len + l4_len + payload);
		ip->time_to_live = 64;
		ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		pseudo = rte_ipv4_phdr_cksum(ip, 0);
	}
	if (tcp) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->data_off = 5 << 4;
		th->cksum = pseudo;
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->dgram_len = rte_cpu_to_be_16(l4_len + payload);
		uh->dgram_cksum = pseudo;
	}
	return sizeof(*eth) + l3_len + l4_len + payload;
}

/* Whether the L4 checksum of a frame verifies. */
static bool l4_csum_ok(const uint8_t *frame, bool v6)
{
	const uint8_t *l3 = frame + sizeof(struct rte_ether_hdr);

	if (v6)
		return rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)l3,
						    l3 + sizeof(struct rte_ipv6_hdr)) == 0;
	return rte_ipv4_udptcp_cksum_verify((const struct rte_ipv4_hdr *)l3,
					    l3 + sizeof(struct rte_ipv4_hdr)) == 0;
}

static void test_dequeue_partial_csum_becomes_tx_flags(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM), 0);
	uint8_t frame[400];
	uint32_t len = build_l4_frame(frame, false, true, 300);
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 14 + 20,
		.csum_offset = 16,
	};
	struct rte_mbuf *m;

	(void)state;
	drv_publish(&f->drv, drv_tx(&f->drv, &hdr, frame, len, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	m = f->pkts[0];
	assert_true(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	assert_int_equal(m->l4_len, 20);
	assert_mbuf_bytes(m, frame, len); /* left for the egress to finish */
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_dequeue_gso_becomes_tso(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO6), 0);
	static uint8_t frame[20000];
	uint32_t len = build_l4_frame(frame, true, true, 16000);
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
		.gso_size = 1440,
		.hdr_len = 14 + 40 + 20,
		.csum_start = 14 + 40,
		.csum_offset = 16,
	};

	(void)state;
	drv_publish(&f->drv, drv_tx(&f->drv, &hdr, frame, len, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_true(f->pkts[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	assert_true(f->pkts[0]->ol_flags & RTE_MBUF_F_TX_IPV6);
	assert_int_equal(f->pkts[0]->tso_segsz, 1440);
	assert_mbuf_bytes(f->pkts[0], frame, len);
	rte_pktmbuf_free(f->pkts[0]);
	teardown(f);
}

static void test_dequeue_gso_becomes_uso(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_USO), 0);
	static uint8_t frame[20000];
	uint32_t len = build_l4_frame(frame, false, false, 12000);
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
		.gso_size = 1472,
		.hdr_len = 14 + 20 + 8,
		.csum_start = 14 + 20,
		.csum_offset = 6,
	};
	struct rte_mbuf *m;

	(void)state;
	drv_publish(&f->drv, drv_tx(&f->drv, &hdr, frame, len, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	m = f->pkts[0];
	assert_true(m->ol_flags & RTE_MBUF_F_TX_UDP_SEG);
	assert_true(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_UDP_CKSUM);
	assert_int_equal(m->tso_segsz, 1472);
	assert_int_equal(m->l4_len, 8);
	assert_mbuf_bytes(m, frame, len);
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_dequeue_bad_gso_headers(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM), 0);
	uint8_t frame[400];
	uint32_t len = build_l4_frame(frame, false, true, 300);
	struct virtio_net_hdr no_csum = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 100};
	struct virtio_net_hdr wrong_proto = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, /* frame is IPv4 */
		.gso_size = 100,
		.csum_start = 34,
		.csum_offset = 16,
	};
	struct virtio_net_hdr zero_size = wrong_proto;
	struct virtio_net_hdr bad_flags = {.flags = 0x80};
	struct virtio_net_hdr uso_on_tcp = wrong_proto, ufo, uso_ecn;
	uint8_t udp[400];
	uint32_t udp_len = build_l4_frame(udp, false, false, 300);

	(void)state;
	zero_size.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	zero_size.gso_size = 0;
	uso_on_tcp.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	/* UFO is never offered; ECN belongs to TCP. */
	ufo = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_UDP,
		.gso_size = 100,
		.csum_start = 34,
		.csum_offset = 6,
	};
	uso_ecn = ufo;
	uso_ecn.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN;
	expect_bad_tx_chain(f, drv_tx(&f->drv, &no_csum, frame, len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &wrong_proto, frame, len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &zero_size, frame, len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &bad_flags, frame, len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &uso_on_tcp, frame, len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &ufo, udp, udp_len, NULL, 0, false));
	expect_bad_tx_chain(f, drv_tx(&f->drv, &uso_ecn, udp, udp_len, NULL, 0, false));
	assert_int_equal(stats(f).bad_headers, 7);
	teardown(f);
}

static void test_dequeue_unusual_csum_done_in_software(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM), 0);
	uint8_t frame[400];
	uint32_t len = build_l4_frame(frame, false, false, 200);
	/* Checksum the UDP payload only, stored in its first two bytes. */
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 14 + 20 + 8 + 2,
		.csum_offset = 0,
	};
	uint16_t stored, sum;

	(void)state;
	frame[hdr.csum_start] = 0;
	frame[hdr.csum_start + 1] = 0;
	drv_publish(&f->drv, drv_tx(&f->drv, &hdr, frame, len, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_int_equal(f->pkts[0]->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	stored = *rte_pktmbuf_mtod_offset(f->pkts[0], uint16_t *, hdr.csum_start);
	sum = rte_raw_cksum(frame + hdr.csum_start, len - hdr.csum_start);
	assert_int_equal(stored, (uint16_t)~sum);
	rte_pktmbuf_free(f->pkts[0]);
	teardown(f);
}

static struct rte_mbuf *offload_mbuf(bool v6, bool tcp, uint32_t payload, uint8_t *frame,
				     uint32_t *len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *tail = m;
	uint32_t off = 0;

	*len = build_l4_frame(frame, v6, tcp, payload);
	/* Segments of 1000 bytes at most: offloads must work across mbufs. */
	while (off < *len) {
		uint32_t n = RTE_MIN(1000u, *len - off);

		if (off > 0) {
			tail->next = rte_pktmbuf_alloc(pool);
			tail = tail->next;
			m->nb_segs++;
		}
		memcpy(rte_pktmbuf_append(tail, n), frame + off, n);
		if (tail != m)
			m->pkt_len += n;
		off += n;
	}
	m->l2_len = 14;
	m->l3_len = v6 ? 40 : 20;
	m->l4_len = tcp ? 20 : 8;
	m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
		      (tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	return m;
}

/* A one-segment copy of @m, offload fields included (@m is freed). */
static struct rte_mbuf *flatten(struct rte_mbuf *m)
{
	struct rte_mbuf *flat = rte_pktmbuf_alloc(pool);
	uint8_t *dst;
	const void *src;

	assert_non_null(flat);
	assert_true(m->pkt_len <= rte_pktmbuf_tailroom(flat));
	dst = (uint8_t *)rte_pktmbuf_append(flat, m->pkt_len);
	src = rte_pktmbuf_read(m, 0, m->pkt_len, dst);
	if (src != dst)
		memcpy(dst, src, m->pkt_len);
	flat->ol_flags = m->ol_flags;
	flat->tx_offload = m->tx_offload;
	rte_pktmbuf_free(m);
	return flat;
}

/* A frame with a partial checksum, in 1000-byte segments or (@flat) in one. */
static void enqueue_partial_csum(uint64_t features, bool v6, bool tcp, bool flat)
{
	struct fixture *f = setup(RING_SIZE, features, 0);
	static const uint32_t buf[] = {2048};
	uint8_t frame[1600], got[VQ_NET_HDR_LEN + 1600];
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint32_t len;
	struct rte_mbuf *m = offload_mbuf(v6, tcp, 1000, frame, &len);
	uint16_t head = drv_post_rx(&f->drv, buf, 1, false);

	if (flat)
		m = flatten(m);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_used(f, head, VQ_NET_HDR_LEN + len);
	drv_read_rx(&f->drv, head, got, VQ_NET_HDR_LEN + len);
	memcpy(&hdr, got, sizeof(hdr));
	assert_int_equal(hdr.num_buffers, 1);
	if (features & F(VIRTIO_NET_F_GUEST_CSUM)) {
		assert_int_equal(hdr.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(hdr.hdr.csum_start, 14 + (v6 ? 40 : 20));
		assert_int_equal(hdr.hdr.csum_offset, tcp ? 16 : 6);
		assert_memory_equal(got + VQ_NET_HDR_LEN, frame, len);
	} else {
		assert_int_equal(hdr.hdr.flags, 0);
		assert_true(l4_csum_ok(got + VQ_NET_HDR_LEN, v6));
	}
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_enqueue_partial_csum_offloaded(void **state)
{
	(void)state;
	enqueue_partial_csum(F(VIRTIO_NET_F_GUEST_CSUM), false, true, false);
	enqueue_partial_csum(F(VIRTIO_NET_F_GUEST_CSUM), true, false, false);
	enqueue_partial_csum(F(VIRTIO_NET_F_GUEST_CSUM), false, true, true);
	enqueue_partial_csum(F(VIRTIO_NET_F_GUEST_CSUM), true, false, true);
}

static void test_enqueue_partial_csum_in_software(void **state)
{
	int flat;

	(void)state;
	for (flat = 0; flat < 2; flat++) {
		enqueue_partial_csum(0, false, true, flat);
		enqueue_partial_csum(0, false, false, flat);
		enqueue_partial_csum(0, true, true, flat);
		enqueue_partial_csum(0, true, false, flat);
	}
}

static void test_enqueue_data_valid(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_GUEST_CSUM), 0);
	static const uint32_t buf[] = {2048};
	struct rte_mbuf *m = make_mbuf(200, 3);
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint16_t head = drv_post_rx(&f->drv, buf, 1, false);

	(void)state;
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_rx(f, head, 200, 3, &hdr);
	assert_int_equal(hdr.hdr.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	rte_pktmbuf_free(m);
	teardown(f);
}

static void test_enqueue_tso(void **state)
{
	struct fixture *with = setup(RING_SIZE,
				     F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
					     F(VIRTIO_NET_F_MRG_RXBUF),
				     0);
	struct fixture *without = setup(RING_SIZE, F(VIRTIO_NET_F_GUEST_CSUM), 0);
	static const uint32_t buf[] = {8192};
	uint8_t frame[1600];
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint32_t len;
	struct rte_mbuf *m = offload_mbuf(false, true, 1400, frame, &len);
	uint16_t head;

	(void)state;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = 700;
	head = drv_post_rx(&with->drv, buf, 1, false);
	drv_publish(&with->drv, head);
	assert_int_equal(vq_enqueue_burst(with->vq, &m, 1), 1);
	drv_read_rx(&with->drv, head, &hdr, sizeof(hdr));
	assert_int_equal(hdr.hdr.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(hdr.hdr.gso_size, 700);
	assert_int_equal(hdr.hdr.hdr_len, 14 + 20 + 20);
	assert_int_equal(hdr.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);

	/* A GSO frame that cannot be cut (no L4 header) is dropped and counted. */
	m->l4_len = 0;
	head = drv_post_rx(&without->drv, buf, 1, false);
	drv_publish(&without->drv, head);
	assert_int_equal(vq_enqueue_burst(without->vq, &m, 1), 1);
	assert_int_equal(stats(without).no_offload, 1);
	assert_int_equal(drv_pending_used(&without->drv), 0);
	rte_pktmbuf_free(m);
	teardown(without);
	teardown(with);
}

/* USO goes whole to a driver with GUEST_USO4/6 for that IP version, as GSO_UDP_L4. */
static void test_enqueue_uso(void **state)
{
	struct fixture *f = setup(RING_SIZE,
				  F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_USO6) |
					  F(VIRTIO_NET_F_MRG_RXBUF),
				  0);
	static const uint32_t buf[] = {8192}, small[] = {2048, 2048};
	uint8_t frame[1600];
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint32_t len;
	struct rte_mbuf *v6 = offload_mbuf(true, false, 1400, frame, &len);
	struct rte_mbuf *v4 = offload_mbuf(false, false, 1400, frame, &len);
	uint16_t head;

	(void)state;
	v6->ol_flags |= RTE_MBUF_F_TX_UDP_SEG;
	v6->tso_segsz = 700;
	v4->ol_flags |= RTE_MBUF_F_TX_UDP_SEG;
	v4->tso_segsz = 700;
	head = drv_post_rx(&f->drv, buf, 1, false);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &v6, 1), 1);
	drv_read_rx(&f->drv, head, &hdr, sizeof(hdr));
	assert_int_equal(hdr.hdr.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_int_equal(hdr.hdr.gso_size, 700);
	assert_int_equal(hdr.hdr.hdr_len, 14 + 40 + 8);
	assert_int_equal(hdr.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(hdr.hdr.csum_start, 14 + 40);
	assert_int_equal(hdr.hdr.csum_offset, 6);
	assert_used(f, head, VQ_NET_HDR_LEN + 14 + 40 + 8 + 1400);

	/* No GUEST_USO4: the IPv4 frame arrives as two datagrams. */
	drv_publish(&f->drv, drv_post_rx(&f->drv, small, 1, false));
	drv_publish(&f->drv, drv_post_rx(&f->drv, small + 1, 1, false));
	assert_int_equal(vq_enqueue_burst(f->vq, &v4, 1), 1);
	assert_int_equal(stats(f).gso_segments, 2);
	assert_int_equal(drv_pending_used(&f->drv), 2);
	rte_pktmbuf_free(v6);
	rte_pktmbuf_free(v4);
	teardown(f);
}

/*
 * A TSO or USO frame for a driver without the matching GUEST_ feature arrives
 * as gso_size segments with correct IP and TCP or UDP headers and checksums
 * (finished in software, or left partial with NEEDS_CSUM when the driver
 * takes partial checksums).
 */
static void gso_in_software(bool v6, bool tcp, bool guest_csum)
{
	struct fixture *f = setup(RING_SIZE, guest_csum ? F(VIRTIO_NET_F_GUEST_CSUM) : 0, 0);
	static const uint32_t buf[] = {2048};
	static uint8_t frame[4200];
	uint32_t l4_len = tcp ? 20 : 8, len, payload, off = 0;
	uint32_t hdr_len = 14 + (v6 ? 40 : 20) + l4_len;
	struct rte_mbuf *m = offload_mbuf(v6, tcp, 3500, frame, &len);
	const struct rte_tcp_hdr *th0 = (const struct rte_tcp_hdr *)(frame + hdr_len - l4_len);
	uint16_t heads[4];
	int i;

	payload = len - hdr_len;
	m->ol_flags |= tcp ? RTE_MBUF_F_TX_TCP_SEG : RTE_MBUF_F_TX_UDP_SEG;
	m->tso_segsz = 1000;
	if (tcp)
		((struct rte_tcp_hdr *)rte_pktmbuf_mtod_offset(m, uint8_t *, hdr_len - 20))
			->tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG;
	else if (!v6)
		((struct rte_ipv4_hdr *)rte_pktmbuf_mtod_offset(m, uint8_t *, 14))->packet_id =
			rte_cpu_to_be_16(0xfffe); /* the ids of the segments wrap */
	for (i = 0; i < 4; i++) {
		heads[i] = drv_post_rx(&f->drv, buf, 1, false);
		drv_publish(&f->drv, heads[i]);
	}
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_int_equal(stats(f).gso_segments, 4); /* 3500 bytes in 1000-byte segments */
	assert_int_equal(stats(f).no_offload, 0);
	for (i = 0; i < 4; i++) {
		uint8_t got[VQ_NET_HDR_LEN + 1200];
		struct virtio_net_hdr_mrg_rxbuf hdr;
		uint32_t seg = RTE_MIN(1000u, payload - off);
		uint8_t *pkt = got + VQ_NET_HDR_LEN, *l4 = pkt + hdr_len - l4_len;
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		assert_used(f, heads[i], VQ_NET_HDR_LEN + hdr_len + seg);
		drv_read_rx(&f->drv, heads[i], got, VQ_NET_HDR_LEN + hdr_len + seg);
		memcpy(&hdr, got, sizeof(hdr));
		assert_int_equal(hdr.hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		/* Payload: the right slice, behind headers that say so. */
		assert_memory_equal(pkt + hdr_len, frame + hdr_len + off, seg);
		if (tcp) {
			assert_int_equal(rte_be_to_cpu_32(th->sent_seq),
					 rte_be_to_cpu_32(th0->sent_seq) + off);
			assert_int_equal(th->tcp_flags, i == 3 ? RTE_TCP_PSH_FLAG |
									 RTE_TCP_ACK_FLAG |
									 RTE_TCP_FIN_FLAG
							       : RTE_TCP_ACK_FLAG);
		} else {
			assert_int_equal(rte_be_to_cpu_16(uh->dgram_len), 8 + seg);
		}
		if (v6) {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(pkt + 14);

			assert_int_equal(rte_be_to_cpu_16(ip->payload_len), l4_len + seg);
		} else {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(pkt + 14);

			assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + l4_len + seg);
			if (!tcp)
				assert_int_equal(rte_be_to_cpu_16(ip->packet_id),
						 (uint16_t)(0xfffe + i));
			assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff); /* verifies */
		}
		if (guest_csum) {
			uint16_t sum = (uint16_t)~rte_raw_cksum(l4, l4_len + seg);

			assert_int_equal(hdr.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
			assert_int_equal(hdr.hdr.csum_start, hdr_len - l4_len);
			assert_int_equal(hdr.hdr.csum_offset, tcp ? 16 : 6);
			/* Finish it as the driver would, then it must verify. */
			memcpy(l4 + hdr.hdr.csum_offset, &sum, sizeof(sum));
		} else {
			assert_int_equal(hdr.hdr.flags, 0);
			if (!tcp)
				assert_int_not_equal(uh->dgram_cksum, 0);
		}
		assert_true(l4_csum_ok(pkt, v6));
		off += seg;
	}
	/* The frame itself is left as it was, for other ports. */
	assert_int_equal(m->pkt_len, len);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *) + hdr_len, frame + hdr_len, 100);
	rte_pktmbuf_free(m);
	teardown(f);
}

/*
 * Make the frame's UDP checksum come out as zero (payload word 0 adjusted),
 * leaving the partial checksum in place.
 */
static void make_udp_sum_zero(struct rte_mbuf *m, uint8_t *frame)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	struct rte_udp_hdr *uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34);
	uint16_t partial = uh->dgram_cksum, word;
	uint32_t sum;

	uh->dgram_cksum = 0;
	sum = rte_ipv4_phdr_cksum(ip, 0) + rte_raw_cksum(uh, rte_be_to_cpu_16(uh->dgram_len));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/* Adding ~sum to one word brings the sum to 0xffff: a checksum of 0. */
	memcpy(&word, uh + 1, 2);
	sum = (uint32_t)word + (uint16_t)~sum;
	word = (uint16_t)((sum & 0xffff) + (sum >> 16));
	memcpy(uh + 1, &word, 2);
	memcpy(frame + 42, &word, 2);
	uh->dgram_cksum = partial;
}

/* UDP sends a computed checksum of zero as 0xffff: zero means "none". */
static void test_enqueue_udp_zero_checksum_sent_as_ffff(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	static const uint32_t buf[] = {2048};
	uint8_t frame[1600], got[VQ_NET_HDR_LEN + 1600];
	const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)(got + VQ_NET_HDR_LEN + 34);
	uint32_t len;
	struct rte_mbuf *plain = offload_mbuf(false, false, 400, frame, &len);
	struct rte_mbuf *uso = offload_mbuf(false, false, 400, frame, &len);
	uint16_t head;

	(void)state;
	make_udp_sum_zero(plain, frame);
	make_udp_sum_zero(uso, frame);
	uso->ol_flags |= RTE_MBUF_F_TX_UDP_SEG;
	uso->tso_segsz = 1000; /* one segment */
	head = drv_post_rx(&f->drv, buf, 1, false);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &plain, 1), 1);
	drv_read_rx(&f->drv, head, got, VQ_NET_HDR_LEN + len);
	assert_int_equal(uh->dgram_cksum, 0xffff);
	assert_true(l4_csum_ok(got + VQ_NET_HDR_LEN, false));

	head = drv_post_rx(&f->drv, buf, 1, false);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_enqueue_burst(f->vq, &uso, 1), 1);
	assert_int_equal(stats(f).gso_segments, 1);
	drv_read_rx(&f->drv, head, got, VQ_NET_HDR_LEN + len);
	assert_int_equal(uh->dgram_cksum, 0xffff);
	assert_memory_equal(got + VQ_NET_HDR_LEN + 42, frame + 42, len - 42);
	rte_pktmbuf_free(plain);
	rte_pktmbuf_free(uso);
	teardown(f);
}

static void test_enqueue_tso_segmented_in_software(void **state)
{
	(void)state;
	gso_in_software(false, true, false);
	gso_in_software(true, true, false);
	gso_in_software(false, true, true);
	gso_in_software(true, true, true);
}

static void test_enqueue_uso_segmented_in_software(void **state)
{
	(void)state;
	gso_in_software(false, false, false);
	gso_in_software(true, false, false);
	gso_in_software(false, false, true);
	gso_in_software(true, false, true);
}

/* --- faults found by review, and replayed public bug reports --- */

/* B3: an indirect table of exactly ring-size entries is allowed ("at most ring size"). */
static void test_indirect_table_of_ring_size(void **state)
{
	struct fixture *f = setup(16, F(VIRTIO_RING_F_INDIRECT_DESC), 0);
	static const uint32_t cuts[15] = {
		VQ_NET_HDR_LEN, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
	uint8_t data[300];
	uint16_t head;

	(void)state;
	fill_pattern(data, sizeof(data), 3);
	/* 15 cuts and the rest: 16 descriptors, a 256-byte table. */
	head = drv_tx(&f->drv, &no_hdr, data, sizeof(data), cuts, 15, true);
	drv_publish(&f->drv, head);
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	assert_mbuf_bytes(f->pkts[0], data, sizeof(data));
	assert_int_equal(stats(f).bad_chains, 0);
	assert_used(f, head, 0);
	rte_pktmbuf_free(f->pkts[0]);
	teardown(f);
}

/*
 * B4: a buffer smaller than the header inside a mergeable frame holds data
 * like any other, and the frame's num_buffers used entries are consecutive.
 */
static void test_enqueue_mergeable_small_buffer_inside_frame(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t lens[] = {100, 6, 2000};
	struct rte_mbuf *m = make_mbuf(1000, 4);
	uint8_t got[VQ_NET_HDR_LEN + 1000], want[1000];
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint32_t off = 0;
	uint16_t heads[3];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		heads[i] = drv_post_rx(&f->drv, &lens[i], 1, false);
		drv_publish(&f->drv, heads[i]);
	}
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	for (i = 0; i < 3; i++) {
		uint32_t len = i < 2 ? lens[i] : VQ_NET_HDR_LEN + 1000 - 106;

		assert_used(f, heads[i], len);
		off += drv_read_rx(&f->drv, heads[i], got + off, len);
	}
	memcpy(&hdr, got, sizeof(hdr));
	assert_int_equal(hdr.num_buffers, 3);
	fill_pattern(want, sizeof(want), 4);
	assert_memory_equal(got + VQ_NET_HDR_LEN, want, sizeof(want));
	assert_int_equal(stats(f).bad_chains, 0);
	rte_pktmbuf_free(m);
	teardown(f);
}

/* A bad chain met inside a mergeable frame goes back before the frame's buffers. */
static void test_enqueue_mergeable_bad_chain_returned_first(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t lens[] = {600, 600, 600};
	struct rte_mbuf *m = make_mbuf(1000, 6);
	struct virtio_net_hdr_mrg_rxbuf hdr;
	uint16_t heads[3];
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		heads[i] = drv_post_rx(&f->drv, &lens[i], 1, false);
	/* The second buffer is device-readable: not a receive buffer. */
	if (f->drv.packed)
		f->drv.inflight[heads[1]].flags &= ~VRING_DESC_F_WRITE; /* written at publish */
	else
		f->drv.desc[heads[1]].flags &= ~VRING_DESC_F_WRITE;
	for (i = 0; i < 3; i++)
		drv_publish(&f->drv, heads[i]);
	assert_int_equal(vq_enqueue_burst(f->vq, &m, 1), 1);
	assert_used(f, heads[1], 0);
	assert_used(f, heads[0], 600);
	assert_used(f, heads[2], VQ_NET_HDR_LEN + 1000 - 600);
	assert_int_equal(stats(f).bad_chains, 1);
	drv_read_rx(&f->drv, heads[0], &hdr, sizeof(hdr));
	assert_int_equal(hdr.num_buffers, 2);
	rte_pktmbuf_free(m);
	teardown(f);
}

/* The queue's position, encoded as vq_last_avail_idx() encodes it, of cursor @c. */
static uint16_t cursor_state(const struct fixture *f, const struct vq_cursor *c)
{
	return f->drv.packed ? (uint16_t)(c->idx | (c->wrap ? VQ_PACKED_WRAP : 0)) : c->idx;
}

/*
 * V1: a frame that finds no room leaves the ring cursor where it was, so
 * that the chains it looked at are taken by the next frame; after software
 * segmentation ran out of buffers, the cursor is the queue's position.
 */
static void test_enqueue_no_room_keeps_position(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_NET_F_MRG_RXBUF), 0);
	static const uint32_t small[] = {700};
	uint8_t frame[4200];
	struct virtio_net_hdr_mrg_rxbuf hdr = {0};
	struct vq_csum_patch patch = {.needed = false};
	struct rte_mbuf *m = make_mbuf(1000, 8), *tso;
	struct vq_frame fr = {.m = m, .len = 1000};
	struct vq_cursor cur, before;
	uint32_t len, i, used = 0;
	uint16_t id;

	(void)state;
	/* One buffer of 700 bytes cannot take 1012: nothing moves. */
	drv_publish(&f->drv, drv_post_rx(&f->drv, small, 1, false));
	assert_true(f->drv.packed ? vq_packed_begin(f->vq, &cur) : vq_split_begin(f->vq, &cur));
	before = cur;
	assert_int_equal(vq_deliver_frame(f->vq, &cur, &hdr, &fr, &patch), VQ_NO_ROOM);
	assert_int_equal(cursor_state(f, &cur), cursor_state(f, &before));

	/* A 3-segment TSO frame for a driver without TSO, two more buffers posted:
	 * segment 0 takes two, segment 1 finds one and then nothing. */
	drv_publish(&f->drv, drv_post_rx(&f->drv, small, 1, false));
	drv_publish(&f->drv, drv_post_rx(&f->drv, small, 1, false));
	tso = offload_mbuf(false, true, 3000, frame, &len);
	tso->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	tso->tso_segsz = 1000;
	assert_true(f->drv.packed ? vq_packed_begin(f->vq, &cur) : vq_split_begin(f->vq, &cur));
	assert_int_equal(vq_deliver_gso_segments(f->vq, &cur, tso), VQ_DELIVERED);
	assert_int_equal(stats(f).gso_segments, 1);
	assert_int_equal(stats(f).gso_dropped, 2);
	assert_int_equal(cursor_state(f, &cur), vq_last_avail_idx(f->vq));
	if (!f->drv.packed)
		vq_split_publish(f->vq);

	/* More buffers: the next frames use every buffer posted, none is skipped. */
	for (i = 0; i < 3; i++)
		drv_publish(&f->drv, drv_post_rx(&f->drv, small, 1, false));
	while (drv_get_used(&f->drv, &id, &len))
		used++;
	assert_int_equal(used, 2);
	for (i = 0; i < 2; i++) {
		struct rte_mbuf *one = make_mbuf(1000, 9);

		assert_int_equal(vq_enqueue_burst(f->vq, &one, 1), 1);
		rte_pktmbuf_free(one);
	}
	while (drv_get_used(&f->drv, &id, &len))
		used++;
	assert_int_equal(used, 6); /* all six buffers posted are back */
	assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(tso);
	teardown(f);
}

/* V2: a gso_size below VQ_MIN_GSO_SIZE is a bad header, never ~64 000 segments. */
static void test_tiny_gso_size_refused(void **state)
{
	struct fixture *tx = setup(RING_SIZE, F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4), 0);
	struct fixture *rx = setup(RING_SIZE, 0, 0);
	static uint8_t frame[4200];
	static const uint32_t buf[] = {2048};
	uint32_t len = build_l4_frame(frame, false, true, 3000);
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = 14 + 20 + 20,
		.csum_start = 14 + 20,
		.csum_offset = 16,
	};
	static const uint16_t sizes[] = {1, VQ_MIN_GSO_SIZE - 1, VQ_MIN_GSO_SIZE};
	struct rte_mbuf *m;
	uint16_t head;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(sizes); i++) {
		hdr.gso_size = sizes[i];
		head = drv_tx(&tx->drv, &hdr, frame, len, NULL, 0, false);
		drv_publish(&tx->drv, head);
		assert_int_equal(vq_dequeue_burst(tx->vq, pool, tx->pkts, BURST), i == 2);
		assert_int_equal(stats(tx).bad_headers, i < 2 ? i + 1 : 2);
		assert_used(tx, head, 0);
	}
	rte_pktmbuf_free(tx->pkts[0]);

	/* An mbuf asking for tiny segments is not cut for a driver without TSO. */
	m = offload_mbuf(false, true, 3000, frame, &len);
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = 1;
	drv_publish(&rx->drv, drv_post_rx(&rx->drv, buf, 1, false));
	assert_int_equal(vq_enqueue_burst(rx->vq, &m, 1), 1);
	assert_int_equal(stats(rx).no_offload, 1);
	assert_int_equal(stats(rx).gso_segments, 0);
	assert_int_equal(drv_pending_used(&rx->drv), 0);
	rte_pktmbuf_free(m);
	teardown(rx);
	teardown(tx);
}

/* The L4 checksum of an IPv6 frame whose upper layer (@proto) starts at @l4. */
static bool ipv6_l4_csum_ok(const struct rte_ipv6_hdr *ip, const uint8_t *l4, uint32_t l4_len,
			    uint8_t proto)
{
	struct rte_ipv6_hdr pseudo = *ip;
	uint32_t sum;

	pseudo.payload_len = rte_cpu_to_be_16(l4_len);
	pseudo.proto = proto;
	sum = (uint32_t)rte_ipv6_phdr_cksum(&pseudo, 0) + rte_raw_cksum(l4, l4_len);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum == 0xffff;
}

/*
 * A frame as a driver sends it for GSO, with the pseudo-header sum in the
 * TCP checksum field: Ethernet, @ntags 802.1Q tags, then IPv4, or IPv6 with
 * one 8-byte Destination Options header when @v6; TCP and @payload bytes.
 * Returns the frame's length; *l2, *l3 the header lengths.
 */
static uint32_t build_gso_frame(uint8_t *buf, int ntags, bool v6, uint32_t payload, uint32_t *l2,
				uint32_t *l3)
{
	uint8_t inner[4200];
	uint32_t len = build_l4_frame(inner, false, true, payload), l4 = 20;
	uint8_t *p = buf;
	int i;

	memcpy(p, inner, 12); /* MAC addresses */
	p += 12;
	for (i = 0; i < ntags; i++) {
		*(rte_be16_t *)p = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		*(rte_be16_t *)(p + 2) = rte_cpu_to_be_16(10 + i);
		p += 4;
	}
	*l2 = (uint32_t)(p - buf) + 2;
	if (!v6) {
		memcpy(p, inner + 12, len - 12);
		*l3 = 20;
		return *l2 - 14 + len;
	}
	*(rte_be16_t *)p = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	p += 2;
	{
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;
		uint8_t *opts = p + sizeof(*ip), *th = opts + 8;
		struct rte_ipv6_hdr pseudo;

		memset(ip, 0, sizeof(*ip) + 8);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(8 + l4 + payload);
		ip->proto = IPPROTO_DSTOPTS;
		ip->hop_limits = 64;
		ip->src_addr[15] = 1;
		ip->dst_addr[15] = 2;
		opts[0] = IPPROTO_TCP; /* next header; length 0: 8 bytes, PadN */
		opts[2] = 1;
		opts[3] = 4;
		memcpy(th, inner + 34, l4 + payload);
		pseudo = *ip;
		pseudo.proto = IPPROTO_TCP;
		pseudo.payload_len = rte_cpu_to_be_16(l4 + payload);
		((struct rte_tcp_hdr *)th)->cksum = rte_ipv6_phdr_cksum(&pseudo, 0);
		*l3 = 48;
		return *l2 + 48 + l4 + payload;
	}
}

/*
 * B1 and B2: a TSO frame through IPv6 extension headers or stacked VLAN
 * tags, dequeued from one driver and delivered to a TSO driver whole and to
 * a driver without TSO as segments whose lengths and checksums are right.
 */
static void gso_replay(int ntags, bool v6)
{
	struct fixture *tx = setup(
		RING_SIZE,
		F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6), 0);
	struct fixture *tso = setup(RING_SIZE,
				    F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
					    F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_MRG_RXBUF),
				    0);
	struct fixture *plain = setup(RING_SIZE, 0, 0);
	static const uint32_t big[] = {8192}, buf[] = {2048};
	static uint8_t frame[4200], got[VQ_NET_HDR_LEN + 4200];
	uint32_t l2, l3, len = build_gso_frame(frame, ntags, v6, 3000, &l2, &l3);
	uint32_t hdr_len = l2 + l3 + 20, i;
	struct virtio_net_hdr hdr = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = 1000,
		.hdr_len = hdr_len,
		.csum_start = l2 + l3,
		.csum_offset = 16,
	};
	struct virtio_net_hdr_mrg_rxbuf rx_hdr;
	struct rte_mbuf *m;
	uint16_t head, heads[3];

	drv_publish(&tx->drv, drv_tx(&tx->drv, &hdr, frame, len, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(tx->vq, pool, tx->pkts, BURST), 1);
	assert_int_equal(stats(tx).bad_headers, 0);
	m = tx->pkts[0];
	assert_true(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	assert_int_equal(m->l2_len, l2);
	assert_int_equal(m->l3_len, l3);
	assert_int_equal(m->l4_len, 20);

	/* Whole, to a driver with TSO: the header says where the checksum starts. */
	head = drv_post_rx(&tso->drv, big, 1, false);
	drv_publish(&tso->drv, head);
	assert_int_equal(vq_enqueue_burst(tso->vq, &m, 1), 1);
	drv_read_rx(&tso->drv, head, got, VQ_NET_HDR_LEN + len);
	memcpy(&rx_hdr, got, sizeof(rx_hdr));
	assert_int_equal(rx_hdr.hdr.csum_start, l2 + l3);
	assert_int_equal(rx_hdr.hdr.hdr_len, hdr_len);
	assert_int_equal(rx_hdr.hdr.gso_size, 1000);
	assert_memory_equal(got + VQ_NET_HDR_LEN, frame, len);

	/* As three segments, tags and extension headers kept, to one without. */
	for (i = 0; i < 3; i++) {
		heads[i] = drv_post_rx(&plain->drv, buf, 1, false);
		drv_publish(&plain->drv, heads[i]);
	}
	assert_int_equal(vq_enqueue_burst(plain->vq, &m, 1), 1);
	assert_int_equal(stats(plain).gso_segments, 3);
	for (i = 0; i < 3; i++) {
		uint8_t *pkt = got + VQ_NET_HDR_LEN, *l4 = pkt + l2 + l3;

		assert_used(plain, heads[i], VQ_NET_HDR_LEN + hdr_len + 1000);
		drv_read_rx(&plain->drv, heads[i], got, VQ_NET_HDR_LEN + hdr_len + 1000);
		assert_memory_equal(pkt, frame, l2); /* MACs and every tag */
		assert_memory_equal(pkt + hdr_len, frame + hdr_len + i * 1000, 1000);
		if (v6) {
			const struct rte_ipv6_hdr *ip = (const void *)(pkt + l2);

			assert_int_equal(rte_be_to_cpu_16(ip->payload_len), 8 + 20 + 1000);
			assert_int_equal(ip->proto, IPPROTO_DSTOPTS);
			assert_true(ipv6_l4_csum_ok(ip, l4, 20 + 1000, IPPROTO_TCP));
		} else {
			const struct rte_ipv4_hdr *ip = (const void *)(pkt + l2);

			assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 20 + 1000);
			assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, l4), 0);
		}
	}
	rte_pktmbuf_free(m);
	teardown(plain);
	teardown(tso);
	teardown(tx);
}

static void test_gso_through_ipv6_extension_headers(void **state)
{
	(void)state;
	gso_replay(0, true);
}

static void test_gso_through_stacked_vlan_tags(void **state)
{
	(void)state;
	gso_replay(2, false);
	gso_replay(2, true);
}

/* --- restart after the serving process died --- */

/*
 * A queue whose process dies mid-burst (its journal still at the burst's
 * start) while the driver goes on: it takes back what was used, posts more,
 * and on a packed ring reuses the first slots, of other chain lengths. The
 * recovered position is just past the last chain the dead queue used, and a
 * new queue from there takes exactly the frames that followed.
 */
static void test_recover_position_after_crash(void **state)
{
	struct fixture *f = setup(8, 0, 0);
	struct vq_journal *j = calloc(1, vq_journal_size(8));
	static const uint32_t three[] = {VQ_NET_HDR_LEN, 20};
	struct vq_config cfg;
	uint8_t data[5][100];
	uint16_t heads[5], start, pos, id;
	uint32_t len;
	struct vq *vq;
	int i, err;

	(void)state;
	for (i = 0; i < 5; i++)
		fill_pattern(data[i], sizeof(data[i]), 40 + i);
	/* The fixture's queue is replaced by one that keeps a journal. */
	vq_free(f->vq);
	cfg = drv_vq_config(&f->drv);
	cfg.journal = j;
	f->vq = vq_create(&cfg, SOCKET_ID_ANY, &err);
	assert_non_null(f->vq);
	start = vq_last_avail_idx(f->vq);

	/* Two 3-descriptor frames taken in one burst... */
	for (i = 0; i < 2; i++) {
		heads[i] = drv_tx(&f->drv, &no_hdr, data[i], sizeof(data[i]), three, 2, false);
		drv_publish(&f->drv, heads[i]);
	}
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 2);
	rte_pktmbuf_free_bulk(f->pkts, 2);
	if (f->drv.packed)
		assert_int_equal(j->position, vq_last_avail_idx(f->vq)); /* after each burst */
	/* ...and the process dies before its journal says so. */
	j->position = start;
	vq_free(f->vq);
	f->vq = NULL;

	/* The driver takes both back and posts three more, the last at slot 0 again. */
	assert_true(drv_get_used(&f->drv, &id, &len));
	assert_true(drv_get_used(&f->drv, &id, &len));
	heads[2] = drv_tx(&f->drv, &no_hdr, data[2], sizeof(data[2]), NULL, 0, false);
	heads[3] = drv_tx(&f->drv, &no_hdr, data[3], sizeof(data[3]), NULL, 0, false);
	heads[4] = drv_tx(&f->drv, &no_hdr, data[4], sizeof(data[4]), three, 2, false);
	for (i = 2; i < 5; i++)
		drv_publish(&f->drv, heads[i]);

	assert_int_equal(vq_recover_position(&cfg, &pos), 0);
	/* Packed: past slots 0-5 (two chains of three); split: used->idx 2. */
	assert_int_equal(pos, f->drv.packed ? (6 | VQ_PACKED_WRAP) : 2);
	cfg.last_avail_idx = pos;
	vq = vq_create(&cfg, SOCKET_ID_ANY, &err);
	assert_non_null(vq);
	assert_int_equal(vq_dequeue_burst(vq, pool, f->pkts, BURST), 3);
	for (i = 0; i < 3; i++) {
		assert_mbuf_bytes(f->pkts[i], data[2 + i], sizeof(data[i]));
		assert_used(f, heads[2 + i], 0);
	}
	rte_pktmbuf_free_bulk(f->pkts, 3);
	assert_int_equal(vq_last_avail_idx(vq), driver_avail_state(f));
	f->vq = vq;
	teardown(f);
	free(j);
}

/* A journal the ring contradicts, or none for a packed ring, is refused. */
static void test_recover_position_refuses_bad_journal(void **state)
{
	struct fixture *f = setup(8, 0, 0);
	struct vq_journal *j = calloc(1, vq_journal_size(8));
	struct vq_config cfg = drv_vq_config(&f->drv);
	uint16_t pos;

	(void)state;
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, "x", 1, NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
	if (f->drv.packed) {
		/* The queue above kept no journal: slot 0 is used, chain_len[0] is 0. */
		cfg.journal = j;
		j->position = VQ_PACKED_WRAP;
		assert_int_equal(vq_recover_position(&cfg, &pos), -EINVAL);
		j->position = 9; /* not a slot of a ring of 8 */
		assert_int_equal(vq_recover_position(&cfg, &pos), -EINVAL);
		cfg.journal = NULL;
		assert_int_equal(vq_recover_position(&cfg, &pos), -EINVAL);
	} else {
		f->drv.used->idx = 100; /* more used than a ring of 8 holds */
		assert_int_equal(vq_recover_position(&cfg, &pos), -EINVAL);
	}
	teardown(f);
	free(j);
}

/* --- packed ring only --- */

static void test_packed_any_size_and_chains_across_the_end(void **state)
{
	struct fixture *f = setup(100, 0, 95);
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 100, 100};
	uint8_t data[300];
	int round, i;

	(void)state;
	for (round = 0; round < 5; round++) {
		uint16_t ids[8];

		/* Three slots a frame: chains keep crossing slot 99 -> 0. */
		for (i = 0; i < 8; i++) {
			fill_pattern(data, sizeof(data), round * 8 + i);
			ids[i] = drv_tx(&f->drv, &no_hdr, data, sizeof(data), cuts, 3, false);
			drv_publish(&f->drv, ids[i]);
		}
		assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 8);
		for (i = 0; i < 8; i++) {
			fill_pattern(data, sizeof(data), round * 8 + i);
			assert_mbuf_bytes(f->pkts[i], data, sizeof(data));
			assert_used(f, ids[i], 0);
		}
		rte_pktmbuf_free_bulk(f->pkts, 8);
		assert_int_equal(vq_last_avail_idx(f->vq), driver_avail_state(f));
	}
	teardown(f);
}

static void test_packed_bad_chain_returned_whole(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct drv_buf bufs[3] = {
		{drv_alloc(&f->drv, 64, 8), 64},
		{DRV_IOVA_BASE - 4096, 64}, /* unmapped, in the middle of the chain */
		{drv_alloc(&f->drv, 64, 8), 64},
	};

	(void)state;
	/* The engine must skip all three slots, or the next frame is lost. */
	expect_bad_tx_chain(f, drv_chain(&f->drv, bufs, 3, 0, false));
	assert_int_equal(stats(f).bad_chains, 1);
	teardown(f);
}

static void test_packed_indirect_must_stand_alone(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_RING_F_INDIRECT_DESC), 0);
	struct drv_buf bufs[2] = {{drv_alloc(&f->drv, 64, 8), 64}, {drv_alloc(&f->drv, 64, 8), 64}};
	uint16_t id = drv_chain(&f->drv, bufs, 2, 0, false);

	(void)state;
	/* An indirect descriptor after a direct one. */
	f->drv.pdesc[(f->drv.inflight[id].slot + 1) % RING_SIZE].flags |= VRING_DESC_F_INDIRECT;
	expect_bad_tx_chain(f, id);
	teardown(f);
}

static void test_packed_indirect_nested(void **state)
{
	struct fixture *f = setup(RING_SIZE, F(VIRTIO_RING_F_INDIRECT_DESC), 0);
	static const uint32_t cuts[] = {VQ_NET_HDR_LEN, 32};
	uint8_t data[64] = {0};
	uint16_t id = drv_tx(&f->drv, &no_hdr, data, sizeof(data), cuts, 2, true);
	struct vring_packed_desc *table = drv_ptr(&f->drv, f->drv.pdesc[0].addr);

	(void)state;
	table[1].flags |= VRING_DESC_F_INDIRECT;
	expect_bad_tx_chain(f, id);
	teardown(f);
}

static void test_packed_next_everywhere_breaks_queue(void **state)
{
	struct fixture *f = setup(8, 0, 0);
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		f->drv.pdesc[i] = (struct vring_packed_desc){
			.addr = DRV_IOVA_BASE,
			.len = 64,
			.flags = VRING_DESC_F_NEXT | (1u << VRING_PACKED_DESC_F_AVAIL),
		};
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 0);
	assert_true(vq_is_broken(f->vq));
	teardown(f);
}

static void test_packed_create_checks_state(void **state)
{
	struct drv d;
	struct vq_config cfg;
	struct vq *vq;
	int err = 0;

	(void)state;
	drv_init(&d, 100, BASE_FEAT | F(VIRTIO_F_RING_PACKED), 0);
	cfg = drv_vq_config(&d);
	vq = vq_create(&cfg, SOCKET_ID_ANY, &err); /* any size is fine when packed */
	assert_non_null(vq);
	assert_int_equal(vq_last_avail_idx(vq), VQ_PACKED_WRAP);
	vq_free(vq);
	cfg.last_avail_idx = 100 | VQ_PACKED_WRAP; /* slot past the ring */
	assert_null(vq_create(&cfg, SOCKET_ID_ANY, &err));
	assert_int_equal(err, -EINVAL);
	drv_fini(&d);
}

/* Dequeue one frame so that one used descriptor is written. */
static void use_one(struct fixture *f)
{
	uint8_t data[64] = {0};

	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_int_equal(vq_dequeue_burst(f->vq, pool, f->pkts, BURST), 1);
	rte_pktmbuf_free(f->pkts[0]);
}

static void test_packed_interrupt_flags(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);

	(void)state;
	assert_false(vq_need_interrupt(f->vq));
	use_one(f);
	assert_true(vq_need_interrupt(f->vq)); /* ENABLE is the initial state */
	f->drv.driver_event->flags = VRING_PACKED_EVENT_FLAG_DISABLE;
	use_one(f);
	assert_false(vq_need_interrupt(f->vq));
	teardown(f);
}

static void test_packed_interrupt_event_desc(void **state)
{
	struct fixture *f = setup(4, F(VIRTIO_RING_F_EVENT_IDX), 0);
	int i;

	(void)state;
	/* Interrupt when the used descriptor at slot 2 of the first lap is written. */
	f->drv.driver_event->off_wrap = 2 | (1u << VRING_PACKED_EVENT_F_WRAP_CTR);
	f->drv.driver_event->flags = VRING_PACKED_EVENT_FLAG_DESC;
	for (i = 0; i < 2; i++) {
		use_one(f);
		assert_false(vq_need_interrupt(f->vq));
		assert_true(drv_get_used(&f->drv, &(uint16_t){0}, &(uint32_t){0}));
	}
	use_one(f);
	assert_true(vq_need_interrupt(f->vq));
	assert_true(drv_get_used(&f->drv, &(uint16_t){0}, &(uint32_t){0}));
	/* Next lap (wrap counter 0), slot 1: slots 3 and 0 do not ask. */
	f->drv.driver_event->off_wrap = 1;
	use_one(f);
	assert_false(vq_need_interrupt(f->vq));
	assert_true(drv_get_used(&f->drv, &(uint16_t){0}, &(uint32_t){0}));
	use_one(f);
	assert_false(vq_need_interrupt(f->vq));
	assert_true(drv_get_used(&f->drv, &(uint16_t){0}, &(uint32_t){0}));
	use_one(f);
	assert_true(vq_need_interrupt(f->vq));
	teardown(f);
}

static void test_packed_interrupt_event_already_passed(void **state)
{
	struct fixture *f = setup(4, F(VIRTIO_RING_F_EVENT_IDX), 0);
	uint16_t id;
	uint32_t len;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		use_one(f);
	assert_true(vq_need_interrupt(f->vq)); /* slots 0-2 of the first lap */
	while (drv_get_used(&f->drv, &id, &len))
		;
	/* Slot 2 of the first lap was signalled; slots 3 and 0 (next lap) follow. */
	f->drv.driver_event->off_wrap = 2 | (1u << VRING_PACKED_EVENT_F_WRAP_CTR);
	f->drv.driver_event->flags = VRING_PACKED_EVENT_FLAG_DESC;
	use_one(f);
	assert_true(drv_get_used(&f->drv, &id, &len));
	use_one(f);
	assert_false(vq_need_interrupt(f->vq));
	teardown(f);
}

static void test_packed_kick_suppression(void **state)
{
	struct fixture *f = setup(RING_SIZE, 0, 0);
	struct fixture *e = setup(RING_SIZE, F(VIRTIO_RING_F_EVENT_IDX), 0);
	uint8_t data[64] = {0};

	(void)state;
	vq_disable_kicks(f->vq);
	assert_int_equal(f->drv.device_event->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	assert_false(vq_enable_kicks(f->vq));
	assert_int_equal(f->drv.device_event->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	drv_publish(&f->drv, drv_tx(&f->drv, &no_hdr, data, sizeof(data), NULL, 0, false));
	assert_true(vq_enable_kicks(f->vq));

	use_one(e);
	assert_false(vq_enable_kicks(e->vq));
	assert_int_equal(e->drv.device_event->flags, VRING_PACKED_EVENT_FLAG_DESC);
	assert_int_equal(e->drv.device_event->off_wrap, 1 | (1u << VRING_PACKED_EVENT_F_WRAP_CTR));
	teardown(e);
	teardown(f);
}

static int init_eal(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"256",	     "-l",	 "0",		"--log-level=3"};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int use_split(void **state)
{
	(void)state;
	layout = 0;
	return 0;
}

static int use_packed(void **state)
{
	(void)state;
	layout = F(VIRTIO_F_RING_PACKED);
	return 0;
}

int main(void)
{
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_dequeue_single_descriptor),
		cmocka_unit_test(test_dequeue_header_in_own_descriptor),
		cmocka_unit_test(test_dequeue_frame_split_after_header),
		cmocka_unit_test(test_dequeue_header_split_across_descriptors),
		cmocka_unit_test(test_dequeue_indirect),
		cmocka_unit_test(test_dequeue_plain_and_other_chains_mixed),
		cmocka_unit_test(test_dequeue_only_bad_headers),
		cmocka_unit_test(test_dequeue_jumbo_chains_mbufs),
		cmocka_unit_test(test_dequeue_gso_sized_frame),
		cmocka_unit_test(test_dequeue_buffer_spanning_regions),
		cmocka_unit_test(test_dequeue_index_wraparound),
		cmocka_unit_test(test_dequeue_full_ring_and_burst_limit),
		cmocka_unit_test(test_bad_unmapped_address),
		cmocka_unit_test(test_bad_address_runs_past_mapping),
		cmocka_unit_test(test_bad_address_after_cached_region),
		cmocka_unit_test(test_bad_address_wraps),
		cmocka_unit_test(test_bad_address_wraps_between_mapped_regions),
		cmocka_unit_test(test_bad_writable_descriptor_in_tx),
		cmocka_unit_test(test_bad_chain_shorter_than_header),
		cmocka_unit_test(test_bad_frame_too_big),
		cmocka_unit_test(test_bad_indirect_not_negotiated),
		cmocka_unit_test(test_bad_csum_start_beyond_frame),
		cmocka_unit_test(test_enqueue_single_buffer),
		cmocka_unit_test(test_enqueue_header_split_across_descriptors),
		cmocka_unit_test(test_enqueue_indirect_big_packets),
		cmocka_unit_test(test_enqueue_segmented_mbuf),
		cmocka_unit_test(test_enqueue_too_big_without_mergeable),
		cmocka_unit_test(test_enqueue_mergeable),
		cmocka_unit_test(test_enqueue_waits_for_buffers),
		cmocka_unit_test(test_enqueue_takes_only_published_buffers),
		cmocka_unit_test(test_enqueue_bad_rx_chains),
		cmocka_unit_test(test_enqueue_plain_and_other_chains_mixed),
		cmocka_unit_test(test_enqueue_rx_chain_smaller_than_header),
		cmocka_unit_test(test_enqueue_index_wraparound),
		cmocka_unit_test(test_dequeue_partial_csum_becomes_tx_flags),
		cmocka_unit_test(test_dequeue_gso_becomes_tso),
		cmocka_unit_test(test_dequeue_gso_becomes_uso),
		cmocka_unit_test(test_dequeue_bad_gso_headers),
		cmocka_unit_test(test_dequeue_unusual_csum_done_in_software),
		cmocka_unit_test(test_enqueue_partial_csum_offloaded),
		cmocka_unit_test(test_enqueue_partial_csum_in_software),
		cmocka_unit_test(test_enqueue_data_valid),
		cmocka_unit_test(test_enqueue_tso),
		cmocka_unit_test(test_enqueue_tso_segmented_in_software),
		cmocka_unit_test(test_enqueue_uso),
		cmocka_unit_test(test_enqueue_udp_zero_checksum_sent_as_ffff),
		cmocka_unit_test(test_enqueue_uso_segmented_in_software),
		cmocka_unit_test(test_indirect_table_of_ring_size),
		cmocka_unit_test(test_enqueue_mergeable_small_buffer_inside_frame),
		cmocka_unit_test(test_enqueue_mergeable_bad_chain_returned_first),
		cmocka_unit_test(test_enqueue_no_room_keeps_position),
		cmocka_unit_test(test_tiny_gso_size_refused),
		cmocka_unit_test(test_gso_through_ipv6_extension_headers),
		cmocka_unit_test(test_gso_through_stacked_vlan_tags),
		cmocka_unit_test(test_recover_position_after_crash),
		cmocka_unit_test(test_recover_position_refuses_bad_journal),
	};

	const struct CMUnitTest split_only[] = {
		cmocka_unit_test(test_bad_next_out_of_range),
		cmocka_unit_test(test_bad_descriptor_loop),
		cmocka_unit_test(test_bad_chain_longer_than_ring),
		cmocka_unit_test(test_bad_indirect_nested),
		cmocka_unit_test(test_bad_indirect_len),
		cmocka_unit_test(test_bad_indirect_with_next),
		cmocka_unit_test(test_bad_indirect_too_long),
		cmocka_unit_test(test_bad_indirect_unmapped),
		cmocka_unit_test(test_bad_indirect_next_out_of_table),
		cmocka_unit_test(test_bad_indirect_loop),
		cmocka_unit_test(test_broken_avail_idx_runs_ahead),
		cmocka_unit_test(test_broken_head_out_of_range),
		cmocka_unit_test(test_create_rejects_bad_config),
		cmocka_unit_test(test_interrupt_flag_suppression),
		cmocka_unit_test(test_interrupt_event_idx),
		cmocka_unit_test(test_kick_suppression),
	};

	const struct CMUnitTest packed_only[] = {
		cmocka_unit_test(test_packed_any_size_and_chains_across_the_end),
		cmocka_unit_test(test_packed_bad_chain_returned_whole),
		cmocka_unit_test(test_packed_indirect_must_stand_alone),
		cmocka_unit_test(test_packed_indirect_nested),
		cmocka_unit_test(test_packed_next_everywhere_breaks_queue),
		cmocka_unit_test(test_packed_create_checks_state),
		cmocka_unit_test(test_packed_interrupt_flags),
		cmocka_unit_test(test_packed_interrupt_event_desc),
		cmocka_unit_test(test_packed_interrupt_event_already_passed),
		cmocka_unit_test(test_packed_kick_suppression),
	};
	int failed = 0;

	if (init_eal() != 0) {
		fprintf(stderr, "test_vq: cannot initialise DPDK's EAL and mempool\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("vq common, split ring", common, use_split, NULL);
	failed += cmocka_run_group_tests_name("vq common, packed ring", common, use_packed, NULL);
	failed += cmocka_run_group_tests_name("vq split ring", split_only, use_split, NULL);
	failed += cmocka_run_group_tests_name("vq packed ring", packed_only, use_packed, NULL);
	return failed;
}
