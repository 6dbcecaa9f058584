/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary ring and descriptor memory, handed to the
 * engine's dequeue and enqueue on either layout. Whatever the bytes, the
 * engine must stay inside the mapped regions (AddressSanitizer), respect
 * read-only memory, and leak no mbufs.
 *
 * Input: [size byte][feature bytes x2][mbuf offload byte][memory image...]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_mbuf.h>

#include "fuzz_eal.h"
#include "virtio_net_uso.h"
#include "vq.h"

#define MEM_IOVA 0x10000ULL
#define MEM_LEN	 (64u * 1024)
#define RO_IOVA	 (MEM_IOVA + MEM_LEN + 0x1000)
#define RO_LEN	 4096u
#define HDR	 4

static struct rte_mempool *pool;
static uint8_t *mem, *ro;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pool = fuzz_eal_init();
	/* The read-only region really is read-only: a write would fault. */
	mem = mmap(NULL, MEM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, RO_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || ro == MAP_FAILED)
		abort();
	memset(ro, 0x5a, RO_LEN);
	mprotect(ro, RO_LEN, PROT_READ);
	return 0;
}

static const uint64_t optional_features[16] = {
	1ULL << VIRTIO_RING_F_INDIRECT_DESC, 1ULL << VIRTIO_RING_F_EVENT_IDX,
	1ULL << VIRTIO_NET_F_MRG_RXBUF,	     1ULL << VIRTIO_F_RING_PACKED,
	1ULL << VIRTIO_NET_F_GUEST_CSUM,     1ULL << VIRTIO_NET_F_GUEST_TSO4,
	1ULL << VIRTIO_NET_F_GUEST_TSO6,     1ULL << VIRTIO_NET_F_GUEST_USO4,
	1ULL << VIRTIO_NET_F_GUEST_USO6,     1ULL << VIRTIO_NET_F_CSUM,
	1ULL << VIRTIO_NET_F_HOST_TSO4,	     1ULL << VIRTIO_NET_F_HOST_USO,
};

/* A few frames to deliver, with offload requests chosen by @sel. */
static unsigned int make_frames(struct rte_mbuf **pkts, uint8_t sel)
{
	static const uint16_t lens[4] = {60, 1514, 3000, 9000};
	unsigned int i, n = 0;

	for (i = 0; i < 4; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t len = RTE_MIN(lens[(sel + i) % 4], rte_pktmbuf_tailroom(m));
		uint8_t *p;

		p = (uint8_t *)rte_pktmbuf_append(m, len);
		memset(p, (int)i, len);
		if (sel & 0x10) {
			m->l2_len = 14;
			m->l3_len = sel & 0x20 ? 40 : 20;
			m->l4_len = sel & 0x40 ? 8 : 20;
			m->ol_flags =
				(sel & 0x20 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
				(sel & 0x40 ? RTE_MBUF_F_TX_UDP_CKSUM : RTE_MBUF_F_TX_TCP_CKSUM);
			if (sel & 0x80) {
				m->ol_flags |=
					sel & 0x40 ? RTE_MBUF_F_TX_UDP_SEG : RTE_MBUF_F_TX_TCP_SEG;
				m->tso_segsz = 1000;
			}
		}
		pkts[n++] = m;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rte_mbuf *pkts[32], *frames[4];
	struct vq_mem_table table;
	struct vq_config cfg;
	uint64_t features = (1ULL << VIRTIO_F_VERSION_1);
	uint16_t size, got, done;
	unsigned int i, nframes;
	struct vq *vq;
	int err, round;

	if (len < HDR)
		return 0;
	for (i = 0; i < 16; i++)
		if ((data[1] | data[2] << 8) & (1u << i))
			features |= optional_features[i];
	size = features & (1ULL << VIRTIO_F_RING_PACKED) ? 1 + data[0] % 256 : 1u << (data[0] % 9);

	memset(mem, 0, MEM_LEN);
	memcpy(mem, data + HDR, RTE_MIN(len - HDR, (size_t)MEM_LEN));
	vq_mem_table_init(&table);
	vq_mem_table_add(&table, MEM_IOVA, MEM_IOVA + MEM_LEN - 1, mem, VQ_MEM_READ | VQ_MEM_WRITE);
	vq_mem_table_add(&table, RO_IOVA, RO_IOVA + RO_LEN - 1, ro, VQ_MEM_READ);

	/* Rings at the start of the image: descriptors, then driver, then device area. */
	cfg = (struct vq_config){
		.size = size,
		.features = features,
		.desc_iova = MEM_IOVA,
		.driver_iova = MEM_IOVA + 16u * size,
		.device_iova = MEM_IOVA + 16u * size + 2u * size + 8,
		.last_avail_idx = features & (1ULL << VIRTIO_F_RING_PACKED) ? VQ_PACKED_WRAP : 0,
		.mem = &table,
	};
	cfg.device_iova = (cfg.device_iova + 3) & ~3ULL;
	vq = vq_create(&cfg, SOCKET_ID_ANY, &err);
	if (vq == NULL)
		return 0;

	for (round = 0; round < 2; round++) {
		got = vq_dequeue_burst(vq, pool, pkts, RTE_DIM(pkts));
		rte_pktmbuf_free_bulk(pkts, got);
		nframes = make_frames(frames, data[3]);
		done = vq_enqueue_burst(vq, frames, nframes);
		if (done > nframes)
			abort();
		rte_pktmbuf_free_bulk(frames, nframes);
		vq_need_interrupt(vq);
		vq_enable_kicks(vq);
		vq_disable_kicks(vq);
	}
	vq_free(vq);
	if (rte_mempool_in_use_count(pool) != 0)
		abort(); /* an mbuf leaked */
	return 0;
}
