/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vduse port driver over a stand-in for lib/vduse: the test plays the
 * device's control thread (queue_start, queue_stop callbacks) and the driver
 * model provides real rings, so drivers/vduse and lib/virtio run as they do
 * in the switch. vq_get_stats() and vq_free() are wrapped (ld --wrap) to see
 * the order in which threads reach them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "port_vduse.h"
#include "virtio_driver.h"

static struct rte_mempool *pool;

/* --- lib/vduse, as the port driver sees it --- */

struct vdu_dev {
	struct vdu_ops ops;
	void *arg;
};

static struct vdu_dev fake_dev;
static uint64_t created_features; /* vdu_net_params.features of the last device */

int vdu_net_create(const struct vdu_net_params *params, const struct vdu_ops *ops, void *arg,
		   struct vdu_dev **out)
{
	created_features = params->features;
	fake_dev.ops = *ops;
	fake_dev.arg = arg;
	*out = &fake_dev;
	return 0;
}

int vdu_attach(struct vdu_dev *dev, enum vdu_driver driver)
{
	(void)dev;
	(void)driver;
	return 0;
}

void vdu_destroy(struct vdu_dev *dev)
{
	uint16_t q;

	/* The device's reset stops whatever runs. */
	for (q = 0; q < VDU_NET_QUEUES; q++)
		dev->ops.queue_stop(dev, q, dev->arg);
}

int vdu_queue_notify(struct vdu_dev *dev, uint16_t qid)
{
	(void)dev;
	(void)qid;
	return 0;
}

uint8_t vdu_status(const struct vdu_dev *dev)
{
	(void)dev;
	return VIRTIO_CONFIG_S_DRIVER_OK;
}

int vdu_set_link(struct vdu_dev *dev, bool up)
{
	(void)dev;
	(void)up;
	return 0;
}

bool vdu_taken_back(const struct vdu_dev *dev)
{
	(void)dev;
	return false;
}

bool vdu_net_exists(const char *name)
{
	(void)name;
	return false;
}

int vdu_net_remove(const char *name, const char *state_dir)
{
	(void)name;
	(void)state_dir;
	return 0;
}

int vdu_netdev_name(const struct vdu_dev *dev, char *buf, size_t len)
{
	(void)dev;
	snprintf(buf, len, "eth0");
	return 0;
}

/* --- the engine, watched --- */

void __real_vq_get_stats(const struct vq *vq, struct vq_stats *stats);
void __real_vq_free(struct vq *vq);

static __thread bool is_reader; /* set on the stats reader's thread */
static volatile int reader_inside;
static volatile int freed_while_read;

/* The stats reader lingers inside a live queue, as a preempted thread would. */
void __wrap_vq_get_stats(const struct vq *vq, struct vq_stats *stats)
{
	if (is_reader) {
		__atomic_store_n(&reader_inside, 1, __ATOMIC_SEQ_CST);
		usleep(200 * 1000);
	}
	__real_vq_get_stats(vq, stats);
	if (is_reader)
		__atomic_store_n(&reader_inside, 0, __ATOMIC_SEQ_CST);
}

void __wrap_vq_free(struct vq *vq)
{
	if (__atomic_load_n(&reader_inside, __ATOMIC_SEQ_CST))
		freed_while_read = 1;
	__real_vq_free(vq);
}

/* --- tests --- */

static struct port *open_port(void)
{
	struct port_vduse_params params = {
		.name = "p0",
		.queue_size = 256,
		.socket_id = SOCKET_ID_ANY,
		.driver = VDU_DRIVER_VIRTIO,
	};
	struct port *port;
	int err;

	port = port_vduse_open(&params, pool, &err);
	assert_non_null(port);
	return port;
}

static void start_queue(struct drv *d, uint16_t qid)
{
	struct vq_config cfg = drv_vq_config(d);
	struct vdu_queue q = {
		.index = qid,
		.size = cfg.size,
		.features = cfg.features,
		.desc_iova = cfg.desc_iova,
		.driver_iova = cfg.driver_iova,
		.device_iova = cfg.device_iova,
		.last_avail_idx = cfg.last_avail_idx,
		.kick_fd = -1,
		.mem = cfg.mem,
	};

	assert_int_equal(fake_dev.ops.queue_start(&fake_dev, &q, fake_dev.arg), 0);
}

struct stats_read {
	struct port *port;
	struct port_stats stats;
};

static void *read_stats(void *arg)
{
	struct stats_read *r = arg;

	is_reader = true;
	port_stats_get(r->port, &r->stats);
	return NULL;
}

/*
 * A3: `show stats` on the main thread must not read a queue that the
 * control thread frees meanwhile; the counters of the retired queue are
 * still counted.
 */
static void test_stats_reader_holds_off_queue_retirement(void **state)
{
	static const struct virtio_net_hdr no_hdr;
	struct port *port = open_port();
	struct rte_mbuf *pkts[4];
	struct stats_read r = {.port = port};
	struct port_stats after;
	pthread_t reader;
	uint8_t frame[60] = {0};
	struct drv d;
	int i;

	(void)state;
	drv_init(&d, 256, (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM), 0);
	start_queue(&d, VDU_NET_TXQ);
	drv_publish(&d, drv_tx(&d, &no_hdr, frame, sizeof(frame), NULL, 0, false));
	assert_int_equal(port_rx_burst(port, 0, pkts, 4), 1);
	rte_pktmbuf_free(pkts[0]);

	assert_int_equal(pthread_create(&reader, NULL, read_stats, &r), 0);
	for (i = 0; i < 1000 && !__atomic_load_n(&reader_inside, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_true(reader_inside); /* the reader is inside the live queue */
	fake_dev.ops.queue_stop(&fake_dev, VDU_NET_TXQ, fake_dev.arg);
	pthread_join(reader, NULL);
	assert_false(freed_while_read);
	assert_int_equal(r.stats.rx_packets, 1);

	port_stats_get(port, &after);
	assert_int_equal(after.rx_packets, 1); /* kept from the retired queue */
	assert_int_equal(after.rx_bytes, sizeof(frame));
	port_close(port);
	drv_fini(&d);
}

static bool has(uint64_t features, unsigned int bit)
{
	return (features >> bit) & 1;
}

/* The driver maps the offloads the app asks for (RTE_ETH_*) to virtio features. */
static void test_offloads_to_features(void **state)
{
	struct port_vduse_params params = {
		.name = "p1",
		.queue_size = 256,
		.socket_id = SOCKET_ID_ANY,
		.driver = VDU_DRIVER_VIRTIO,
	};
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	struct port_info info;
	struct port *port;
	int err;

	(void)state;
	port = port_vduse_open(&params, pool, &err); /* no offloads, split ring */
	assert_non_null(port);
	assert_false(has(created_features, VIRTIO_NET_F_CSUM));
	assert_false(has(created_features, VIRTIO_NET_F_GUEST_CSUM));
	assert_false(has(created_features, VIRTIO_NET_F_HOST_TSO4));
	assert_false(has(created_features, VIRTIO_F_RING_PACKED));
	assert_true(has(created_features, VIRTIO_NET_F_MRG_RXBUF));
	port_info_get(port, &info);
	assert_string_equal(info.driver, "vduse");
	assert_int_equal(info.rx_offloads, 0);
	/* What the driver cannot take is done in software: every offload is honoured. */
	assert_true(info.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	assert_int_equal(info.mtu, RTE_ETHER_MTU);
	port_close(port);

	params.offloads = csum | RTE_ETH_TX_OFFLOAD_TCP_TSO;
	params.packed_ring = true;
	params.mtu = 9000;
	port = port_vduse_open(&params, pool, &err);
	assert_non_null(port);
	assert_true(has(created_features, VIRTIO_NET_F_CSUM));
	assert_true(has(created_features, VIRTIO_NET_F_GUEST_CSUM));
	assert_true(has(created_features, VIRTIO_NET_F_HOST_TSO6));
	assert_true(has(created_features, VIRTIO_NET_F_GUEST_TSO4));
	assert_false(has(created_features, VIRTIO_NET_F_HOST_USO));
	assert_false(has(created_features, VIRTIO_NET_F_GUEST_USO4));
	assert_true(has(created_features, VIRTIO_F_RING_PACKED));
	port_info_get(port, &info);
	assert_true(info.rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	assert_int_equal(info.mtu, 9000);
	port_close(port);

	/* TSO without the checksums, half the checksums, an offload that does not exist. */
	params.offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO;
	assert_null(port_vduse_open(&params, pool, &err));
	assert_int_equal(err, -EINVAL);
	params.offloads = RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	assert_null(port_vduse_open(&params, pool, &err));
	assert_int_equal(err, -EINVAL);
	params.offloads = csum | RTE_ETH_TX_OFFLOAD_SCTP_CKSUM;
	assert_null(port_vduse_open(&params, pool, &err));
	assert_int_equal(err, -EINVAL);
}

int main(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"128",	     "-l",	 "0",		"--log-level=3"};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_reader_holds_off_queue_retirement),
		cmocka_unit_test(test_offloads_to_features),
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	return cmocka_run_group_tests_name("port_vduse", tests, NULL, NULL);
}
