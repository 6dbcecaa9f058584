/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/vduse's handling of the kernel's requests against a
 * fake kernel. The input is a program of events: requests (SET_STATUS in
 * any order, GET_VQ_STATE, UPDATE_IOTLB, unknown types), changes of what the
 * kernel reports (negotiated features, each queue's info, IOTLB ranges and
 * the bounce size), bytes written into the driver's memory, and bursts on
 * the queues lib/vduse started. The fake kernel answers the device ioctls
 * (ld --wrap of ioctl, read and write on its fd); its IOTLB ranges are
 * windows on one real memfd, so mmap() is real.
 *
 * Whatever the program: no memory error (AddressSanitizer), every request
 * answered once with its own id, a reset leaves no queue started and no
 * memory mapped, a queue is started only under DRIVER_OK and only once, and
 * no mbuf leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <rte_mbuf.h>

#include "fuzz_eal.h"
#include "vdu_priv.h"
#include "vdu_vq.h"

/*
 * Bytes of the fake IOVA domain file (sparse): every range the fake kernel
 * lists lies inside it, as the real one's do.
 */
#define DOMAIN_SIZE (512u << 20)
#define WRITABLE    (1u << 20) /* the driver writes its rings in the first MiB */
#define MAX_RANGES  4

static struct rte_mempool *pool;
static int domain_fd;	/* the fake domain file */
static uint8_t *domain; /* its bytes, as the driver writes them */

/* What the fake kernel says. */
static struct {
	int fd; /* the device fd lib/vduse uses */
	uint64_t features;
	struct vduse_vq_info vq[VDU_NET_QUEUES];
	struct vduse_iotlb_entry range[MAX_RANGES];
	unsigned int nranges;
	uint64_t bounce_size; /* 0: no bounce range listed yet */
	struct vduse_dev_request req;
	bool req_pending;
	bool answered;
} k;

/* What the port driver (this file) holds. */
static struct vq *vqs[VDU_NET_QUEUES];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int __real_ioctl(int fd, unsigned long request, ...);
ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __real_write(int fd, const void *buf, size_t count);

static int fake_get_fd(struct vduse_iotlb_entry *e)
{
	const struct vduse_iotlb_entry *best = NULL;
	unsigned int i;

	/* The first range overlapping [e->start, e->last], as the kernel answers. */
	for (i = 0; i < k.nranges; i++) {
		const struct vduse_iotlb_entry *r = &k.range[i];

		if (r->last < e->start || r->start > e->last)
			continue;
		if (best == NULL || r->start < best->start)
			best = r;
	}
	if (best == NULL) {
		errno = EINVAL;
		return -1;
	}
	*e = *best;
	return dup(domain_fd);
}

int __wrap_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != k.fd)
		return __real_ioctl(fd, request, arg);
	switch (request) {
	case VDUSE_DEV_GET_FEATURES:
		*(uint64_t *)arg = k.features;
		return 0;
	case VDUSE_VQ_GET_INFO: {
		struct vduse_vq_info *info = arg;

		if (info->index >= VDU_NET_QUEUES)
			break;
		*info = k.vq[info->index];
		return 0;
	}
	case VDUSE_VQ_SETUP_KICKFD:
	case VDUSE_VQ_INJECT_IRQ:
		return 0;
	case VDUSE_IOTLB_GET_INFO: {
		struct vduse_iova_info *info = arg;

		if (k.bounce_size == 0 || info->start != 0)
			break;
		info->last = k.bounce_size - 1;
		info->capability = VDUSE_IOVA_CAP_UMEM;
		return 0;
	}
	case VDUSE_IOTLB_GET_FD:
		return fake_get_fd(arg);
	default:
		break;
	}
	errno = EINVAL;
	return -1;
}

ssize_t __wrap_read(int fd, void *buf, size_t count);
ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	if (fd != k.fd)
		return __real_read(fd, buf, count);
	if (!k.req_pending) {
		errno = EAGAIN;
		return -1;
	}
	if (count < sizeof(k.req))
		abort(); /* lib/vduse reads whole requests */
	memcpy(buf, &k.req, sizeof(k.req));
	k.req_pending = false;
	return sizeof(k.req);
}

ssize_t __wrap_write(int fd, const void *buf, size_t count);
ssize_t __wrap_write(int fd, const void *buf, size_t count)
{
	const struct vduse_dev_response *resp = buf;

	if (fd != k.fd)
		return __real_write(fd, buf, count);
	if (count != sizeof(*resp) || resp->request_id != k.req.request_id || k.answered ||
	    (resp->result != VDUSE_REQ_RESULT_OK && resp->result != VDUSE_REQ_RESULT_FAILED))
		abort(); /* one answer per request, with its id */
	k.answered = true;
	return (ssize_t)count;
}

static int queue_start(struct vdu_dev *dev, const struct vdu_queue *q, void *arg)
{
	struct vq_config cfg = vdu_queue_vq_config(q);
	int err;

	(void)arg;
	if (q->index >= VDU_NET_QUEUES || vqs[q->index] != NULL ||
	    (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	     !(k.req.type == VDUSE_SET_STATUS && (k.req.s.status & VIRTIO_CONFIG_S_DRIVER_OK))))
		abort(); /* started twice, or without DRIVER_OK */
	vqs[q->index] = vq_create(&cfg, SOCKET_ID_ANY, &err);
	return vqs[q->index] == NULL ? err : 0;
}

static uint16_t queue_stop(struct vdu_dev *dev, uint16_t qid, void *arg)
{
	uint16_t last;

	(void)dev;
	(void)arg;
	if (qid >= VDU_NET_QUEUES || vqs[qid] == NULL)
		abort(); /* stopped without having started */
	last = vq_last_avail_idx(vqs[qid]);
	vq_free(vqs[qid]);
	vqs[qid] = NULL;
	return last;
}

static void quiet(enum vdu_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pool = fuzz_eal_init();
	domain_fd = memfd_create("fuzz-domain", MFD_CLOEXEC);
	if (domain_fd < 0 || ftruncate(domain_fd, DOMAIN_SIZE) < 0)
		abort();
	domain = mmap(NULL, DOMAIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, domain_fd, 0);
	if (domain == MAP_FAILED)
		abort();
	vdu_set_logger(quiet);
	return 0;
}

/* Input reader: bytes run out as zeros. */
struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		v |= (uint64_t)(in->left > 0 ? *in->p : 0) << (8 * i);
		if (in->left > 0) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

/* An IOVA below 256 MiB, 16-byte aligned. */
static uint64_t take_iova(struct input *in)
{
	return take(in, 3) << 4;
}

static void request(struct vdu_dev *dev, uint32_t type, struct input *in)
{
	static uint32_t id;

	memset(&k.req, 0, sizeof(k.req));
	k.req.type = type;
	k.req.request_id = ++id;
	switch (type) {
	case VDUSE_SET_STATUS:
		k.req.s.status = (uint8_t)take(in, 1);
		break;
	case VDUSE_GET_VQ_STATE:
		k.req.vq_state.index = (uint32_t)take(in, 1) % 4;
		break;
	case VDUSE_UPDATE_IOTLB:
		k.req.iova.start = take_iova(in);
		k.req.iova.last = k.req.iova.start + (take(in, 3) << 4);
		break;
	default:
		break;
	}
	k.req_pending = true;
	k.answered = false;
	if (vdu_request_handle(dev) != 1 || !k.answered)
		abort(); /* a request read must be answered */
	if (type == VDUSE_SET_STATUS && k.req.s.status == 0 &&
	    (vqs[0] != NULL || vqs[1] != NULL || dev->mem.nregions != 0))
		abort(); /* a reset leaves nothing started or mapped */
}

static void burst(void)
{
	struct rte_mbuf *pkts[8], *m;
	uint16_t n;

	if (vqs[VDU_NET_TXQ] != NULL) {
		n = vq_dequeue_burst(vqs[VDU_NET_TXQ], pool, pkts, RTE_DIM(pkts));
		rte_pktmbuf_free_bulk(pkts, n);
	}
	if (vqs[VDU_NET_RXQ] != NULL && (m = rte_pktmbuf_alloc(pool)) != NULL) {
		memset(rte_pktmbuf_append(m, 60), 0xab, 60);
		vq_enqueue_burst(vqs[VDU_NET_RXQ], &m, 1);
		rte_pktmbuf_free(m);
	}
}

static void kernel_event(uint8_t op, struct input *in)
{
	switch (op) {
	case 0:
		k.features = take(in, 8) | (1ULL << VIRTIO_F_VERSION_1);
		break;
	case 1: {
		struct vduse_vq_info *q = &k.vq[take(in, 1) % VDU_NET_QUEUES];

		q->num = (uint32_t)take(in, 2);
		q->desc_addr = take_iova(in);
		q->driver_addr = take_iova(in);
		q->device_addr = take_iova(in);
		q->split.avail_index = (uint16_t)take(in, 2);
		q->ready = (uint8_t)take(in, 1) & 1;
		break;
	}
	case 2: {
		struct vduse_iotlb_entry *r = &k.range[take(in, 1) % MAX_RANGES];

		r->start = take_iova(in);
		r->last = r->start + (take(in, 3) << 4) + 15; /* up to 256 MiB */
		r->offset = take(in, 2) << 12;		      /* below 256 MiB */
		r->perm = (uint8_t)take(in, 1) % 4;
		if (k.nranges < MAX_RANGES)
			k.nranges++;
		break;
	}
	case 3:
		k.bounce_size = take(in, 1) << 16;
		break;
	default: {
		uint32_t off = (uint32_t)(take(in, 3) % (WRITABLE - 8));
		uint64_t v = take(in, 8);

		memcpy(domain + off, &v, sizeof(v));
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const uint32_t types[] = {VDUSE_SET_STATUS, VDUSE_GET_VQ_STATE, VDUSE_UPDATE_IOTLB,
					 0x7f};
	struct input in = {data, len};
	struct vdu_dev *dev;
	unsigned int steps;

	memset(&k, 0, sizeof(k));
	memset(domain, 0, WRITABLE);
	k.fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	dev = calloc(1, sizeof(*dev));
	if (k.fd < 0 || dev == NULL)
		abort();
	snprintf(dev->name, sizeof(dev->name), "fuzz");
	dev->ctl_fd = dev->epoll_fd = dev->stop_fd = -1;
	dev->dev_fd = k.fd;
	dev->ops = (struct vdu_ops){.queue_start = queue_start, .queue_stop = queue_stop};
	dev->offered_features = take(&in, 8) | (1ULL << VIRTIO_F_VERSION_1);
	dev->numa_node = -1;
	dev->vqs[0].kick_fd = dev->vqs[1].kick_fd = -1;
	dev->vqs[0].max_size = dev->vqs[1].max_size = 256;
	vq_mem_table_init(&dev->mem);

	for (steps = 0; in.left > 0 && steps < 64; steps++) {
		uint8_t op = (uint8_t)take(&in, 1);

		if (op < 0x80)
			request(dev, types[op % RTE_DIM(types)], &in);
		else if (op < 0xc0)
			kernel_event(op & 7, &in);
		else
			burst();
	}
	/* What vdu_destroy() does once the control thread is gone. */
	vdu_queues_stop(dev);
	vdu_iotlb_drop(dev, 0, UINT64_MAX);
	if (vqs[0] != NULL || vqs[1] != NULL || dev->nmaps != 0)
		abort();
	close(k.fd);
	free(dev);
	if (rte_mempool_in_use_count(pool) != 0)
		abort(); /* an mbuf leaked */
	return 0;
}
