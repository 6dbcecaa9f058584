/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vdu-probe: a VDUSE virtio-net device served by lib/vduse with no data
 * path, for the guest tests. It creates the device, attaches it, prints what
 * it sees, and then acts on signals:
 *   SIGHUP   print each started queue's ring indexes and the start of the
 *            buffer of the newest available entry, then interrupt the driver;
 *            with --consume also take every available entry of the transmit
 *            queue (the position handed back at queue_stop moves on; no used
 *            entry is written)
 *   SIGUSR1  link down        SIGUSR2  link up
 *   SIGTERM  detach, destroy and exit 0
 * Lines on stdout are the test's interface; the library logs on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <endian.h>
#include <net/if.h>

#include "vduse.h"

struct ring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct ring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct ring_used {
	uint16_t flags;
	uint16_t idx;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct vdu_queue queues[VDU_NET_QUEUES];
static bool started[VDU_NET_QUEUES];
static bool consume; /* --consume */

static uint16_t read_idx(const struct vq_mem_table *mem, uint64_t iova)
{
	/* flags then idx: the first four bytes of both rings. */
	const volatile uint16_t *p = vq_mem_translate(mem, iova, 4, VQ_MEM_READ);

	return p != NULL ? le16toh(p[1]) : 0xffff;
}

static int queue_start(struct vdu_dev *dev, const struct vdu_queue *q, void *arg)
{
	(void)dev;
	(void)arg;
	pthread_mutex_lock(&lock);
	queues[q->index] = *q;
	started[q->index] = true;
	printf("queue %u started: size %u desc %#llx avail %#llx used %#llx avail_idx %u "
	       "used_idx %u kick_fd %s last_avail %u\n",
	       q->index, q->size, (unsigned long long)q->desc_iova,
	       (unsigned long long)q->driver_iova, (unsigned long long)q->device_iova,
	       read_idx(q->mem, q->driver_iova), read_idx(q->mem, q->device_iova),
	       q->kick_fd >= 0 ? "yes" : "no", q->last_avail_idx);
	fflush(stdout);
	pthread_mutex_unlock(&lock);
	return 0;
}

static uint16_t queue_stop(struct vdu_dev *dev, uint16_t qid, void *arg)
{
	uint16_t idx;

	(void)dev;
	(void)arg;
	pthread_mutex_lock(&lock);
	started[qid] = false;
	idx = queues[qid].last_avail_idx; /* where the queue is: lib/vduse resumes there */
	printf("queue %u stopped\n", qid);
	fflush(stdout);
	pthread_mutex_unlock(&lock);
	return idx;
}

/* Print the start of the buffer of the newest available entry. */
static void print_newest_buffer(const struct vdu_queue *q, uint16_t avail_idx)
{
	const struct ring_avail *avail = vq_mem_translate(
		q->mem, q->driver_iova, sizeof(*avail) + 2u * q->size, VQ_MEM_READ);
	const struct ring_desc *desc =
		vq_mem_translate(q->mem, q->desc_iova, sizeof(*desc) * q->size, VQ_MEM_READ);
	const volatile uint8_t *buf;
	uint32_t len, i;
	uint16_t head;
	uint64_t addr;

	if (avail == NULL || desc == NULL || avail_idx == 0)
		return;
	head = le16toh(avail->ring[(uint16_t)(avail_idx - 1) % q->size]) % q->size;
	addr = le64toh(desc[head].addr);
	len = le32toh(desc[head].len);
	buf = vq_mem_translate(q->mem, addr, len, VQ_MEM_READ);
	printf("queue %u: buffer iova %#llx len %u %s", q->index, (unsigned long long)addr, len,
	       buf != NULL ? "readable data" : "unmapped");
	for (i = 0; buf != NULL && i < len && i < 32; i++)
		printf(" %02x", buf[i]);
	printf("\n");
}

static void print_queues(struct vdu_dev *dev)
{
	uint16_t i, avail_idx;

	pthread_mutex_lock(&lock);
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		if (!started[i]) {
			printf("queue %u: stopped\n", i);
			continue;
		}
		avail_idx = read_idx(queues[i].mem, queues[i].driver_iova);
		printf("queue %u: avail_idx %u used_idx %u\n", i, avail_idx,
		       read_idx(queues[i].mem, queues[i].device_iova));
		print_newest_buffer(&queues[i], avail_idx);
		if (consume && i == VDU_NET_TXQ && avail_idx != 0xffff) {
			queues[i].last_avail_idx = avail_idx;
			printf("queue %u: consumed up to %u\n", i, avail_idx);
		}
		printf("queue %u: notify %s\n", i, strerror(-vdu_queue_notify(dev, i)));
	}
	fflush(stdout);
	pthread_mutex_unlock(&lock);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --name NAME --mac MAC [--mtu N] [--queue-size N] [--hugepages] "
		"[--numa NODE] [--features HEX] [--vhost] [--consume]\n",
		prog);
	exit(2);
}

static void parse_args(int argc, char **argv, struct vdu_net_params *p, enum vdu_driver *drv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"mac", required_argument, NULL, 'm'},
		{"mtu", required_argument, NULL, 'u'},
		{"queue-size", required_argument, NULL, 'q'},
		{"hugepages", no_argument, NULL, 'H'},
		{"numa", required_argument, NULL, 'N'},
		{"features", required_argument, NULL, 'F'},
		{"vhost", no_argument, NULL, 'V'},
		{"consume", no_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	bool have_mac = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			p->name = optarg;
			break;
		case 'm':
			if (parse_mac(optarg, p->mac) < 0)
				usage(argv[0]);
			have_mac = true;
			break;
		case 'u':
			p->mtu = (uint16_t)atoi(optarg);
			break;
		case 'q':
			p->queue_size = (uint16_t)atoi(optarg);
			break;
		case 'H':
			p->hugepages = true;
			break;
		case 'N':
			p->numa_node = atoi(optarg);
			break;
		case 'F':
			p->features = strtoull(optarg, NULL, 16);
			break;
		case 'V':
			*drv = VDU_DRIVER_VHOST;
			break;
		case 'C':
			consume = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (p->name == NULL || !have_mac || optind != argc)
		usage(argv[0]);
}

int main(int argc, char **argv)
{
	struct vdu_net_params params = {
		.queue_size = 256,
		.link_up = true,
		.numa_node = -1,
	};
	const struct vdu_ops ops = {.queue_start = queue_start, .queue_stop = queue_stop};
	enum vdu_driver drv = VDU_DRIVER_VIRTIO;
	char ifname[IF_NAMESIZE];
	struct vdu_dev *dev;
	sigset_t set;
	int sig, ret;

	parse_args(argc, argv, &params, &drv);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Signals go to sigwait() only, in every thread the library starts too. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	ret = vdu_net_create(&params, &ops, NULL, &dev);
	if (ret < 0) {
		printf("create failed: %s\n", strerror(-ret));
		return 1;
	}
	ret = vdu_attach(dev, drv);
	if (ret < 0) {
		printf("attach failed: %s\n", strerror(-ret));
		vdu_destroy(dev);
		return 1;
	}
	if (vdu_netdev_name(dev, ifname, sizeof(ifname)) == 0)
		printf("netdev %s\n", ifname);
	printf("status 0x%02x\n", vdu_status(dev));
	printf("ready\n");

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			print_queues(dev);
		else if (sig == SIGUSR1 || sig == SIGUSR2)
			printf("link %s: %s\n", sig == SIGUSR2 ? "up" : "down",
			       strerror(-vdu_set_link(dev, sig == SIGUSR2)));
		else
			break;
	}
	vdu_destroy(dev);
	printf("destroyed\n");
	return 0;
}
