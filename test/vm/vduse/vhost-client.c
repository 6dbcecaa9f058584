/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-client: the smallest stand-in for a VM on a vhost-vdpa device. It
 * maps its own memory (a shared memfd) into the device's IOTLB, sets up both
 * split rings with one buffer each and sets DRIVER_OK, as QEMU would. Then:
 *   SIGUSR1  map a second region and post a transmit buffer in it
 *   SIGTERM  read back both queues' state, report interrupts, close, exit 0
 * Lines on stdout are the test's interface.
 *
 *   vhost-client /dev/vhost-vdpa-N
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define REGION_SIZE  (1u << 20)
#define REGION_A     0x10000000ULL /* IOVA of the first region */
#define REGION_B     0x20000000ULL /* IOVA of the second region */
#define QSIZE	     16
#define QUEUE_STRIDE 0x4000 /* rings of queue q at q * QUEUE_STRIDE in region A */
#define RX_BUF	     0x10000
#define TX_BUF	     0x20000

static const char tx_text_a[] = "vhost-client buffer in region A";
static const char tx_text_b[] = "vhost-client buffer in region B";

static int vhost_fd;
static uint8_t *region_a, *region_b;
static int call_fd[2];

static void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void xioctl(unsigned long req, void *arg, const char *what)
{
	if (ioctl(vhost_fd, req, arg) < 0)
		die(what);
}

static uint8_t *region_alloc(void)
{
	int fd = memfd_create("vhost-client", MFD_CLOEXEC);
	void *p;

	/* vhost-vdpa passes VDUSE only shared, file-backed memory. */
	if (fd < 0 || ftruncate(fd, REGION_SIZE) < 0)
		die("memfd");
	p = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);
	return p;
}

static void iotlb_update(uint64_t iova, void *addr)
{
	struct vhost_msg_v2 msg = {
		.type = VHOST_IOTLB_MSG_V2,
		.iotlb =
			{
				.iova = iova,
				.size = REGION_SIZE,
				.uaddr = (uintptr_t)addr,
				.perm = VHOST_ACCESS_RW,
				.type = VHOST_IOTLB_UPDATE,
			},
	};

	if (write(vhost_fd, &msg, sizeof(msg)) != sizeof(msg))
		die("IOTLB update");
}

static void set_status(uint8_t status)
{
	uint8_t got;

	xioctl(VHOST_VDPA_SET_STATUS, &status, "VHOST_VDPA_SET_STATUS");
	xioctl(VHOST_VDPA_GET_STATUS, &got, "VHOST_VDPA_GET_STATUS");
	if (got != status) {
		printf("error: status %#x refused (device has %#x)\n", status, got);
		exit(1);
	}
}

/* Post one buffer on queue q: descriptor @p slot, avail entry @p slot. */
static void post(unsigned int q, uint16_t slot, uint64_t iova, uint32_t len, uint16_t flags)
{
	uint8_t *base = region_a + q * QUEUE_STRIDE;
	struct vring_desc *desc = (struct vring_desc *)base;
	struct vring_avail *avail = (struct vring_avail *)(base + 0x1000);

	desc[slot] = (struct vring_desc){.addr = iova, .len = len, .flags = flags};
	avail->ring[slot] = slot;
	__atomic_store_n(&avail->idx, (uint16_t)(slot + 1), __ATOMIC_RELEASE);
}

static void setup_queue(unsigned int q)
{
	uint64_t base = REGION_A + q * QUEUE_STRIDE;
	struct vhost_vring_state num = {.index = q, .num = QSIZE};
	struct vhost_vring_state vbase = {.index = q, .num = 0};
	struct vhost_vring_state enable = {.index = q, .num = 1};
	struct vhost_vring_addr addr = {
		.index = q,
		.desc_user_addr = base,
		.avail_user_addr = base + 0x1000,
		.used_user_addr = base + 0x2000,
	};
	struct vhost_vring_file call;

	call_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	call = (struct vhost_vring_file){.index = q, .fd = call_fd[q]};
	xioctl(VHOST_SET_VRING_NUM, &num, "VHOST_SET_VRING_NUM");
	xioctl(VHOST_SET_VRING_ADDR, &addr, "VHOST_SET_VRING_ADDR");
	xioctl(VHOST_SET_VRING_BASE, &vbase, "VHOST_SET_VRING_BASE");
	xioctl(VHOST_SET_VRING_CALL, &call, "VHOST_SET_VRING_CALL");
	xioctl(VHOST_VDPA_SET_VRING_ENABLE, &enable, "VHOST_VDPA_SET_VRING_ENABLE");
}

static void start(const char *path)
{
	uint64_t want = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM);
	uint64_t features, backend;
	const uint8_t drv = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vhost_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vhost_fd < 0)
		die(path);
	xioctl(VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER");
	xioctl(VHOST_GET_BACKEND_FEATURES, &backend, "VHOST_GET_BACKEND_FEATURES");
	backend &= 1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2;
	xioctl(VHOST_SET_BACKEND_FEATURES, &backend, "VHOST_SET_BACKEND_FEATURES");

	set_status(0);
	set_status(drv);
	xioctl(VHOST_GET_FEATURES, &features, "VHOST_GET_FEATURES");
	features &= want;
	xioctl(VHOST_SET_FEATURES, &features, "VHOST_SET_FEATURES");
	set_status(drv | VIRTIO_CONFIG_S_FEATURES_OK);

	region_a = region_alloc();
	iotlb_update(REGION_A, region_a);
	setup_queue(0);
	setup_queue(1);
	memcpy(region_a + TX_BUF, tx_text_a, sizeof(tx_text_a));
	post(0, 0, REGION_A + RX_BUF, 2048, VRING_DESC_F_WRITE);
	post(1, 0, REGION_A + TX_BUF, sizeof(tx_text_a), 0);
	set_status(drv | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	printf("running: features %#llx\n", (unsigned long long)features);
}

static void add_region_b(void)
{
	region_b = region_alloc();
	memcpy(region_b, tx_text_b, sizeof(tx_text_b));
	iotlb_update(REGION_B, region_b);
	post(1, 1, REGION_B, sizeof(tx_text_b), 0);
	printf("region B mapped\n");
}

static void finish(void)
{
	unsigned int q;
	uint64_t n;

	for (q = 0; q < 2; q++) {
		struct vhost_vring_state s = {.index = q};

		xioctl(VHOST_GET_VRING_BASE, &s, "VHOST_GET_VRING_BASE");
		printf("queue %u: vring base %u, interrupts %s\n", q, s.num,
		       read(call_fd[q], &n, sizeof(n)) == sizeof(n) ? "received" : "none");
	}
	close(vhost_fd);
	printf("closed\n");
}

int main(int argc, char **argv)
{
	sigset_t set;
	int sig;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/vhost-vdpa-N\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	start(argv[1]);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			add_region_b();
			continue;
		}
		finish();
		return 0;
	}
}
