/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/ethdev over a real PMD, net_ring (rte_eth_from_rings()), which
 * offloads nothing: frames asking for TSO or checksums must come out of the
 * transmit ring cut and summed in software, in order, and the rest of the
 * port contract (what tx_burst takes, info, xstats) must hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "port_ethdev.h"

static struct rte_mempool *pool;

struct ring_port {
	struct rte_ring *rx, *tx;
	struct port *port;
};

static void open_ring_port(struct ring_port *rp, const char *name, unsigned int tx_size)
{
	char rname[32];
	struct port_ethdev_params params = {
		.nb_rx_queues = 1,
		.nb_tx_queues = 1,
		.pool = pool,
	};
	int id, err;

	snprintf(rname, sizeof(rname), "%s_rx", name);
	rp->rx = rte_ring_create(rname, 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "%s_tx", name);
	rp->tx = rte_ring_create(rname, tx_size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(rp->rx);
	assert_non_null(rp->tx);
	id = rte_eth_from_rings(name, &rp->rx, 1, &rp->tx, 1, SOCKET_ID_ANY);
	assert_true(id >= 0);
	params.port_id = (uint16_t)id;
	rp->port = port_ethdev_open(&params, &err);
	assert_non_null(rp->port);
	assert_int_equal(port_start(rp->port), 0);
}

static void close_ring_port(struct ring_port *rp)
{
	struct rte_mbuf *m;

	port_stop(rp->port);
	port_close(rp->port);
	while (rte_ring_dequeue(rp->tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(rp->rx);
	rte_ring_free(rp->tx);
}

/* A named extended counter of @p port. */
static uint64_t xstat(struct port *port, const char *name)
{
	struct port_xstat xs[64];
	int n = port_xstats_get(port, xs, 64), i;

	for (i = 0; i < n && i < 64; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	fail_msg("no xstat %s", name);
	return 0;
}

/*
 * An Ethernet/IPv4/TCP (or UDP) frame of @p payload bytes whose L4 checksum
 * is left to the port (the pseudo-header sum in the field), as a guest's
 * virtio driver hands it over.
 */
static struct rte_mbuf *frame(bool tcp, uint32_t payload, uint16_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint32_t l4_len = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint32_t len =
		sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + l4_len + payload;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t i;

	assert_non_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(eth);
	memset(eth, 0, len);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4 = (uint8_t *)(ip + 1);
	for (i = 0; i < payload; i++)
		l4[l4_len + i] = (uint8_t)(i * 7 + id);
	if (tcp) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->sent_seq = rte_cpu_to_be_32(1000);
		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		th->cksum = rte_ipv4_phdr_cksum(ip, 0);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(l4_len + payload));
		uh->dgram_cksum = rte_ipv4_phdr_cksum(ip, 0);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	}
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = (uint8_t)l4_len;
	return m;
}

/* The L4 checksum of @p m (one segment, IPv4) verifies. */
static void assert_l4_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* over a header with its sum: 0 */
}

/* A TSO frame leaves as gso_size segments with their own headers and sums. */
static void test_tso_cut_in_software(void **state)
{
	struct ring_port rp;
	struct rte_mbuf *m, *out[8];
	struct port_info info;
	uint32_t seq = 1000;
	unsigned int n, i;

	(void)state;
	open_ring_port(&rp, "net_ring_tso", 64);
	port_info_get(rp.port, &info);
	/* net_ring does none of it; the port says it does it all (in software). */
	assert_true(info.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	assert_string_equal(info.driver, "net_ring");

	m = frame(true, 2500, 7);
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = 1000;
	assert_int_equal(port_tx_burst(rp.port, 0, &m, 1), 1);
	n = rte_ring_dequeue_burst(rp.tx, (void **)out, 8, NULL);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(out[i], struct rte_ipv4_hdr *,
								  sizeof(struct rte_ether_hdr));
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
		uint32_t payload = i < 2 ? 1000 : 500;

		assert_int_equal(out[i]->pkt_len, 14 + 20 + 20 + payload);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 20 + payload);
		assert_int_equal(rte_be_to_cpu_32(th->sent_seq), seq);
		assert_int_equal(!!(th->tcp_flags & RTE_TCP_PSH_FLAG), i == 2);
		assert_l4_ok(out[i]);
		seq += payload;
		rte_pktmbuf_free(out[i]);
	}
	assert_int_equal(xstat(rp.port, "tx_gso_segments"), 3);
	close_ring_port(&rp);
}

/* A checksum request is finished in place; the frame keeps its place in the burst. */
static void test_csum_finished_in_order(void **state)
{
	struct ring_port rp;
	struct rte_mbuf *pkts[3], *out[4];
	unsigned int n;

	(void)state;
	open_ring_port(&rp, "net_ring_csum", 64);
	pkts[0] = frame(false, 100, 1);
	pkts[0]->ol_flags = 0; /* a plain frame */
	pkts[1] = frame(false, 300, 2);
	pkts[2] = frame(true, 200, 3);
	assert_int_equal(port_tx_burst(rp.port, 0, pkts, 3), 3);
	n = rte_ring_dequeue_burst(rp.tx, (void **)out, 4, NULL);
	assert_int_equal(n, 3);
	assert_ptr_equal(out[0], pkts[0]);
	assert_ptr_equal(out[1], pkts[1]);
	assert_ptr_equal(out[2], pkts[2]);
	assert_l4_ok(out[1]);
	assert_l4_ok(out[2]);
	assert_int_equal(out[1]->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	assert_int_equal(xstat(rp.port, "tx_csum_software"), 2);
	rte_pktmbuf_free_bulk(out, n);
	close_ring_port(&rp);
}

/*
 * A frame whose checksum cannot be finished (its data is shared) is dropped
 * and counted, after the frames before it; when those find the queue full,
 * it stays the caller's, untouched.
 */
static void test_unfinishable_frame(void **state)
{
	struct ring_port rp;
	struct rte_mbuf *pkts[4], *out[8];
	unsigned int avail = rte_mempool_avail_count(pool), n;

	(void)state;
	open_ring_port(&rp, "net_ring_drop", 4); /* room for 3 */
	pkts[0] = frame(false, 10, 1);
	pkts[0]->ol_flags = 0;
	pkts[1] = frame(false, 10, 2);
	pkts[1]->ol_flags = 0;
	pkts[2] = frame(true, 10, 3);
	rte_mbuf_refcnt_update(pkts[2], 1); /* shared: finishing its checksum is refused */
	pkts[3] = frame(false, 10, 4);
	pkts[3]->ol_flags = 0;
	assert_int_equal(port_tx_burst(rp.port, 0, pkts, 4), 4);
	assert_int_equal(xstat(rp.port, "tx_offload_missing"), 1);
	assert_int_equal(rte_mbuf_refcnt_read(pkts[2]), 1); /* the port's reference went */
	n = rte_ring_dequeue_burst(rp.tx, (void **)out, 8, NULL);
	assert_int_equal(n, 3);
	assert_ptr_equal(out[2], pkts[3]);
	rte_pktmbuf_free_bulk(out, n);
	rte_pktmbuf_free(pkts[2]);

	/* The queue full before the shared frame: it is not taken, nor freed. */
	pkts[0] = frame(false, 10, 5);
	pkts[0]->ol_flags = 0;
	pkts[1] = frame(false, 10, 6);
	pkts[1]->ol_flags = 0;
	pkts[2] = frame(false, 10, 7);
	pkts[2]->ol_flags = 0;
	pkts[3] = frame(true, 10, 8);
	rte_mbuf_refcnt_update(pkts[3], 1);
	assert_int_equal(rte_ring_enqueue(rp.tx, rte_pktmbuf_alloc(pool)), 0); /* 2 left */
	assert_int_equal(port_tx_burst(rp.port, 0, pkts, 4), 2);
	assert_int_equal(rte_mbuf_refcnt_read(pkts[3]), 2);
	assert_int_equal(xstat(rp.port, "tx_offload_missing"), 1);
	rte_pktmbuf_free(pkts[2]);
	rte_pktmbuf_free(pkts[3]);
	rte_pktmbuf_free(pkts[3]);
	close_ring_port(&rp);
	assert_int_equal(rte_mempool_avail_count(pool), avail); /* nothing leaked */
}

int main(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"256",	     "-l",	 "0",		"--log-level=3"};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tso_cut_in_software),
		cmocka_unit_test(test_csum_finished_in_order),
		cmocka_unit_test(test_unfinishable_frame),
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return 1;
	/* Room for a whole 2.5 KB TSO frame in one mbuf. */
	pool = rte_pktmbuf_pool_create("test", 1023, 0, 0, RTE_PKTMBUF_HEADROOM + 4096,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	return cmocka_run_group_tests_name("port_ethdev", tests, NULL, NULL);
}
