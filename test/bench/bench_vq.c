/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Throughput of the virtqueue engine: the engine on one lcore, a lean
 * split-ring driver (as fast as a guest driver can be: descriptors and
 * buffers prepared once, only indices move) on another.
 *
 *   bench_vq [EAL options] -- [--dir tx|rx] [--len BYTES] [--runs N]
 *                             [--seconds S] [--single PACKETS] [--packed]
 *
 * tx: the driver transmits and the engine dequeues into mbufs (freed at
 * once); rx: the engine enqueues the same 32 mbufs again and again into the
 * driver's receive buffers. Prints the median Mpps of the runs. --single
 * runs driver and engine alternately on one lcore for PACKETS packets, for
 * instruction counts under callgrind. --packed uses the packed ring layout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vq.h"

#define RING_SIZE 256
#define BUF_LEN	  2048
#define BURST	  32
#define MAX_RUNS  31
#define IOVA_BASE 0x100000000ULL

struct bench {
	bool rx;
	bool packed;
	uint32_t len;
	double seconds;
	int runs;
	uint64_t single;

	uint8_t *mem;
	struct vq_mem_table table;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;
	/* Packed: the driver's positions and wrap counters, and free slots. */
	struct vring_packed_desc *pdesc;
	uint16_t used_slot;
	bool avail_wrap, used_wrap;
	uint16_t free_slots;
	struct vq *vq;
	struct rte_mempool *pool;
	struct rte_mbuf *frames[BURST];
	volatile bool stop;
};

/* Layout of the driver's memory: rings, then one buffer per descriptor. */
#define DESC_OFF  0
#define AVAIL_OFF (DESC_OFF + sizeof(struct vring_desc) * RING_SIZE)
#define USED_OFF  RTE_ALIGN(AVAIL_OFF + 6 + 2 * RING_SIZE, 4096)
#define BUFS_OFF  RTE_ALIGN(USED_OFF + 6 + 8 * RING_SIZE, 4096)
#define MEM_LEN	  (BUFS_OFF + (size_t)BUF_LEN * RING_SIZE)

static void setup_driver(struct bench *b)
{
	uint16_t i;

	b->mem = rte_zmalloc("bench-mem", MEM_LEN, 4096);
	if (b->mem == NULL)
		rte_exit(EXIT_FAILURE, "no memory for the rings\n");
	b->desc = (struct vring_desc *)(b->mem + DESC_OFF);
	b->pdesc = (struct vring_packed_desc *)(b->mem + DESC_OFF);
	b->avail_wrap = b->used_wrap = true;
	b->free_slots = RING_SIZE;
	b->avail = (struct vring_avail *)(b->mem + AVAIL_OFF);
	b->used = (struct vring_used *)(b->mem + USED_OFF);
	for (i = 0; i < RING_SIZE; i++) {
		uint8_t *buf = b->mem + BUFS_OFF + (size_t)BUF_LEN * i;

		b->desc[i].addr = IOVA_BASE + BUFS_OFF + (uint64_t)BUF_LEN * i;
		if (b->rx) {
			b->desc[i].len = BUF_LEN;
			b->desc[i].flags = VRING_DESC_F_WRITE;
		} else {
			b->desc[i].len = VQ_NET_HDR_LEN + b->len;
			memset(buf + VQ_NET_HDR_LEN, 0xab, b->len);
		}
	}
	vq_mem_table_init(&b->table);
	vq_mem_table_add(&b->table, IOVA_BASE, IOVA_BASE + MEM_LEN - 1, b->mem,
			 VQ_MEM_READ | VQ_MEM_WRITE);
}

static void setup_engine(struct bench *b)
{
	struct vq_config cfg = {
		.size = RING_SIZE,
		.features = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			    (1ULL << VIRTIO_RING_F_EVENT_IDX) |
			    (b->packed ? 1ULL << VIRTIO_F_RING_PACKED : 0),
		.last_avail_idx = b->packed ? VQ_PACKED_WRAP : 0,
		.desc_iova = IOVA_BASE + DESC_OFF,
		.driver_iova = IOVA_BASE + AVAIL_OFF,
		.device_iova = IOVA_BASE + USED_OFF,
		.mem = &b->table,
	};
	int err, i;

	b->vq = vq_create(&cfg, rte_socket_id(), &err);
	if (b->vq == NULL)
		rte_exit(EXIT_FAILURE, "vq_create: %s\n", strerror(-err));
	vq_disable_kicks(b->vq);
	b->pool = rte_pktmbuf_pool_create("bench", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (b->pool == NULL)
		rte_exit(EXIT_FAILURE, "no mempool\n");
	for (i = 0; i < BURST; i++) {
		b->frames[i] = rte_pktmbuf_alloc(b->pool);
		memset(rte_pktmbuf_append(b->frames[i], b->len), 0xcd, b->len);
	}
}

/* The driver's step: take back used buffers, offer every free slot again. */
static inline void driver_step(struct bench *b)
{
	uint16_t used = __atomic_load_n(&b->used->idx, __ATOMIC_ACQUIRE);
	uint16_t n = RING_SIZE - (uint16_t)(b->avail_idx - used);

	/* Like a real driver, write nothing when there is nothing to offer:
	 * a store to avail->idx takes its cache line away from the engine. */
	if (n == 0)
		return;
	while (n-- > 0) {
		b->avail->ring[b->avail_idx % RING_SIZE] = b->avail_idx % RING_SIZE;
		b->avail_idx++;
	}
	__atomic_store_n(&b->avail->idx, b->avail_idx, __ATOMIC_RELEASE);
}

#define PACKED_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
#define PACKED_USED  (1u << VRING_PACKED_DESC_F_USED)

/* The same for a packed ring: reclaim used slots in order, offer them again. */
static inline void driver_step_packed(struct bench *b)
{
	uint16_t want = b->used_wrap ? PACKED_AVAIL | PACKED_USED : 0;

	while (b->free_slots < RING_SIZE &&
	       (__atomic_load_n(&b->pdesc[b->used_slot].flags, __ATOMIC_ACQUIRE) &
		(PACKED_AVAIL | PACKED_USED)) == want) {
		if (++b->used_slot == RING_SIZE) {
			b->used_slot = 0;
			b->used_wrap = !b->used_wrap;
			want = b->used_wrap ? PACKED_AVAIL | PACKED_USED : 0;
		}
		b->free_slots++;
	}
	for (; b->free_slots > 0; b->free_slots--) {
		struct vring_packed_desc *d = &b->pdesc[b->avail_idx];
		uint16_t flags = b->avail_wrap ? PACKED_AVAIL : PACKED_USED;

		d->addr = IOVA_BASE + BUFS_OFF + (uint64_t)BUF_LEN * b->avail_idx;
		d->len = b->rx ? BUF_LEN : VQ_NET_HDR_LEN + b->len;
		d->id = b->avail_idx;
		__atomic_store_n(&d->flags, flags | (b->rx ? VRING_DESC_F_WRITE : 0),
				 __ATOMIC_RELEASE);
		if (++b->avail_idx == RING_SIZE) {
			b->avail_idx = 0;
			b->avail_wrap = !b->avail_wrap;
		}
	}
}

static int driver_loop(void *arg)
{
	struct bench *b = arg;

	while (!b->stop) {
		if (b->packed)
			driver_step_packed(b);
		else
			driver_step(b);
	}
	return 0;
}

/* The engine's step: one burst, and the interrupt decision a port makes. */
static inline uint16_t engine_step(struct bench *b)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	if (b->rx) {
		n = vq_enqueue_burst(b->vq, b->frames, BURST);
	} else {
		n = vq_dequeue_burst(b->vq, b->pool, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	vq_need_interrupt(b->vq);
	return n;
}

static double run_once(struct bench *b, unsigned int driver_lcore)
{
	uint64_t hz = rte_get_timer_hz(), start, end, deadline, packets = 0;

	b->stop = false;
	rte_eal_remote_launch(driver_loop, b, driver_lcore);
	/* Warm up, then measure. */
	deadline = rte_get_timer_cycles() + hz / 5;
	while (rte_get_timer_cycles() < deadline)
		engine_step(b);
	start = rte_get_timer_cycles();
	deadline = start + (uint64_t)(b->seconds * hz);
	do {
		packets += engine_step(b);
		end = rte_get_timer_cycles();
	} while (end < deadline);
	b->stop = true;
	rte_eal_wait_lcore(driver_lcore);
	return packets / ((double)(end - start) / hz) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- [--dir tx|rx] [--len BYTES] [--runs N] "
		"[--seconds S] [--single PACKETS] [--packed]\n",
		prog);
	exit(2);
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"len", required_argument, NULL, 'l'},
		{"runs", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'},
		{"single", required_argument, NULL, 'S'},
		{"packed", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*b = (struct bench){.len = 64, .runs = 5, .seconds = 1.0};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "rx") && strcmp(optarg, "tx"))
				usage(argv[0]);
			b->rx = strcmp(optarg, "rx") == 0;
			break;
		case 'l':
			b->len = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			b->runs = atoi(optarg);
			break;
		case 's':
			b->seconds = atof(optarg);
			break;
		case 'S':
			b->single = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			b->packed = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (b->len < 14 || b->len + VQ_NET_HDR_LEN > BUF_LEN || b->runs < 1 || b->runs > MAX_RUNS ||
	    b->seconds <= 0)
		usage(argv[0]);
}

int main(int argc, char **argv)
{
	double mpps[MAX_RUNS];
	unsigned int driver_lcore;
	struct bench b;
	int eal_args, i;

	eal_args = rte_eal_init(argc, argv);
	if (eal_args < 0)
		rte_exit(EXIT_FAILURE, "EAL initialisation failed\n");
	parse_args(&b, argc - eal_args, argv + eal_args);
	setup_driver(&b);
	setup_engine(&b);

	if (b.single > 0) {
		uint64_t done = 0;

		while (done < b.single) {
			if (b.packed)
				driver_step_packed(&b);
			else
				driver_step(&b);
			done += engine_step(&b);
		}
		printf("single-core: %s %u B, %" PRIu64 " packets\n", b.rx ? "enqueue" : "dequeue",
		       b.len, done);
		return 0;
	}
	driver_lcore = rte_get_next_lcore(-1, 1, 0);
	if (driver_lcore >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "needs two lcores (e.g. -l 0-1)\n");
	for (i = 0; i < b.runs; i++)
		mpps[i] = run_once(&b, driver_lcore);
	qsort(mpps, b.runs, sizeof(mpps[0]), cmp_double);
	printf("engine %s %s %u B: %.2f Mpps (median of %d, min %.2f, max %.2f)\n",
	       b.packed ? "packed" : "split", b.rx ? "enqueue" : "dequeue", b.len, mpps[b.runs / 2],
	       b.runs, mpps[0], mpps[b.runs - 1]);
	return 0;
}
