// SPDX-License-Identifier: BSD-3-Clause
/*
 * A minimal VDUSE server that exercises kmod/ (or any VDUSE) from userspace,
 * inside a test guest:
 *
 *   vduse-kmod-test basic    create, attach, netdev, datapath, link, detach
 *   vduse-kmod-test badargs  every ioctl with bad arguments gets its errno
 *   vduse-kmod-test kill     the server dies while the kernel waits for it
 *   vduse-kmod-test ping     two devices, a forwarder, ping between netns
 *   vduse-kmod-test killfeat the server dies on SET_STATUS FEATURES_OK
 *   vduse-kmod-test killreset the server dies on the reset of dev del
 *   vduse-kmod-test cycles   1000 create, attach, detach, destroy; no leak
 *   vduse-kmod-test rtnl     an unanswered DRIVER_OK holds RTNL 5 s at most
 *
 * Exit status 0 on success, 1 on the first failed check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <linux/if_ether.h>
#include <linux/genetlink.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/vdpa.h>
#include <linux/vduse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NET_FEATURES                                                         \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
	 (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) | (1ULL << VIRTIO_NET_F_MTU))
#define VQ_SIZE 256
#define HDR_LEN 12 /* struct virtio_net_hdr_v1 */

static const char *test_name = "?";
static bool quiet;	 /* no "ok" line per frame in loops */
static int rx_sock = -1; /* packet socket on the netdev of check_rx() */
static bool upstream;	 /* the kernel's own VDUSE, not kmod/ */

#define CHECK(cond, ...)                                    \
	do {                                                \
		if (!(cond))                                \
			fail(__LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* an ioctl (or call) that must fail with errno e */
#define CHECK_ERRNO(call, e)                                                                     \
	do {                                                                                     \
		errno = 0;                                                                       \
		long r_ = (long)(call);                                                          \
		CHECK(r_ == -1 && errno == (e), "%s: got %ld errno %d (%s), want %s", #call, r_, \
		      errno, strerror(errno), #e);                                               \
	} while (0)

#define CHECK_OK(call)                                            \
	do {                                                      \
		long r_ = (long)(call);                           \
		CHECK(r_ >= 0, "%s: %s", #call, strerror(errno)); \
	} while (0)

static void fail(int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s line %d: %s: ", test_name, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	printf("+ %s\n", cmd);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* The whole file, as text: /proc files come a page per read(2). */
static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (n < 0)
		return -1;
	buf[got] = '\0';
	return 0;
}

/* ---- device creation ---- */

struct dev_cfg {
	struct vduse_dev_config c;
	struct virtio_net_config net;
};

static void net_config(struct dev_cfg *cfg, const char *name, const uint8_t mac[6])
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->c.name, sizeof(cfg->c.name), "%s", name);
	cfg->c.device_id = VIRTIO_ID_NET;
	cfg->c.vendor_id = 0;
	cfg->c.features = NET_FEATURES;
	cfg->c.vq_num = 2;
	cfg->c.vq_align = 4096;
	cfg->c.config_size = sizeof(cfg->net);
	memcpy(cfg->net.mac, mac, 6);
	cfg->net.status = VIRTIO_NET_S_LINK_UP;
	cfg->net.max_virtqueue_pairs = 1;
	cfg->net.mtu = 1500;
}

static int open_control(void)
{
	uint64_t v = 0;
	int fd = open("/dev/vduse/control", O_RDWR);

	CHECK(fd >= 0, "open /dev/vduse/control: %s", strerror(errno));
	CHECK_OK(ioctl(fd, VDUSE_GET_API_VERSION, &v));
	CHECK(v == 0, "api version %llu", (unsigned long long)v);
	CHECK_OK(ioctl(fd, VDUSE_SET_API_VERSION, &v));
	return fd;
}

static int open_dev(const char *name)
{
	char path[300];
	int i, fd = -1;

	snprintf(path, sizeof(path), "/dev/vduse/%s", name);
	for (i = 0; i < 100 && fd < 0; i++) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			usleep(20000);
	}
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

static void setup_vqs(int fd, int n)
{
	struct vduse_vq_config vq;
	int i;

	for (i = 0; i < n; i++) {
		memset(&vq, 0, sizeof(vq));
		vq.index = i;
		vq.max_size = VQ_SIZE;
		CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP, &vq));
	}
}

static void sysfs_set(const char *name, const char *attr, const char *val)
{
	char path[400];

	snprintf(path, sizeof(path), "/sys/class/vduse/%s/%s", name, attr);
	CHECK(write_file(path, val) == 0, "write %s=%s: %s", path, val, strerror(errno));
}

/* ---- the request server ---- */

struct server {
	int fd;
	int stopfd; /* eventfd: server_stop() wakes the thread at once */
	pthread_t thread;
	pthread_mutex_t lock;
	uint8_t statuses[64];
	int nstatus;
	int requests;
};

/* Answer a request as a device that accepts everything. */
static void answer(int fd, const struct vduse_dev_request *req)
{
	struct vduse_dev_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.request_id = req->request_id;
	resp.result = VDUSE_REQ_RESULT_OK;
	if (req->type == VDUSE_GET_VQ_STATE) {
		resp.vq_state.index = req->vq_state.index;
		resp.vq_state.split.avail_index = 0;
	}
	if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
		fprintf(stderr, "server: write: %s\n", strerror(errno));
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct vduse_dev_request req;
	struct pollfd p[2] = {
		{.fd = s->fd, .events = POLLIN},
		{.fd = s->stopfd, .events = POLLIN},
	};

	for (;;) {
		if (poll(p, 2, -1) <= 0)
			continue;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN) || read(s->fd, &req, sizeof(req)) != sizeof(req))
			continue;
		pthread_mutex_lock(&s->lock);
		s->requests++;
		if (req.type == VDUSE_SET_STATUS && s->nstatus < 64)
			s->statuses[s->nstatus++] = req.s.status;
		pthread_mutex_unlock(&s->lock);
		answer(s->fd, &req);
	}
	return NULL;
}

static void server_start(struct server *s, int fd)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->stopfd = eventfd(0, 0);
	CHECK(s->stopfd >= 0, "eventfd: %s", strerror(errno));
	pthread_mutex_init(&s->lock, NULL);
	CHECK(pthread_create(&s->thread, NULL, server_main, s) == 0, "thread");
}

static void server_stop(struct server *s)
{
	CHECK(eventfd_write(s->stopfd, 1) == 0, "eventfd_write");
	pthread_join(s->thread, NULL);
	close(s->stopfd);
}

static bool server_saw_status(struct server *s, uint8_t status)
{
	bool seen = false;
	int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->nstatus; i++)
		seen |= s->statuses[i] == status;
	pthread_mutex_unlock(&s->lock);
	return seen;
}

/* ---- netdev lookup ---- */

static bool find_netdev(const uint8_t mac[6], char *ifname, size_t len)
{
	char want[32], path[300], buf[64];
	struct if_nameindex *ifs, *i;
	bool found = false;

	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	ifs = if_nameindex();
	for (i = ifs; i && i->if_name; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", i->if_name);
		if (read_file(path, buf, sizeof(buf)) == 0 && !strcmp(buf, want)) {
			snprintf(ifname, len, "%s", i->if_name);
			found = true;
			break;
		}
	}
	if_freenameindex(ifs);
	return found;
}

static bool wait_netdev(const uint8_t mac[6], char *ifname, size_t len, bool present,
			double timeout)
{
	double end = now() + timeout;

	do {
		if (find_netdev(mac, ifname, len) == present)
			return true;
		usleep(50000);
	} while (now() < end);
	return false;
}

static long netdev_stat(const char *ifname, const char *file)
{
	char path[300], buf[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, file);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

static bool wait_stat(const char *ifname, const char *file, long want, double timeout)
{
	double end = now() + timeout;

	do {
		if (netdev_stat(ifname, file) == want)
			return true;
		usleep(2000);
	} while (now() < end);
	return false;
}

/* ---- IOVA access through VDUSE_IOTLB_GET_FD + mmap ---- */

/* mappings of IOVA regions, per device file */
struct region {
	int fd;
	uint64_t start, last;
	uint8_t *va;
};

static struct region regions[32];
static int nregions;
/* user memory registered with VDUSE_IOTLB_REG_UMEM as the bounce area */
static uint8_t *umem_base;
static uint64_t umem_size;

static void *iova_to_va(int fd, uint64_t iova, size_t len)
{
	struct vduse_iotlb_entry e;
	struct region *r;
	int i, mfd;

	if (umem_base && iova + len <= umem_size)
		return umem_base + iova;
	for (i = 0; i < nregions; i++) {
		r = &regions[i];
		if (r->fd == fd && iova >= r->start && iova + len - 1 <= r->last)
			return r->va + (iova - r->start);
	}
	memset(&e, 0, sizeof(e));
	e.start = iova;
	e.last = iova + len - 1;
	mfd = ioctl(fd, VDUSE_IOTLB_GET_FD, &e);
	CHECK(mfd >= 0, "IOTLB_GET_FD %#llx: %s", (unsigned long long)iova, strerror(errno));
	CHECK(e.start <= iova && iova + len - 1 <= e.last, "region [%#llx, %#llx] misses %#llx+%zu",
	      (unsigned long long)e.start, (unsigned long long)e.last, (unsigned long long)iova,
	      len);
	CHECK(e.perm == VDUSE_ACCESS_RW, "perm %u", e.perm);
	CHECK(nregions < 32, "too many regions");
	r = &regions[nregions++];
	r->fd = fd;
	r->start = e.start;
	r->last = e.last;
	r->va = mmap(NULL, e.last - e.start + 1, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, e.offset);
	CHECK(r->va != MAP_FAILED, "mmap iova region: %s", strerror(errno));
	close(mfd);
	return r->va + (iova - r->start);
}

static void unmap_regions(void)
{
	int i;

	for (i = 0; i < nregions; i++)
		munmap(regions[i].va, regions[i].last - regions[i].start + 1);
	nregions = 0;
}

struct ring {
	struct vduse_vq_info info;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;
};

static void ring_map(int fd, uint32_t index, struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->info.index = index;
	CHECK_OK(ioctl(fd, VDUSE_VQ_GET_INFO, &r->info));
	CHECK(r->info.ready == 1, "vq %u not ready", index);
	CHECK(r->info.num == VQ_SIZE, "vq %u num %u", index, r->info.num);
	CHECK(r->info.desc_addr && r->info.driver_addr && r->info.device_addr, "vq %u addresses",
	      index);
	r->desc = iova_to_va(fd, r->info.desc_addr, 16 * r->info.num);
	r->avail = iova_to_va(fd, r->info.driver_addr, 4 + 2 * r->info.num);
	r->used = iova_to_va(fd, r->info.device_addr, 4 + 8 * r->info.num);
	r->last_avail = r->info.split.avail_index;
}

/* ---- tests ---- */

static const uint8_t basic_mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x01};

static void inject_link(int fd, const char *ifname, uint16_t status, long carrier)
{
	struct {
		struct vduse_config_data d;
		uint16_t status;
	} __attribute__((packed)) upd;

	upd.d.offset = offsetof(struct virtio_net_config, status);
	upd.d.length = 2;
	upd.status = status;
	CHECK_OK(ioctl(fd, VDUSE_DEV_SET_CONFIG, &upd));
	CHECK_OK(ioctl(fd, VDUSE_DEV_INJECT_CONFIG_IRQ));
	CHECK(wait_stat(ifname, "carrier", carrier, 5), "carrier of %s is %ld, want %ld", ifname,
	      netdev_stat(ifname, "carrier"), carrier);
}

/* The driver transmits a frame: kick, then the frame in the bounce area. */
static void check_tx(int fd, const char *ifname, struct ring *tx, int kick)
{
	uint8_t frame[64], got[1600];
	struct sockaddr_ll sll = {0};
	struct pollfd p = {.fd = kick, .events = POLLIN};
	uint64_t cnt;
	uint16_t head, idx;
	size_t n = 0;
	int s, i;

	memset(frame, 0xff, 6);
	memcpy(frame + 6, basic_mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (i = 14; i < (int)sizeof(frame); i++)
		frame[i] = (uint8_t)i;

	s = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK(s >= 0, "packet socket: %s", strerror(errno));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(ifname);
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	CHECK(sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)) ==
		      sizeof(frame),
	      "sendto: %s", strerror(errno));
	close(s);

	CHECK(poll(&p, 1, 5000) == 1, "no kick on the tx queue");
	CHECK(read(kick, &cnt, sizeof(cnt)) == sizeof(cnt), "read kickfd");

	/* find our frame among what the driver made available */
	for (;;) {
		idx = __atomic_load_n(&tx->avail->idx, __ATOMIC_ACQUIRE);
		CHECK(idx != tx->last_avail, "tx avail ring empty after kick");
		head = tx->avail->ring[tx->last_avail % tx->info.num];
		tx->last_avail++;
		n = 0;
		for (i = head;; i = tx->desc[i].next) {
			struct vring_desc *d = &tx->desc[i];

			CHECK(!(d->flags & VRING_DESC_F_WRITE), "tx desc writable");
			CHECK(n + d->len <= sizeof(got), "tx chain too long");
			memcpy(got + n, iova_to_va(fd, d->addr, d->len), d->len);
			n += d->len;
			if (!(d->flags & VRING_DESC_F_NEXT))
				break;
		}
		/* give the buffer back */
		tx->used->ring[tx->used->idx % tx->info.num].id = head;
		tx->used->ring[tx->used->idx % tx->info.num].len = 0;
		__atomic_store_n(&tx->used->idx, tx->used->idx + 1, __ATOMIC_RELEASE);
		if (n == HDR_LEN + sizeof(frame) && !memcmp(got + HDR_LEN, frame, sizeof(frame)))
			break;
	}
	CHECK_OK(ioctl(fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){1}));
	if (!quiet)
		printf("ok: tx frame of %zu bytes read from the bounce area\n", n);
}

/* The device receives a frame: write it into a posted buffer, interrupt. */
static void check_rx(int fd, const char *ifname, struct ring *rx)
{
	long before = netdev_stat(ifname, "statistics/rx_packets");
	struct virtio_net_hdr_v1 hdr = {.num_buffers = 1};
	struct sockaddr_ll sll = {0};
	struct pollfd p;
	static uint8_t seq;
	uint8_t frame[64], got[128];
	ssize_t n;
	struct vring_desc *d;
	uint16_t head, idx;
	uint8_t *buf;
	int i;

	memcpy(frame, basic_mac, 6);
	memcpy(frame + 6, (uint8_t[]){0x02, 0, 0, 0, 0, 0x99}, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (i = 14; i < (int)sizeof(frame); i++)
		frame[i] = (uint8_t)(255 - i);

	/* a packet socket sees the frame as the kernel received it */
	if (rx_sock < 0) {
		rx_sock = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
		CHECK(rx_sock >= 0, "packet socket: %s", strerror(errno));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(0x88b5);
		sll.sll_ifindex = if_nametoindex(ifname);
		CHECK(bind(rx_sock, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind: %s",
		      strerror(errno));
	}
	frame[14] = (uint8_t)seq++;

	idx = __atomic_load_n(&rx->avail->idx, __ATOMIC_ACQUIRE);
	CHECK(idx != rx->last_avail, "no rx buffers posted");
	head = rx->avail->ring[rx->last_avail % rx->info.num];
	rx->last_avail++;
	d = &rx->desc[head];
	CHECK(d->flags & VRING_DESC_F_WRITE, "rx desc not writable");
	CHECK(!(d->flags & VRING_DESC_F_NEXT), "rx buffer is a chain");
	CHECK(d->len >= HDR_LEN + sizeof(frame), "rx buffer of %u", d->len);
	buf = iova_to_va(fd, d->addr, HDR_LEN + sizeof(frame));
	memcpy(buf, &hdr, HDR_LEN);
	memcpy(buf + HDR_LEN, frame, sizeof(frame));

	rx->used->ring[rx->used->idx % rx->info.num].id = head;
	rx->used->ring[rx->used->idx % rx->info.num].len = HDR_LEN + sizeof(frame);
	__atomic_store_n(&rx->used->idx, rx->used->idx + 1, __ATOMIC_RELEASE);
	CHECK_OK(ioctl(fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){0}));
	CHECK(wait_stat(ifname, "statistics/rx_packets", before + 1, 5), "rx_packets %ld, want %ld",
	      netdev_stat(ifname, "statistics/rx_packets"), before + 1);
	p.fd = rx_sock;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 5000) == 1, "the received frame reached no socket");
	n = recv(rx_sock, got, sizeof(got), 0);
	CHECK(n == sizeof(frame) && !memcmp(got, frame, sizeof(frame)),
	      "received %zd bytes that differ from the frame sent", n);
	if (!quiet)
		printf("ok: rx frame delivered to %s\n", ifname);
}

/* The same sysfs layout as upstream: a vdpa bus device and its driver. */
static void check_sysfs(const char *name, const char *ifname)
{
	char path[300], target[300];
	glob_t g;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/driver", name);
	n = readlink(path, target, sizeof(target) - 1);
	CHECK(n > 0, "%s: %s", path, strerror(errno));
	target[n] = '\0';
	CHECK(!strcmp(basename(target), "virtio_vdpa"), "driver %s", target);
	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/virtio*/net/%s", name, ifname);
	CHECK(glob(path, 0, NULL, &g) == 0 && g.gl_pathc == 1, "no %s", path);
	globfree(&g);
	printf("ok: sysfs has %s\n", path);
}

static void check_umem(int fd, const char *ifname, struct ring *rx, struct ring *tx, int kick)
{
	struct vduse_iova_umem umem;
	size_t size = 4194304;
	void *mem;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(&umem, 0, sizeof(umem));
	umem.uaddr = (uintptr_t)mem;
	umem.iova = 0;
	umem.size = size;
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem));
	umem_base = mem;
	umem_size = size;

	check_tx(fd, ifname, tx, kick);
	check_rx(fd, ifname, rx);
	printf("ok: datapath through user memory (REG_UMEM)\n");

	CHECK_OK(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem));
	umem_base = NULL;
	munmap(mem, size);
}

static int test_basic(void)
{
	const char *name = "kmodtest0";
	char ifname[IF_NAMESIZE], path[300];
	struct vduse_vq_eventfd efd;
	struct server srv;
	struct dev_cfg cfg;
	struct ring rx, tx;
	uint64_t features;
	int ctl, fd, kick, i;
	struct stat st;

	ctl = open_control();
	net_config(&cfg, name, basic_mac);
	CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, &cfg));
	fd = open_dev(name);
	CHECK_ERRNO(open("/dev/vduse/kmodtest0", O_RDWR), EBUSY);
	setup_vqs(fd, 2);
	sysfs_set(name, "msg_timeout", "10");
	sysfs_set(name, "bounce_size", "4194304");

	server_start(&srv, fd);
	CHECK(run("vdpa dev add name %s mgmtdev vduse", name) == 0, "vdpa dev add");
	CHECK(wait_netdev(basic_mac, ifname, sizeof(ifname), true, 10),
	      "no netdev with the configured MAC");
	printf("ok: %s has the configured MAC\n", ifname);
	check_sysfs(name, ifname);
	CHECK(run("vdpa dev show %s", name) == 0, "vdpa dev show");
	CHECK(server_saw_status(&srv, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					      VIRTIO_CONFIG_S_FEATURES_OK |
					      VIRTIO_CONFIG_S_DRIVER_OK),
	      "SET_STATUS DRIVER_OK never requested");
	CHECK_OK(ioctl(fd, VDUSE_DEV_GET_FEATURES, &features));
	CHECK((features & NET_FEATURES) == NET_FEATURES, "negotiated features %#llx",
	      (unsigned long long)features);

	/* kick eventfd on the tx queue before the driver uses it */
	kick = eventfd(0, EFD_NONBLOCK);
	efd.index = 1;
	efd.fd = kick;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd));

	CHECK(run("ip link set %s up", ifname) == 0, "ip link set up");
	ring_map(fd, 0, &rx);
	ring_map(fd, 1, &tx);
	CHECK(rx.avail->idx > 0, "driver posted no rx buffers");
	printf("ok: rings mapped, %u rx buffers posted\n", rx.avail->idx);

	check_tx(fd, ifname, &tx, kick);
	check_rx(fd, ifname, &rx);

	/* enough frames to wrap both rings and the bounce area several times */
	quiet = true;
	for (i = 0; i < 600; i++) {
		check_tx(fd, ifname, &tx, kick);
		check_rx(fd, ifname, &rx);
	}
	quiet = false;
	printf("ok: 600 more frames each way\n");

	/* the bounce area in user memory, then back in kernel pages */
	check_umem(fd, ifname, &rx, &tx, kick);
	check_rx(fd, ifname, &rx);
	printf("ok: datapath through kernel bounce pages after DEREG_UMEM\n");

	inject_link(fd, ifname, 0, 0);
	inject_link(fd, ifname, VIRTIO_NET_S_LINK_UP, 1);
	printf("ok: link down/up through the config space\n");

	close(rx_sock);
	rx_sock = -1;

	/* destroying an attached device is refused */
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name), EBUSY);

	unmap_regions();
	CHECK(run("vdpa dev del %s", name) == 0, "vdpa dev del");
	CHECK(wait_netdev(basic_mac, ifname, sizeof(ifname), false, 5),
	      "netdev still there after dev del");
	CHECK(server_saw_status(&srv, 0), "no reset requested");
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){0}), EINVAL);
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name), EBUSY);
	server_stop(&srv);
	close(kick);
	close(fd);

	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	snprintf(path, sizeof(path), "/dev/vduse/%s", name);
	usleep(100000);
	CHECK(stat(path, &st) < 0 && errno == ENOENT, "%s still exists", path);
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name), EINVAL);
	close(ctl);
	printf("ok: detached and destroyed\n");
	return 0;
}

static void bad_create(int ctl, void (*spoil)(struct dev_cfg *), int err, const char *what)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x42};
	struct dev_cfg cfg;

	net_config(&cfg, "kmodbad", mac);
	spoil(&cfg);
	errno = 0;
	if (ioctl(ctl, VDUSE_CREATE_DEV, &cfg) == 0) {
		ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name);
		fail(__LINE__, what, "CREATE_DEV accepted");
	}
	CHECK(errno == err, "%s: errno %d (%s), want %d", what, errno, strerror(errno), err);
}

static void spoil_reserved(struct dev_cfg *c)
{
	c->c.reserved[3] = 1;
}
static void spoil_no_platform(struct dev_cfg *c)
{
	c->c.features &= ~(1ULL << VIRTIO_F_ACCESS_PLATFORM);
}
static void spoil_no_v1(struct dev_cfg *c)
{
	c->c.features &= ~(1ULL << VIRTIO_F_VERSION_1);
}
static void spoil_ctrl_vq(struct dev_cfg *c)
{
	c->c.features |= 1ULL << VIRTIO_NET_F_CTRL_VQ;
}
static void spoil_mq(struct dev_cfg *c)
{
	c->c.features |= 1ULL << VIRTIO_NET_F_MQ;
}
static void spoil_config_size(struct dev_cfg *c)
{
	c->c.config_size = 8192;
}
static void spoil_align(struct dev_cfg *c)
{
	c->c.vq_align = 8192;
}
static void spoil_vq_num(struct dev_cfg *c)
{
	c->c.vq_num = 0x10000;
}
static void spoil_name_empty(struct dev_cfg *c)
{
	c->c.name[0] = '\0';
}
static void spoil_name_slash(struct dev_cfg *c)
{
	c->c.name[2] = '/';
}
static void spoil_name_long(struct dev_cfg *c)
{
	memset(c->c.name, 'a', sizeof(c->c.name));
}
static void spoil_device_id(struct dev_cfg *c)
{
	c->c.device_id = 42;
}
static void spoil_name_dots(struct dev_cfg *c)
{
	strcpy(c->c.name, "..");
}
static void spoil_name_control(struct dev_cfg *c)
{
	strcpy(c->c.name, "control");
}

/*
 * Write to IOVA iova of the bounce area through a fresh mapping of the domain
 * file, in a child process, whose exit then tears that mapping down: the
 * signal that killed the child, or 0 if the write went through.
 */
static int touch_bounce(int fd, uint64_t iova)
{
	struct vduse_iotlb_entry e;
	int mfd, st;
	pid_t pid;

	memset(&e, 0, sizeof(e));
	e.start = iova;
	e.last = iova;
	mfd = ioctl(fd, VDUSE_IOTLB_GET_FD, &e);
	CHECK(mfd >= 0, "IOTLB_GET_FD %#llx: %s", (unsigned long long)iova, strerror(errno));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		uint8_t *va = mmap(NULL, e.last - e.start + 1, PROT_READ | PROT_WRITE, MAP_SHARED,
				   mfd, e.offset);

		if (va == MAP_FAILED)
			_exit(2);
		*(volatile uint8_t *)(va + (iova - e.start)) = 0x5a;
		_exit(0);
	}
	close(mfd);
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	CHECK(WIFSIGNALED(st) || WEXITSTATUS(st) == 0, "mmap of the domain file failed");
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

/* KiB of transparent huge pages in the mapping that holds addr (smaps). */
static long anon_huge_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long lo, hi;
	char line[256];
	bool in = false;
	long kb = -1;

	CHECK(f, "smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * Register @mem as the bounce buffer, expect a fault on the last bounce page
 * through the domain file to be refused with SIGBUS, and unregister it.
 */
static void expect_sigbus_under(int fd, uint64_t bounce_size, void *mem, const char *what)
{
	struct vduse_iova_umem umem;
	int sig;

	memset(&umem, 0, sizeof(umem));
	umem.size = bounce_size;
	umem.uaddr = (uintptr_t)mem;
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem));
	sig = touch_bounce(fd, bounce_size - 4096);
	CHECK(sig == SIGBUS, "bounce page under %s: signal %d, want SIGBUS", what, sig);
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem));
}

/*
 * While user memory is registered, the bounce area of the domain file must
 * refuse faults (SIGBUS): the pages there are the process's own anonymous
 * pages, which a file mapping must not map again. Checked with the last page
 * of the area, in plain anonymous memory and in a transparent huge page.
 */
static void check_umem_fault(int fd, uint64_t bounce_size)
{
	const size_t huge = 2 << 20;
	uint8_t *raw, *thp;
	long kb;
	int sig;

	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED, "mmap: %s", strerror(errno));
	expect_sigbus_under(fd, bounce_size, raw, "anonymous user memory");
	if (!upstream) { /* upstream maps only bounce pages the driver used */
		sig = touch_bounce(fd, bounce_size - 4096);
		CHECK(sig == 0, "bounce page after DEREG_UMEM: signal %d", sig);
	}
	munmap(raw, 2 * huge);

	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED, "mmap: %s", strerror(errno));
	thp = (uint8_t *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
	CHECK_OK(madvise(thp, huge, MADV_HUGEPAGE));
	memset(thp, 1, huge);
	kb = anon_huge_kb(thp);
	CHECK(kb >= 2048, "no transparent huge page for the user memory (AnonHugePages %ld kB)",
	      kb);
	expect_sigbus_under(fd, bounce_size, thp, "a transparent huge page");
	munmap(raw, 2 * huge);
	printf("ok: the bounce area refuses faults while user memory is registered\n");
}

/* Largest ring sizes: packed rings hold at most 32768 entries. */
static void check_vq_sizes(int ctl)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x43};
	struct vduse_vq_config vq;
	struct dev_cfg cfg;
	int fd;

	net_config(&cfg, "kmodpacked", mac);
	cfg.c.features |= 1ULL << VIRTIO_F_RING_PACKED;
	CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, &cfg));
	fd = open_dev(cfg.c.name);
	memset(&vq, 0, sizeof(vq));
	vq.max_size = 32768;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP, &vq));
	vq.max_size = 1000; /* packed rings need no power of two */
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP, &vq));
	if (!upstream) { /* kmod/ only: see doc/vduse-uapi.md */
		vq.max_size = 32769;
		CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, &vq), EINVAL);
		vq.max_size = 65535;
		CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, &vq), EINVAL);
	}
	close(fd);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	printf("ok: VQ_SETUP sizes of a packed-ring device\n");
}

static int test_badargs(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x02};
	const char *name = "kmodtest1";
	struct vduse_iotlb_entry entry;
	struct vduse_iova_umem umem;
	struct vduse_iova_info info;
	struct vduse_vq_config vq;
	struct vduse_vq_info vqi;
	struct vduse_vq_eventfd efd;
	struct vduse_dev_response resp;
	struct vduse_dev_request req;
	struct server srv;
	struct dev_cfg cfg;
	char small[8], ifname[IF_NAMESIZE];
	uint64_t v;
	void *mem;
	int ctl, fd, efdfd;
	struct {
		struct vduse_config_data d;
		uint8_t b[8];
	} upd;

	ctl = open_control();
	v = 1;
	CHECK_ERRNO(ioctl(ctl, VDUSE_SET_API_VERSION, &v), EINVAL);
	CHECK_ERRNO(ioctl(ctl, VDUSE_SET_API_VERSION, NULL), EFAULT);
	CHECK_ERRNO(ioctl(ctl, _IO(VDUSE_BASE, 0x7f)), EINVAL);
	CHECK_ERRNO(ioctl(ctl, VDUSE_CREATE_DEV, NULL), EFAULT);
	bad_create(ctl, spoil_reserved, EINVAL, "reserved");
	bad_create(ctl, spoil_no_platform, EINVAL, "no ACCESS_PLATFORM");
	bad_create(ctl, spoil_no_v1, EINVAL, "no VERSION_1");
	bad_create(ctl, spoil_ctrl_vq, EINVAL, "CTRL_VQ");
	if (!upstream) /* kmod/ only: see doc/vduse-uapi.md */
		bad_create(ctl, spoil_mq, EINVAL, "MQ");
	bad_create(ctl, spoil_config_size, EINVAL, "config_size");
	bad_create(ctl, spoil_align, EINVAL, "vq_align");
	bad_create(ctl, spoil_vq_num, EINVAL, "vq_num");
	bad_create(ctl, spoil_name_empty, EINVAL, "empty name");
	if (!upstream) {
		bad_create(ctl, spoil_name_slash, EINVAL, "name with /");
		bad_create(ctl, spoil_name_long, EINVAL, "unterminated name");
		bad_create(ctl, spoil_name_dots, EINVAL, "name ..");
		bad_create(ctl, spoil_name_control, EEXIST, "name control");
	}
	bad_create(ctl, spoil_device_id, EINVAL, "device id");
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, "nosuchdev"), EINVAL);
	printf("ok: control device rejects bad arguments\n");
	check_vq_sizes(ctl);

	net_config(&cfg, name, mac);
	CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, &cfg));
	CHECK_ERRNO(ioctl(ctl, VDUSE_CREATE_DEV, &cfg), EEXIST);
	fd = open_dev(name);
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name), EBUSY);
	/* with no file open, the device alone pins the module */
	close(fd);
	close(ctl);
	CHECK(run("rmmod vduse 2>/dev/null") != 0, "module unloaded while a device exists");
	ctl = open_control();
	fd = open_dev(name);

	/* not ready: no VQ_SETUP yet */
	CHECK(run("vdpa dev add name %s mgmtdev vduse 2>/dev/null", name) != 0,
	      "dev add accepted a device without VQ_SETUP");
	CHECK(run("vdpa dev add name nosuchdev mgmtdev vduse 2>/dev/null") != 0,
	      "dev add accepted an unknown device");
	CHECK(run("vdpa dev del nosuchdev 2>/dev/null") != 0, "dev del accepted an unknown device");

	memset(&vq, 0, sizeof(vq));
	vq.index = 2;
	vq.max_size = VQ_SIZE;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, &vq), EINVAL);
	vq.index = 0x80000000u;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, &vq), EINVAL);
	vq.index = 0;
	vq.reserved[12] = 1;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, &vq), EINVAL);
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP, NULL), EFAULT);
	/* split rings: any size is taken (kmod/ rounds down to a power of two) */
	vq.reserved[12] = 0;
	vq.max_size = 65535;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP, &vq));
	/* size 0: the queue is not set up, and attaching is refused */
	vq.index = 1;
	vq.max_size = 0;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP, &vq));
	CHECK(run("vdpa dev add name %s mgmtdev vduse 2>/dev/null", name) != 0,
	      "dev add accepted a queue of size 0");

	memset(&vqi, 0, sizeof(vqi));
	vqi.index = 2;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_GET_INFO, &vqi), EINVAL);
	vqi.index = 0xffffffffu;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_GET_INFO, &vqi), EINVAL);

	efd.index = 2;
	efd.fd = -1;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd), EINVAL);
	efd.index = 0;
	efd.fd = ctl; /* not an eventfd */
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd), EINVAL);
	efd.fd = 9999;
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd), EBADF);

	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){2}), EINVAL);
	CHECK_ERRNO(ioctl(fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){0}), EINVAL);
	CHECK_ERRNO(ioctl(fd, VDUSE_DEV_INJECT_CONFIG_IRQ), EINVAL);

	memset(&upd, 0, sizeof(upd));
	upd.d.offset = 0;
	upd.d.length = 0;
	CHECK_ERRNO(ioctl(fd, VDUSE_DEV_SET_CONFIG, &upd), EINVAL);
	upd.d.offset = sizeof(struct virtio_net_config) - 1;
	upd.d.length = 2;
	CHECK_ERRNO(ioctl(fd, VDUSE_DEV_SET_CONFIG, &upd), EINVAL);
	upd.d.offset = sizeof(struct virtio_net_config) + 1;
	upd.d.length = 1;
	CHECK_ERRNO(ioctl(fd, VDUSE_DEV_SET_CONFIG, &upd), EINVAL);
	upd.d.offset = 4;
	upd.d.length = 0xffffffffu;
	CHECK_ERRNO(ioctl(fd, VDUSE_DEV_SET_CONFIG, &upd), EINVAL);

	memset(&entry, 0, sizeof(entry));
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_GET_FD, &entry), EINVAL);
	memset(&info, 0, sizeof(info));
	info.last = 4095;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_GET_INFO, &info), EINVAL);
	memset(&umem, 0, sizeof(umem));
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem), ENOENT);
	umem.reserved[0] = 1;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem), EINVAL);
	CHECK_ERRNO(ioctl(fd, _IO(VDUSE_BASE, 0x7f)), ENOTTY);

	CHECK_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(read(fd, &req, sizeof(req)), EAGAIN);
	fcntl(fd, F_SETFL, 0);
	CHECK_ERRNO(write(fd, small, sizeof(small)), EINVAL);
	memset(&resp, 0, sizeof(resp));
	resp.request_id = 12345;
	CHECK_ERRNO(write(fd, &resp, sizeof(resp)), ENOENT);
	resp.reserved[1] = 1;
	CHECK_ERRNO(write(fd, &resp, sizeof(resp)), EINVAL);

	CHECK(write_file("/sys/class/vduse/kmodtest1/bounce_size", "4096") < 0 && errno == EINVAL,
	      "bounce_size 4096 accepted");
	CHECK(write_file("/sys/class/vduse/kmodtest1/msg_timeout", "x") < 0 && errno == EINVAL,
	      "msg_timeout x accepted");
	printf("ok: device file rejects bad arguments\n");

	/* attached: the IOVA domain exists */
	setup_vqs(fd, 2);
	sysfs_set(name, "bounce_size", "1048576");
	server_start(&srv, fd);
	CHECK(run("vdpa dev add name %s mgmtdev vduse mac 02:00:00:00:00:01 2>/dev/null", name) !=
		      0,
	      "dev add accepted a MAC attribute");
	CHECK(run("vdpa dev add name %s mgmtdev vduse", name) == 0, "vdpa dev add");
	CHECK(run("vdpa dev add name %s mgmtdev vduse 2>/dev/null", name) != 0,
	      "second dev add accepted");
	CHECK(wait_netdev(mac, ifname, sizeof(ifname), true, 10), "no netdev");
	/* upstream enters the bounce area at the first buffer mapping */
	CHECK(run("ip link set %s up", ifname) == 0, "ip link set up");
	CHECK(write_file("/sys/class/vduse/kmodtest1/bounce_size", "2097152") < 0 && errno == EPERM,
	      "bounce_size changed while attached");

	memset(&entry, 0, sizeof(entry));
	entry.start = 10;
	entry.last = 9;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_GET_FD, &entry), EINVAL);
	entry.start = 1ULL << 40;
	entry.last = entry.start + 4095;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_GET_FD, &entry), EINVAL);
	memset(&info, 0, sizeof(info));
	info.start = 0;
	info.last = 0;
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_GET_INFO, &info));
	CHECK(info.start == 0 && info.last == 1048575 && (info.capability & VDUSE_IOVA_CAP_UMEM),
	      "bounce region [%#llx, %#llx] cap %#llx", (unsigned long long)info.start,
	      (unsigned long long)info.last, (unsigned long long)info.capability);
	info.reserved[2] = 1;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_GET_INFO, &info), EINVAL);

	mem = mmap(NULL, 1048576 + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	CHECK(mem != MAP_FAILED, "mmap");
	memset(&umem, 0, sizeof(umem));
	umem.uaddr = (uintptr_t)mem;
	umem.iova = 0;
	umem.size = 4096;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem), EINVAL);
	umem.size = 1048576;
	umem.iova = 4096;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem), EINVAL);
	umem.iova = 0;
	umem.uaddr = (uintptr_t)mem + 1;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem), EINVAL);
	umem.uaddr = (uintptr_t)mem;
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem));
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_REG_UMEM, &umem), EEXIST);
	/* traffic through the user pages */
	CHECK(run("ip link set %s up && ping -c 2 -W 1 -I %s 192.0.2.1 >/dev/null 2>&1; true",
		  ifname, ifname) == 0,
	      "traffic");
	umem.size = 8192;
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem), EINVAL);
	umem.size = 1048576;
	CHECK_OK(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem));
	CHECK_ERRNO(ioctl(fd, VDUSE_IOTLB_DEREG_UMEM, &umem), ENOENT);
	munmap(mem, 1048576 + 4096);
	printf("ok: IOTLB_GET_INFO and REG/DEREG_UMEM\n");
	check_umem_fault(fd, 1048576);

	efdfd = eventfd(0, 0);
	efd.index = 0;
	efd.fd = efdfd;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd));
	efd.fd = VDUSE_EVENTFD_DEASSIGN;
	CHECK_OK(ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &efd));
	close(efdfd);

	CHECK(run("vdpa dev del %s", name) == 0, "vdpa dev del");
	server_stop(&srv);
	close(fd);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	close(ctl);
	printf("ok: bad arguments rejected\n");
	return 0;
}

/* Create a device with its queues set up and msg_timeout in seconds. */
static void create_ready(int ctl, struct dev_cfg *cfg, const char *timeout)
{
	int fd;

	CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, cfg));
	fd = open_dev(cfg->c.name);
	setup_vqs(fd, 2);
	close(fd);
	sysfs_set(cfg->c.name, "msg_timeout", timeout);
}

/* A server that reads one request, reports it and never answers. */
static void silent_server(const char *name, int report)
{
	struct vduse_dev_request req;
	int fd = open_dev(name);

	if (read(fd, &req, sizeof(req)) == sizeof(req))
		(void)!write(report, "r", 1);
	for (;;)
		pause();
}

/*
 * A server process that answers everything until it is killed: it reports
 * "s" once it serves, then "z" once it answered its first reset.
 */
static void answering_server(const char *name, int report)
{
	struct server srv;
	bool reset = false;

	server_start(&srv, open_dev(name));
	(void)!write(report, "s", 1);
	for (;;) {
		usleep(20000);
		if (!reset && server_saw_status(&srv, 0)) {
			(void)!write(report, "z", 1);
			reset = true;
		}
	}
}

/*
 * A server that answers until it reads the SET_STATUS request that
 * kill_on_status() picks, then reports it and dies by SIGKILL without
 * answering (or, with stall_on_status, stays alive and silent): the kernel
 * is waiting for that reply at that moment.
 */
static bool (*kill_on_status)(uint8_t status, bool driver_ok_seen);
static bool stall_on_status;

static bool status_features_ok(uint8_t status, bool driver_ok_seen)
{
	(void)driver_ok_seen;
	return (status & VIRTIO_CONFIG_S_FEATURES_OK) && !(status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static bool status_reset(uint8_t status, bool driver_ok_seen)
{
	/* the driver resets the device before its first use too */
	return status == 0 && driver_ok_seen;
}

static void dying_server(const char *name, int report)
{
	struct vduse_dev_request req;
	bool driver_ok_seen = false;
	int fd = open_dev(name);

	for (;;) {
		if (read(fd, &req, sizeof(req)) != sizeof(req))
			continue;
		if (req.type == VDUSE_SET_STATUS) {
			if (kill_on_status(req.s.status, driver_ok_seen)) {
				(void)!write(report, "k", 1);
				while (stall_on_status)
					pause();
				raise(SIGKILL);
			}
			if (req.s.status & VIRTIO_CONFIG_S_DRIVER_OK)
				driver_ok_seen = true;
		}
		answer(fd, &req);
	}
}

static pid_t spawn(void (*fn)(const char *, int), const char *name, int *rd)
{
	int p[2];
	pid_t pid;

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(p[0]);
		fn(name, p[1]);
		_exit(0);
	}
	close(p[1]);
	*rd = p[0];
	return pid;
}

/* Kill a spawned server and forget its report pipe. */
static void reap(pid_t child, int rd)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(rd);
}

/* `vdpa dev add|del name` in a child process, without a shell. */
static pid_t spawn_vdpa(const char *op, const char *name)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		if (!strcmp(op, "add"))
			execlp("vdpa", "vdpa", "dev", "add", "name", name, "mgmtdev", "vduse",
			       (char *)NULL);
		else
			execlp("vdpa", "vdpa", "dev", op, name, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The exit status of vdpa (-1 if it died), or -2 if it took over timeout. */
static int wait_vdpa(pid_t pid, double timeout)
{
	double end = now() + timeout;
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -2;
		}
		usleep(2000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool wait_byte(int rd, double timeout)
{
	struct pollfd p = {.fd = rd, .events = POLLIN};
	char c;

	return poll(&p, 1, (int)(timeout * 1000)) == 1 && read(rd, &c, 1) == 1;
}

/* A device whose server timed out refuses ioctls and polls POLLERR. */
static void check_broken(const char *name)
{
	struct pollfd p;
	int fd = open_dev(name);

	CHECK_ERRNO(
		ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &(struct vduse_vq_eventfd){.index = 0, .fd = -1}),
		EPERM);
	p.fd = fd;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLERR), "broken device does not poll POLLERR");
	close(fd);
}

/*
 * Create a device and start `vdpa dev add` on it (at *t0); its server reads
 * the first request and is killed before it answers. Returns vdpa's pid.
 */
static pid_t add_silently_killed(int ctl, struct dev_cfg *cfg, const char *timeout, double *t0)
{
	pid_t child, add;
	int rd;

	create_ready(ctl, cfg, timeout);
	child = spawn(silent_server, cfg->c.name, &rd);
	*t0 = now();
	add = spawn_vdpa("add", cfg->c.name);
	CHECK(wait_byte(rd, 10), "the kernel sent no request");
	reap(child, rd);
	return add;
}

static int test_kill(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x03};
	const char *name = "kmodtest2";
	char ifname[IF_NAMESIZE];
	struct dev_cfg cfg;
	pid_t child, add;
	double t0, dt;
	int ctl, fd, rd, st;

	ctl = open_control();
	net_config(&cfg, name, mac);

	/* 1. killed while the kernel waits for the first reply */
	add = add_silently_killed(ctl, &cfg, "2", &t0);
	st = wait_vdpa(add, 20);
	dt = now() - t0;
	printf("vdpa dev add returned %d after %.1f s\n", st, dt);
	CHECK(st != -2, "the kernel waited %.1f s for a dead server", dt);
	CHECK(!find_netdev(mac, ifname, sizeof(ifname)), "a netdev appeared on a broken device");
	check_broken(name);
	CHECK(run("vdpa dev del %s", name) == 0, "vdpa dev del (broken)");
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	printf("ok: recovered from a server killed before its first reply\n");

	/* 2. killed while attached and running; detach must not hang */
	create_ready(ctl, &cfg, "2");
	child = spawn(answering_server, name, &rd);
	CHECK(wait_byte(rd, 10), "server did not start");
	CHECK(run("vdpa dev add name %s mgmtdev vduse", name) == 0, "vdpa dev add");
	CHECK(wait_netdev(mac, ifname, sizeof(ifname), true, 10), "no netdev");
	CHECK(run("ip link set %s up", ifname) == 0, "ip link set up");
	reap(child, rd);
	t0 = now();
	CHECK(run("vdpa dev del %s", name) == 0, "vdpa dev del");
	dt = now() - t0;
	CHECK(dt < 15, "dev del took %.1f s", dt);
	CHECK(wait_netdev(mac, ifname, sizeof(ifname), false, 5), "netdev still there");
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	printf("ok: detached a device whose server was killed (%.1f s)\n", dt);

	/*
	 * 3. reconnection: a request read by a server that dies is read again
	 * by the next one, which answers in time; nothing breaks.
	 */
	add = add_silently_killed(ctl, &cfg, "10", &t0);
	child = spawn(answering_server, name, &rd);
	CHECK(wait_byte(rd, 10), "second server did not start");
	st = wait_vdpa(add, 20);
	dt = now() - t0;
	CHECK(st == 0, "vdpa dev add failed (%d)", st);
	CHECK(dt < 9, "dev add took %.1f s: the request was not requeued", dt);
	CHECK(wait_netdev(mac, ifname, sizeof(ifname), true, 10), "no netdev after reconnection");
	t0 = now();
	CHECK(run("vdpa dev del %s", name) == 0, "vdpa dev del");
	CHECK(wait_byte(rd, 10), "second server saw no reset");
	dt = now() - t0;
	CHECK(dt < 9, "dev del took %.1f s", dt);
	reap(child, rd);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	printf("ok: a new server answered the requests of a killed one\n");

	/* 4. the task waiting for a reply is killed: it returns at once */
	create_ready(ctl, &cfg, "30");
	child = spawn(silent_server, name, &rd);
	add = spawn_vdpa("add", name);
	CHECK(wait_byte(rd, 10), "the kernel sent no request");
	t0 = now();
	kill(add, SIGKILL);
	waitpid(add, &st, 0);
	dt = now() - t0;
	CHECK(WIFSIGNALED(st), "vdpa dev add was not killed");
	CHECK(dt < 5, "killing the waiting task took %.1f s", dt);
	reap(child, rd);
	fd = open_dev(name);
	CHECK_OK(
		ioctl(fd, VDUSE_VQ_SETUP_KICKFD, &(struct vduse_vq_eventfd){.index = 0, .fd = -1}));
	close(fd);
	run("vdpa dev del %s 2>/dev/null", name);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	close(ctl);
	printf("ok: a killed waiter returns at once (%.1f s), device not broken\n", dt);
	return 0;
}

/*
 * The server child, a dying_server(), dies by SIGKILL while the kernel waits
 * for its reply to the SET_STATUS that kill_on_status() picks, during
 * `vdpa dev OP`: the command returns after msg_timeout (2 s), not before and
 * not much later, and the device is broken.
 */
static void kill_during(const char *name, const char *op, pid_t child, int rd)
{
	double t0, dt;
	pid_t pid;
	int st;

	t0 = now();
	pid = spawn_vdpa(op, name);
	CHECK(wait_byte(rd, 20), "the server never read the request to die on");
	waitpid(child, &st, 0);
	close(rd);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the server did not die by SIGKILL");
	st = wait_vdpa(pid, 20);
	dt = now() - t0;
	printf("vdpa dev %s returned %d after %.1f s\n", op, st, dt);
	CHECK(st != -2, "vdpa dev %s still waiting after %.1f s", op, dt);
	CHECK(dt >= 1.5, "vdpa dev %s returned after %.1f s, before msg_timeout", op, dt);
	check_broken(name);
}

/* A fresh device, msg_timeout 2 s, served by a dying_server() child. */
static pid_t dying_device(int ctl, struct dev_cfg *cfg, const char *name, const uint8_t mac[6],
			  bool (*on)(uint8_t status, bool driver_ok_seen), int *rd)
{
	net_config(cfg, name, mac);
	create_ready(ctl, cfg, "2");
	kill_on_status = on;
	return spawn(dying_server, name, rd);
}

static int test_killfeat(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x04};
	char ifname[IF_NAMESIZE];
	struct dev_cfg cfg;
	int ctl, rd;
	pid_t child;
	double t0;

	ctl = open_control();
	child = dying_device(ctl, &cfg, "kmodfeat", mac, status_features_ok, &rd);
	kill_during(cfg.c.name, "add", child, rd);
	CHECK(!find_netdev(mac, ifname, sizeof(ifname)), "a netdev appeared on a broken device");
	CHECK_ERRNO(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name), EBUSY);
	t0 = now();
	CHECK(run("vdpa dev del %s", cfg.c.name) == 0, "vdpa dev del (broken)");
	CHECK(now() - t0 < 5, "dev del of a broken device took %.1f s", now() - t0);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	close(ctl);
	printf("ok: server killed at FEATURES_OK: attach returned, device broken, destroyed\n");
	return 0;
}

static int test_killreset(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x05};
	char ifname[IF_NAMESIZE];
	struct dev_cfg cfg;
	int ctl, rd;
	pid_t child;

	ctl = open_control();
	child = dying_device(ctl, &cfg, "kmodreset", mac, status_reset, &rd);
	CHECK(run("vdpa dev add name %s mgmtdev vduse", cfg.c.name) == 0, "vdpa dev add");
	CHECK(wait_netdev(mac, ifname, sizeof(ifname), true, 10), "no netdev");
	CHECK(run("ip link set %s up", ifname) == 0, "ip link set up");
	kill_during(cfg.c.name, "del", child, rd);
	CHECK(!find_netdev(mac, ifname, sizeof(ifname)), "netdev still there after dev del");
	CHECK(run("vdpa dev show %s 2>/dev/null", cfg.c.name) != 0, "still attached after dev del");
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	close(ctl);
	printf("ok: server killed during the reset of dev del: returned, destroyed\n");
	return 0;
}

static bool status_driver_ok(uint8_t status, bool driver_ok_seen)
{
	(void)driver_ok_seen;
	return status & VIRTIO_CONFIG_S_DRIVER_OK;
}

/*
 * The 6.1 virtio_net sets DRIVER_OK in its probe while it holds RTNL, the
 * lock of every network configuration in every namespace. A server that
 * reads that request and never answers holds up `ip link` elsewhere: for
 * ready_timeout (5 s) at most, although msg_timeout is 10 s. The device is
 * then broken and can be detached and destroyed.
 */
static int test_rtnl(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x07};
	char ifname[IF_NAMESIZE];
	struct dev_cfg cfg;
	double t0, t1, dt;
	int ctl, rd, st;
	pid_t child, add;

	ctl = open_control();
	net_config(&cfg, "kmodrtnl", mac);
	create_ready(ctl, &cfg, "10");
	kill_on_status = status_driver_ok;
	stall_on_status = true;
	child = spawn(dying_server, cfg.c.name, &rd);
	CHECK(run("ip netns add kmodrtnl") == 0, "ip netns add");

	t0 = now();
	add = spawn_vdpa("add", cfg.c.name);
	CHECK(wait_byte(rd, 20), "the server never read DRIVER_OK");
	/* virtio_net's probe now holds RTNL until the reply or the bound */
	t1 = now();
	CHECK(run("ip -n kmodrtnl link set lo mtu 1500") == 0, "ip link set lo mtu");
	dt = now() - t1;
	printf("RTNL: ip link in another namespace waited %.2f s (%.2f s after dev add started)\n",
	       dt, now() - t0);
	CHECK(dt < 6.5, "ip link waited %.2f s for an unanswered DRIVER_OK", dt);
	CHECK(now() - t0 >= 4.5,
	      "ip link returned %.2f s after dev add started, before "
	      "ready_timeout (5 s)",
	      now() - t0);
	st = wait_vdpa(add, 20);
	CHECK(st == 0, "vdpa dev add: %d", st);
	reap(child, rd);
	check_broken(cfg.c.name);
	CHECK(!find_netdev(mac, ifname, sizeof(ifname)), "a netdev is left on a broken device");
	CHECK(run("ip netns del kmodrtnl") == 0, "ip netns del");
	t0 = now();
	CHECK(run("vdpa dev del %s", cfg.c.name) == 0, "vdpa dev del (broken)");
	CHECK(now() - t0 < 5, "dev del of a broken device took %.1f s", now() - t0);
	CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	close(ctl);
	printf("ok: an unanswered DRIVER_OK held RTNL %.2f s, device broken, destroyed\n", dt);
	return 0;
}

/* ---- many create, attach, detach, destroy cycles ---- */

/* CYCLES=n in the environment: fewer, to try things */
#define CYCLES	   (getenv("CYCLES") ? atoi(getenv("CYCLES")) : 1000)
#define WARMUP	   20 /* cycles before the first memory snapshot */
#define MAX_CACHES 512

struct mem_snapshot {
	long avail_kb, slab_kb, vmalloc_kb;
	long pages; /* kmod/'s domain pages, 0 on upstream VDUSE */
	int ncaches;
	char cache[MAX_CACHES][32];
	long objs[MAX_CACHES];
};

static long meminfo_kb(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	CHECK(p, "no %s in /proc/meminfo", key);
	return atol(p + strlen(key));
}

/* What the kernel holds, once freed objects and caches are given back. */
static void mem_snapshot(struct mem_snapshot *m)
{
	static char buf[65536];
	char *line, *save;

	sync();
	usleep(200000); /* RCU-deferred frees */
	CHECK(write_file("/proc/sys/vm/drop_caches", "3") == 0, "drop_caches");
	CHECK(read_file("/proc/meminfo", buf, sizeof(buf)) == 0, "meminfo");
	m->avail_kb = meminfo_kb(buf, "MemAvailable:");
	m->slab_kb = meminfo_kb(buf, "\nSlab:");
	m->vmalloc_kb = meminfo_kb(buf, "VmallocUsed:");
	m->pages = 0;
	if (!upstream) {
		CHECK(read_file("/sys/class/vduse/pages", buf, sizeof(buf)) == 0,
		      "no /sys/class/vduse/pages");
		m->pages = atol(buf);
	}

	/* "name active_objs num_objs ...", after two header lines */
	CHECK(read_file("/proc/slabinfo", buf, sizeof(buf)) == 0, "slabinfo");
	m->ncaches = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8) || m->ncaches == MAX_CACHES)
			continue;
		if (sscanf(line, "%31s %ld", m->cache[m->ncaches], &m->objs[m->ncaches]) == 2)
			m->ncaches++;
	}
}

/*
 * Leak check over n cycles. A cycle that leaks any object leaks n of them:
 * count objects per slab cache, so that a small one (a 64-byte string)
 * shows as clearly as a large one, and allow n / 2 objects per cache for
 * what the rest of the guest allocates meanwhile (up to 186 seen, less than
 * 1000 cycles' worth: per-CPU slabs and partial slabs that have not emptied). vmap_area is left
 * out: it also holds the free ranges of the vmalloc space, which fragment with every thread stack;
 * VmallocUsed covers vmalloc instead: the domain's page array alone is 256 KiB, so losing one per
 * cycle is far above the 1 MiB allowed. Pages: the module counts the pages of its domains (bounce
 * pages, rings) in /sys/class/vduse/pages, which must be back to 0 with no device left.
 * MemAvailable is only printed: on 6.1 it falls by about 22 KiB per attach
 * and detach (create and destroy alone lose nothing) while kmod/'s pages,
 * slab objects and vmalloc stay flat; where those pages go is not known yet.
 */
static void mem_compare(const struct mem_snapshot *a, const struct mem_snapshot *b, int n)
{
	long worst = 0, before, d;
	const char *worst_name = "-";
	int i, j;

	for (i = 0; i < b->ncaches; i++) {
		if (!strcmp(b->cache[i], "vmap_area"))
			continue;
		before = 0;
		for (j = 0; j < a->ncaches; j++)
			if (!strcmp(a->cache[j], b->cache[i]))
				before = a->objs[j];
		d = b->objs[i] - before;
		if (d >= n / 16)
			printf("  %s: %+ld objects\n", b->cache[i], d);
		if (d > worst) {
			worst = d;
			worst_name = b->cache[i];
		}
	}
	printf("memory after %d more cycles: MemAvailable %+ld KiB, Slab %+ld KiB, VmallocUsed "
	       "%+ld KiB, most new objects %ld (%s), kmod/ pages %ld\n",
	       n, b->avail_kb - a->avail_kb, b->slab_kb - a->slab_kb, b->vmalloc_kb - a->vmalloc_kb,
	       worst, worst_name, b->pages);
	CHECK(worst < n / 2, "%ld more objects in %s after %d cycles", worst, worst_name, n);
	CHECK(b->pages == 0, "kmod/ still holds %ld pages", b->pages);
	CHECK(b->vmalloc_kb - a->vmalloc_kb < 1024, "VmallocUsed grew by %ld KiB",
	      b->vmalloc_kb - a->vmalloc_kb);
}

/*
 * `vdpa dev add|del` without the vdpa tool: the same generic netlink
 * requests, for the cycles test, where two execs per cycle would cost more
 * than the rest of the cycle on an emulated CPU.
 */
struct nl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void nl_init(struct nl_req *r, uint16_t family, uint8_t cmd)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	/* the controller answers with the family, the others with an ack */
	r->n.nlmsg_flags = NLM_F_REQUEST | (family == GENL_ID_CTRL ? 0 : NLM_F_ACK);
	r->g.cmd = cmd;
	r->g.version = 1;
}

static void nl_put_str(struct nl_req *r, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)((char *)r + r->n.nlmsg_len);
	size_t len = strlen(s) + 1;

	CHECK(r->n.nlmsg_len + NLA_HDRLEN + len <= sizeof(*r), "attr %s", s);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, s, len);
	r->n.nlmsg_len += NLA_ALIGN(a->nla_len);
}

/* Send a request; its negative errno, or 0 with the answer in reply. */
static int nl_call(int sk, struct nl_req *r, char *reply, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	ssize_t n;

	CHECK(send(sk, r, r->n.nlmsg_len, 0) == (ssize_t)r->n.nlmsg_len, "netlink send: %s",
	      strerror(errno));
	n = recv(sk, reply, len, 0);
	CHECK(n >= (ssize_t)sizeof(*h), "netlink recv: %s", strerror(errno));
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	return 0;
}

static uint16_t vdpa_family;

static int vdpa_socket(void)
{
	static char reply[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	struct nl_req r;
	struct nlattr *a;
	int sk, left;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	CHECK(sk >= 0, "netlink socket: %s", strerror(errno));
	nl_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	nl_put_str(&r, CTRL_ATTR_FAMILY_NAME, VDPA_GENL_NAME);
	CHECK(nl_call(sk, &r, reply, sizeof(reply)) == 0, "no vdpa netlink family");
	a = (struct nlattr *)(reply + NLMSG_LENGTH(GENL_HDRLEN));
	left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (left >= NLA_HDRLEN && a->nla_type != CTRL_ATTR_FAMILY_ID) {
		left -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	CHECK(left >= NLA_HDRLEN, "no family id for vdpa");
	memcpy(&vdpa_family, (char *)a + NLA_HDRLEN, sizeof(vdpa_family));
	return sk;
}

/* vdpa dev add name NAME mgmtdev vduse, or dev del NAME: 0 or -errno */
static int vdpa_nl(int sk, bool add, const char *name)
{
	char reply[1024];
	struct nl_req r;

	nl_init(&r, vdpa_family, add ? VDPA_CMD_DEV_NEW : VDPA_CMD_DEV_DEL);
	nl_put_str(&r, VDPA_ATTR_DEV_NAME, name);
	if (add)
		nl_put_str(&r, VDPA_ATTR_MGMTDEV_DEV_NAME, "vduse");
	return nl_call(sk, &r, reply, sizeof(reply));
}

static int test_cycles(void)
{
	static const uint8_t mac[6] = {0x02, 0x56, 0x44, 0x55, 0x53, 0x06};
	static struct mem_snapshot before, after;
	char ifname[IF_NAMESIZE];
	struct server srv;
	struct dev_cfg cfg;
	double t0, dt;
	int ctl, sk, fd, i, ret;

	ctl = open_control();
	sk = vdpa_socket();
	net_config(&cfg, "kmodcycle", mac);
	t0 = now();
	for (i = 0; i < CYCLES; i++) {
		if (i == WARMUP)
			mem_snapshot(&before);
		CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, &cfg));
		fd = open_dev(cfg.c.name);
		setup_vqs(fd, 2);
		server_start(&srv, fd);
		ret = vdpa_nl(sk, true, cfg.c.name);
		CHECK(ret == 0, "cycle %d: vdpa dev add: %s", i, strerror(-ret));
		CHECK(wait_netdev(mac, ifname, sizeof(ifname), true, 10), "cycle %d: no netdev", i);
		ret = vdpa_nl(sk, false, cfg.c.name);
		CHECK(ret == 0, "cycle %d: vdpa dev del: %s", i, strerror(-ret));
		CHECK(wait_netdev(mac, ifname, sizeof(ifname), false, 10),
		      "cycle %d: netdev still there", i);
		CHECK(server_saw_status(&srv, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						      VIRTIO_CONFIG_S_FEATURES_OK |
						      VIRTIO_CONFIG_S_DRIVER_OK),
		      "cycle %d: no DRIVER_OK", i);
		server_stop(&srv);
		close(fd);
		CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
		if (i % 100 == 99)
			printf("%d cycles, %.1f s\n", i + 1, now() - t0);
	}
	dt = now() - t0;
	close(sk);
	close(ctl);
	printf("ok: %d cycles in %.1f s (%.0f ms each)\n", CYCLES, dt, dt * 1000 / CYCLES);
	mem_snapshot(&after);
	mem_compare(&before, &after, CYCLES - WARMUP);
	printf("ok: memory returned\n");
	return 0;
}

/* ---- two devices and a forwarder between them: real traffic ---- */

struct port {
	const char *name;
	uint8_t mac[6];
	int fd;
	struct server srv;
	struct ring rx, tx;
	char ifname[IF_NAMESIZE];
};

static volatile bool fwd_stop;
static unsigned long fwd_frames;

/* Move what port s transmitted to the receive queue of port t. */
static bool forward(struct port *s, struct port *t)
{
	static const struct virtio_net_hdr_v1 hdr = {.num_buffers = 1};
	uint8_t frame[2048];
	bool tx_done = false, rx_done = false;

	while (__atomic_load_n(&s->tx.avail->idx, __ATOMIC_ACQUIRE) != s->tx.last_avail) {
		uint16_t head = s->tx.avail->ring[s->tx.last_avail % s->tx.info.num];
		uint16_t used = s->tx.used->idx;
		size_t n = 0;
		int i;

		s->tx.last_avail++;
		for (i = head;; i = s->tx.desc[i].next) {
			struct vring_desc *d = &s->tx.desc[i];

			if (n + d->len > sizeof(frame))
				break;
			memcpy(frame + n, iova_to_va(s->fd, d->addr, d->len), d->len);
			n += d->len;
			if (!(d->flags & VRING_DESC_F_NEXT))
				break;
		}
		s->tx.used->ring[used % s->tx.info.num].id = head;
		s->tx.used->ring[used % s->tx.info.num].len = 0;
		__atomic_store_n(&s->tx.used->idx, used + 1, __ATOMIC_RELEASE);
		tx_done = true;

		if (n <= HDR_LEN ||
		    __atomic_load_n(&t->rx.avail->idx, __ATOMIC_ACQUIRE) == t->rx.last_avail)
			continue; /* nothing to send, or no buffer: drop */
		head = t->rx.avail->ring[t->rx.last_avail % t->rx.info.num];
		if (t->rx.desc[head].len < n)
			continue;
		t->rx.last_avail++;
		used = t->rx.used->idx;
		{
			uint8_t *buf = iova_to_va(t->fd, t->rx.desc[head].addr, n);

			memcpy(buf, &hdr, HDR_LEN);
			memcpy(buf + HDR_LEN, frame + HDR_LEN, n - HDR_LEN);
		}
		t->rx.used->ring[used % t->rx.info.num].id = head;
		t->rx.used->ring[used % t->rx.info.num].len = n;
		__atomic_store_n(&t->rx.used->idx, used + 1, __ATOMIC_RELEASE);
		rx_done = true;
		fwd_frames++;
	}
	if (tx_done)
		ioctl(s->fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){1});
	if (rx_done)
		ioctl(t->fd, VDUSE_VQ_INJECT_IRQ, &(uint32_t){0});
	return tx_done;
}

static struct port ports[2];

static void *forwarder(void *arg)
{
	(void)arg;
	while (!fwd_stop) {
		bool busy = forward(&ports[0], &ports[1]);

		busy |= forward(&ports[1], &ports[0]);
		if (!busy)
			usleep(200);
	}
	return NULL;
}

static int test_ping(void)
{
	static const uint8_t macs[2][6] = {
		{0x02, 0x56, 0x44, 0x55, 0x53, 0x0a},
		{0x02, 0x56, 0x44, 0x55, 0x53, 0x0b},
	};
	static const char *names[2] = {"kmodping0", "kmodping1"};
	struct dev_cfg cfg;
	pthread_t thr;
	int ctl, i;

	ctl = open_control();
	for (i = 0; i < 2; i++) {
		struct port *p = &ports[i];

		p->name = names[i];
		memcpy(p->mac, macs[i], 6);
		net_config(&cfg, p->name, p->mac);
		CHECK_OK(ioctl(ctl, VDUSE_CREATE_DEV, &cfg));
		p->fd = open_dev(p->name);
		setup_vqs(p->fd, 2);
		sysfs_set(p->name, "msg_timeout", "10");
		server_start(&p->srv, p->fd);
		CHECK(run("vdpa dev add name %s mgmtdev vduse", p->name) == 0, "vdpa dev add %s",
		      p->name);
		CHECK(wait_netdev(p->mac, p->ifname, sizeof(p->ifname), true, 10),
		      "no netdev for %s", p->name);
		ring_map(p->fd, 0, &p->rx);
		ring_map(p->fd, 1, &p->tx);
		CHECK(run("ip netns add kmodns%d && ip link set %s netns kmodns%d && "
			  "ip -n kmodns%d addr add 10.99.0.%d/24 dev %s && "
			  "ip -n kmodns%d link set %s up",
			  i, p->ifname, i, i, i + 1, p->ifname, i, p->ifname) == 0,
		      "netns setup of %s", p->ifname);
	}
	CHECK(pthread_create(&thr, NULL, forwarder, NULL) == 0, "thread");
	CHECK(run("ip netns exec kmodns0 ping -c 3 -W 5 10.99.0.2") == 0,
	      "no ping between the two devices");
	CHECK(run("ip netns exec kmodns1 ping -c 20 -i 0.05 -s 1400 -W 5 -q 10.99.0.1") == 0,
	      "large pings lost");
	/* a few seconds of TCP: many frames, full rings */
	CHECK(run("ip netns exec kmodns1 iperf3 -s -1 -D -B 10.99.0.2 >/dev/null && sleep 0.5 && "
		  "timeout 60 ip netns exec kmodns0 iperf3 -c 10.99.0.2 -t 3 | grep -E "
		  "\"sender|receiver\"") == 0,
	      "TCP through the two devices");
	fwd_stop = true;
	pthread_join(thr, NULL);
	printf("ok: ping and TCP through two devices, %lu frames forwarded\n", fwd_frames);
	CHECK(fwd_frames >= 1000, "only %lu frames forwarded", fwd_frames);

	unmap_regions();
	for (i = 0; i < 2; i++) {
		struct port *p = &ports[i];

		CHECK(run("ip netns del kmodns%d", i) == 0, "netns del");
		CHECK(run("vdpa dev del %s", p->name) == 0, "vdpa dev del");
		server_stop(&p->srv);
		close(p->fd);
		snprintf(cfg.c.name, sizeof(cfg.c.name), "%s", p->name);
		CHECK_OK(ioctl(ctl, VDUSE_DESTROY_DEV, cfg.c.name));
	}
	close(ctl);
	printf("ok: two devices detached and destroyed\n");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{"basic", test_basic},	 {"badargs", test_badargs},   {"kill", test_kill},
	{"ping", test_ping},	 {"killfeat", test_killfeat}, {"killreset", test_killreset},
	{"cycles", test_cycles}, {"rtnl", test_rtnl},
};

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2) {
		fprintf(stderr,
			"usage: %s basic|badargs|kill|ping|killfeat|killreset|cycles|rtnl\n",
			argv[0]);
		return 2;
	}
	test_name = argv[1];
	upstream = access("/sys/module/vdpa", F_OK) == 0;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!strcmp(argv[1], tests[i].name))
			return tests[i].fn();
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}
