/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/capture: frames offered on named ports in both directions, filtered
 * by libpcap's compiler run as DPDK BPF (JIT and interpreter), read back by
 * libpcap (bytes, lengths under a small snaplen) and by a pcapng walker of
 * our own (interfaces, names, directions, queues); a bad filter and its
 * message; drops when the ring is full or the pool empty; an empty capture;
 * producers on several threads at once.
 *
 * "test_capture --write FILE" writes a sample capture to FILE and prints
 * what it holds, one frame a line, for test_capture_tools.py to check with
 * tcpdump and tshark.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "capture.h"

#define FRAME_MAX   9000
#define MAX_RECORDS 8192

/* Ports of the tests: two captured, one not. */
#define PORT_A	     3
#define PORT_B	     7
#define PORT_IGNORED 5
static const struct capture_iface two_ports[] = {
	{.port_id = PORT_A, .name = "p0"},
	{.port_id = PORT_B, .name = "net_af_packet0"},
};

#define PROTO_ICMP 1
#define PROTO_TCP  6
#define PROTO_UDP  17

/* What a test frame is: the bytes follow from it (see frame_bytes()). */
struct frame {
	uint8_t proto;
	uint16_t sport, dport; /* UDP, TCP */
	uint32_t len;	       /* bytes on the wire */
	uint32_t seq;	       /* makes the payload unique */
};

/* A frame as the file should hold it. */
struct record {
	uint32_t iface; /* index in the capture's ports */
	enum capture_dir dir;
	uint16_t queue;
	struct frame frame;
};

struct env {
	char dir[256];
	char path[288];
	struct rte_mempool *pool;
	struct capture *cap;
	struct record expected[MAX_RECORDS];
	unsigned int n_expected;
};

static struct rte_mempool *test_pool; /* frames offered; created once with the EAL */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Ethernet, IPv4 10.0.0.1 > 10.0.0.2, then UDP, TCP or ICMP echo; payload from seq. */
static void frame_bytes(const struct frame *f, uint8_t *b)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	uint8_t *ip = b + 14, *l4 = ip + 20;
	uint32_t i;

	memset(b, 0, f->len);
	memcpy(b, macs, sizeof(macs));
	put16(b + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(f->len - 14));
	ip[8] = 64;
	ip[9] = f->proto;
	put32(ip + 12, 0x0a000001);
	put32(ip + 16, 0x0a000002);
	if (f->proto == PROTO_UDP) {
		put16(l4, f->sport);
		put16(l4 + 2, f->dport);
		put16(l4 + 4, (uint16_t)(f->len - 34));
	} else if (f->proto == PROTO_TCP) {
		put16(l4, f->sport);
		put16(l4 + 2, f->dport);
		l4[12] = 5 << 4;
		l4[13] = 0x10; /* ACK */
	} else {
		l4[0] = 8; /* echo request */
	}
	for (i = 42 + 4; i < f->len; i++)
		b[i] = (uint8_t)(f->seq * 7 + i);
	put32(b + 42, f->seq);
}

/* The frame in an mbuf of @p segs segments (the last takes the rest). */
static struct rte_mbuf *make_mbuf(const struct frame *f, unsigned int segs)
{
	uint8_t bytes[FRAME_MAX];
	struct rte_mbuf *head = NULL;
	uint32_t off = 0, seg_len = f->len / segs;
	unsigned int s;

	frame_bytes(f, bytes);
	for (s = 0; s < segs; s++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
		uint32_t n = s == segs - 1 ? f->len - off : seg_len;

		assert_non_null(m);
		assert_true(n <= rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), bytes + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

/* The model of "udp port 5000", written apart from libpcap. */
static bool udp_5000(const struct frame *f)
{
	return f->proto == PROTO_UDP && (f->sport == 5000 || f->dport == 5000);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const char *tmp = getenv("TMPDIR");

	if (e == NULL)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "%s/capture.XXXXXX", tmp != NULL ? tmp : P_tmpdir);
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->path, sizeof(e->path), "%s/cap.pcapng", e->dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	capture_free(e->cap);
	unlink(e->path);
	rmdir(e->dir);
	free(e);
	return 0;
}

static void params_for(struct env *e, struct capture_params *p, const char *filter)
{
	capture_params_init(p);
	p->name = "test";
	p->path = e->path;
	p->ifaces = two_ports;
	p->n_ifaces = RTE_DIM(two_ports);
	p->filter = filter;
}

static struct capture *make(struct env *e, const struct capture_params *p)
{
	char msg[CAPTURE_ERRMSG_SIZE];
	int err = 1;

	e->cap = capture_create(p, &err, msg, sizeof(msg));
	if (e->cap == NULL)
		fail_msg("capture_create: %d %s", err, msg);
	assert_int_equal(err, 0);
	assert_string_equal(msg, "");
	return e->cap;
}

static uint32_t iface_of(uint16_t port_id)
{
	return port_id == PORT_A ? 0 : 1;
}

/*
 * Offer @p f on @p port_id in @p dir as a burst of one (@p segs segments);
 * expect it in the file when @p kept.
 */
static unsigned int offer(struct env *e, uint16_t port_id, uint16_t queue, enum capture_dir dir,
			  const struct frame *f, unsigned int segs, bool kept)
{
	struct rte_mbuf *m = make_mbuf(f, segs);
	unsigned int n = capture_burst(e->cap, port_id, queue, dir, &m, 1);

	rte_pktmbuf_free(m);
	if (kept) {
		assert_true(e->n_expected < MAX_RECORDS);
		e->expected[e->n_expected++] = (struct record){
			.iface = iface_of(port_id), .dir = dir, .queue = queue, .frame = *f};
	}
	return n;
}

/* The file's Enhanced Packet Blocks and interface names, walked by hand. */
struct walked {
	char names[4][CAPTURE_IFNAME_MAX + 1];
	unsigned int n_names;
	struct {
		uint32_t iface, flags, queue, caplen, len;
	} epb[MAX_RECORDS];
	unsigned int n_epb;
	bool saw_tsresol_ns;
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void walk_options(const uint8_t *o, const uint8_t *end, uint32_t type, struct walked *w)
{
	while (o + 4 <= end) {
		uint16_t code = get16(o), len = get16(o + 2);
		const uint8_t *val = o + 4;

		assert_true(val + len <= end);
		if (code == 0)
			return;
		if (type == 1 && code == 2) {
			assert_true(len <= CAPTURE_IFNAME_MAX);
			memcpy(w->names[w->n_names], val, len);
			w->names[w->n_names][len] = '\0';
		} else if (type == 1 && code == 9) {
			w->saw_tsresol_ns = len == 1 && val[0] == 9;
		} else if (type == 6 && code == 2) {
			w->epb[w->n_epb].flags = get32(val);
		} else if (type == 6 && code == 6) {
			w->epb[w->n_epb].queue = get32(val);
		}
		o = val + RTE_ALIGN_CEIL(len, 4);
	}
	fail_msg("options without an end");
}

static void walk_file(const char *path, struct walked *w)
{
	static uint8_t buf[1 << 22];
	FILE *f = fopen(path, "rb");
	size_t size, off = 0;

	assert_non_null(f);
	size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(size < sizeof(buf));
	memset(w, 0, sizeof(*w));
	assert_true(size >= 28);
	assert_int_equal(get32(buf), 0x0A0D0D0A);
	assert_int_equal(get32(buf + 8), 0x1A2B3C4D);
	while (off < size) {
		uint32_t type = get32(buf + off), len = get32(buf + off + 4);
		const uint8_t *b = buf + off;

		assert_true(len >= 12 && len % 4 == 0 && off + len <= size);
		assert_int_equal(get32(b + len - 4), len); /* the length again, at the end */
		if (type == 1) {
			assert_true(w->n_names < RTE_DIM(w->names));
			assert_int_equal(get16(b + 8), DLT_EN10MB);
			walk_options(b + 16, b + len - 4, type, w);
			w->n_names++;
		} else if (type == 6) {
			uint32_t caplen = get32(b + 20);

			assert_true(w->n_epb < MAX_RECORDS);
			w->epb[w->n_epb].iface = get32(b + 8);
			w->epb[w->n_epb].caplen = caplen;
			w->epb[w->n_epb].len = get32(b + 24);
			walk_options(b + 28 + RTE_ALIGN_CEIL(caplen, 4), b + len - 4, type, w);
			w->n_epb++;
		}
		off += len;
	}
}

/*
 * The file holds exactly e->expected, in order: bytes and lengths through
 * libpcap, interfaces, directions and queues through the walker.
 */
static void check_file(struct env *e, uint32_t snaplen)
{
	static struct walked w;
	char errbuf[PCAP_ERRBUF_SIZE];
	uint8_t bytes[FRAME_MAX];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	unsigned int i = 0;
	pcap_t *pcap;
	int ret;

	pcap = pcap_open_offline(e->path, errbuf);
	if (pcap == NULL)
		fail_msg("pcap_open_offline: %s", errbuf);
	assert_int_equal(pcap_datalink(pcap), DLT_EN10MB);
	while ((ret = pcap_next_ex(pcap, &hdr, &data)) == 1) {
		const struct frame *f;

		assert_true(i < e->n_expected);
		f = &e->expected[i].frame;
		frame_bytes(f, bytes);
		assert_int_equal(hdr->len, f->len);
		assert_int_equal(hdr->caplen, RTE_MIN(f->len, snaplen));
		assert_memory_equal(data, bytes, hdr->caplen);
		i++;
	}
	assert_int_equal(ret, PCAP_ERROR_BREAK); /* the end, not an error */
	assert_int_equal(i, e->n_expected);
	pcap_close(pcap);

	walk_file(e->path, &w);
	assert_int_equal(w.n_names, RTE_DIM(two_ports));
	for (i = 0; i < w.n_names; i++)
		assert_string_equal(w.names[i], two_ports[i].name);
	assert_true(w.saw_tsresol_ns);
	assert_int_equal(w.n_epb, e->n_expected);
	for (i = 0; i < w.n_epb; i++) {
		assert_int_equal(w.epb[i].iface, e->expected[i].iface);
		assert_int_equal(w.epb[i].flags, e->expected[i].dir == CAPTURE_RX ? 1 : 2);
		assert_int_equal(w.epb[i].queue, e->expected[i].queue);
	}
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/*
 * Both ports, both directions, "udp port 5000", snaplen 64: frames shorter
 * and longer than the snaplen, one in three segments (the filter reads the
 * UDP header across them), others the filter rejects, one port not
 * captured.
 */
static void filter_both_directions(void **state, bool no_jit)
{
	struct env *e = *state;
	struct capture_params p;
	struct capture_stats st;
	unsigned int offered = 0, kept = 0;
	uint32_t seq = 1;

	params_for(e, &p, "udp port 5000");
	p.snaplen = 64;
	p.no_jit = no_jit;
	make(e, &p);
#ifdef RTE_ARCH_X86_64
	assert_int_equal(capture_filter_is_jit(e->cap), !no_jit);
#endif
	assert_int_equal(capture_start(e->cap), 0);

	const struct {
		uint16_t port;
		enum capture_dir dir;
		struct frame f;
		unsigned int segs;
	} cases[] = {
		{PORT_A, CAPTURE_RX, {PROTO_UDP, 1234, 5000, 100, 0}, 1},
		{PORT_A, CAPTURE_RX, {PROTO_UDP, 1234, 5001, 100, 0}, 1},
		{PORT_B, CAPTURE_TX, {PROTO_UDP, 5000, 53, 60, 0}, 1},
		{PORT_A, CAPTURE_TX, {PROTO_ICMP, 0, 0, 98, 0}, 1},
		{PORT_B, CAPTURE_RX, {PROTO_TCP, 1234, 5000, 74, 0}, 1},
		{PORT_A, CAPTURE_TX, {PROTO_UDP, 1234, 5000, 1514, 0}, 3},
		{PORT_B, CAPTURE_RX, {PROTO_UDP, 1234, 5000, 64, 0}, 1},
		{PORT_IGNORED, CAPTURE_RX, {PROTO_UDP, 1234, 5000, 100, 0}, 1},
		{PORT_B, CAPTURE_TX, {PROTO_UDP, 1234, 5000, 9000, 0}, 5},
	};
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct frame f = cases[i].f;
		bool captured_port = cases[i].port != PORT_IGNORED;
		bool kept_here = captured_port && udp_5000(&f);

		f.seq = seq++;
		assert_int_equal(offer(e, cases[i].port, (uint16_t)i, cases[i].dir, &f,
				       cases[i].segs, kept_here),
				 kept_here ? 1 : 0);
		offered += captured_port;
		kept += kept_here;
	}
	assert_int_equal(capture_stop(e->cap), 0);

	capture_stats_get(e->cap, &st);
	assert_int_equal(st.captured, kept);
	assert_int_equal(st.filtered, offered - kept);
	assert_int_equal(st.dropped_ring + st.dropped_nombuf, 0);
	assert_int_equal(st.written, kept);
	assert_int_equal(st.bytes_written, file_size(e->path));
	assert_int_equal(st.write_error, 0);
	check_file(e, p.snaplen);
}

static void test_filter_jit(void **state)
{
	filter_both_directions(state, false);
}

static void test_filter_interpreted(void **state)
{
	filter_both_directions(state, true);
}

/* rx only: frames sent are not looked at (no counter moves), received ones are. */
static void test_rx_only(void **state)
{
	struct env *e = *state;
	struct capture_params p;
	struct capture_stats st;
	struct frame f = {PROTO_ICMP, 0, 0, 98, 1};

	params_for(e, &p, NULL);
	p.dir = CAPTURE_RX;
	make(e, &p);
	assert_true(capture_wants(e->cap, PORT_A, CAPTURE_RX));
	assert_false(capture_wants(e->cap, PORT_A, CAPTURE_TX));
	assert_false(capture_wants(e->cap, PORT_A, CAPTURE_BOTH));
	assert_false(capture_wants(e->cap, PORT_IGNORED, CAPTURE_RX));
	assert_false(capture_wants(e->cap, CAPTURE_MAX_PORTS, CAPTURE_RX));

	assert_int_equal(offer(e, PORT_A, 0, CAPTURE_TX, &f, 1, false), 0);
	f.seq++;
	assert_int_equal(offer(e, PORT_B, 1, CAPTURE_RX, &f, 1, true), 1);
	f.seq++;
	assert_int_equal(offer(e, PORT_B, 1, CAPTURE_TX, &f, 1, false), 0);
	/* Not started: stop writes what waits in the ring. */
	assert_int_equal(capture_stop(e->cap), 0);
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.captured, 1);
	assert_int_equal(st.filtered, 0);
	check_file(e, p.snaplen);
}

/* A filter libpcap cannot compile: an error, libpcap's words, no file. */
static void test_bad_filter(void **state)
{
	struct env *e = *state;
	char msg[CAPTURE_ERRMSG_SIZE] = "unchanged";
	struct capture_params p;
	struct stat st;
	int err = 0;

	params_for(e, &p, "udp port");
	e->cap = capture_create(&p, &err, msg, sizeof(msg)); /* teardown frees it if made */
	assert_null(e->cap);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(msg, "syntax error"));
	assert_int_equal(stat(e->path, &st), -1);

	p.filter = "tcp port 99999";
	e->cap = capture_create(&p, &err, msg, sizeof(msg));
	assert_null(e->cap);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(msg, "99999"));
}

/* Parameters out of range, a name in use, a file that cannot be written. */
static void test_bad_params(void **state)
{
	struct env *e = *state;
	const struct capture_iface twice[] = {{1, "a"}, {1, "b"}};
	char msg[CAPTURE_ERRMSG_SIZE];
	struct capture_params p;
	int err = 0;

	params_for(e, &p, NULL);
	p.snaplen = 0;
	assert_null(capture_create(&p, &err, msg, sizeof(msg)));
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(msg, "snaplen"));

	params_for(e, &p, NULL);
	p.ifaces = twice;
	p.n_ifaces = RTE_DIM(twice);
	assert_null(capture_create(&p, &err, msg, sizeof(msg)));
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(msg, "twice"));

	params_for(e, &p, NULL);
	make(e, &p);
	assert_null(capture_create(&p, &err, msg, sizeof(msg)));
	assert_int_equal(err, -EEXIST);

	params_for(e, &p, NULL);
	p.name = "other";
	p.path = "/dev/full";
	assert_null(capture_create(&p, &err, msg, sizeof(msg)));
	assert_int_equal(err, -ENOSPC);
	assert_non_null(strstr(msg, "/dev/full"));
}

/* A ring of 4 and no writer yet: 4 copies wait, the rest are counted as drops. */
static void test_ring_full_drops(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m[20];
	struct capture_params p;
	struct capture_stats st;
	unsigned int i;

	params_for(e, &p, NULL);
	p.ring_size = 4;
	make(e, &p);
	for (i = 0; i < RTE_DIM(m); i++) {
		struct frame f = {PROTO_UDP, 1, 2, 60, i};

		m[i] = make_mbuf(&f, 1);
		if (i < p.ring_size)
			e->expected[e->n_expected++] = (struct record){
				.iface = 0, .dir = CAPTURE_RX, .queue = 2, .frame = f};
	}
	assert_int_equal(capture_burst(e->cap, PORT_A, 2, CAPTURE_RX, m, RTE_DIM(m)), p.ring_size);
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.captured, p.ring_size);
	assert_int_equal(st.dropped_ring, RTE_DIM(m) - p.ring_size);
	assert_int_equal(st.dropped_nombuf, 0);

	assert_int_equal(capture_start(e->cap), 0);
	assert_int_equal(capture_stop(e->cap), 0);
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.written, p.ring_size);
	check_file(e, p.snaplen);
}

/*
 * Jumbo copies take several mbufs each: the pool runs out before the ring
 * does, and what could not be copied is counted apart.
 */
static void test_pool_empty_drops(void **state)
{
	struct env *e = *state;
	struct capture_params p;
	struct capture_stats st;
	unsigned int i, n = 64, captured = 0;

	params_for(e, &p, NULL);
	p.ring_size = 64;
	make(e, &p);
	for (i = 0; i < n; i++) {
		struct frame f = {PROTO_UDP, 1, 2, FRAME_MAX, i};
		unsigned int c = offer(e, PORT_B, 0, CAPTURE_TX, &f, 5, false);

		if (c == 1) {
			e->expected[e->n_expected++] =
				(struct record){.iface = 1, .dir = CAPTURE_TX, .frame = f};
		}
		captured += c;
	}
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.captured, captured);
	assert_int_equal(st.dropped_ring, 0);
	assert_int_equal(st.dropped_nombuf, n - captured);
	assert_true(st.dropped_nombuf > 0);
	assert_int_equal(capture_stop(e->cap), 0);
	check_file(e, p.snaplen);
}

/* Nothing captured: a file of its header that libpcap reads as empty. */
static void test_empty_capture(void **state)
{
	struct env *e = *state;
	struct capture_params p;
	struct capture_stats st;

	params_for(e, &p, "icmp");
	p.snaplen = 128;
	make(e, &p);
	assert_int_equal(capture_start(e->cap), 0);
	assert_int_equal(capture_start(e->cap), -EALREADY);
	assert_int_equal(capture_stop(e->cap), 0);
	assert_int_equal(capture_stop(e->cap), -EALREADY);
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.bytes_written, file_size(e->path));
	check_file(e, p.snaplen);

	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pcap = pcap_open_offline(e->path, errbuf);

	assert_non_null(pcap);
	assert_int_equal(pcap_snapshot(pcap), 128);
	pcap_close(pcap);
}

/* Producers on several threads, half with an lcore id and half without. */
#define PRODUCERS 4
#define BURSTS	  200
#define BURST	  16

struct producer {
	struct capture *cap;
	unsigned int index;
	unsigned int captured;
};

static void *producer_main(void *arg)
{
	struct producer *pr = arg;
	struct rte_mbuf *m[BURST];
	unsigned int b, i;

	/* The even ones get their own counter slot; the odd ones share one. */
	if (pr->index % 2 == 0 && rte_thread_register() != 0)
		return NULL;
	for (b = 0; b < BURSTS; b++) {
		for (i = 0; i < BURST; i++) {
			/* Every other frame to port 5000; the sequence tells producer and order. */
			struct frame f = {PROTO_UDP, 1234, i % 2 == 0 ? 5000 : 6000, 80,
					  (pr->index << 24) | (b * BURST + i)};

			m[i] = make_mbuf(&f, 1);
		}
		pr->captured += capture_burst(pr->cap, pr->index % 2 == 0 ? PORT_A : PORT_B,
					      (uint16_t)pr->index, CAPTURE_RX, m, BURST);
		rte_pktmbuf_free_bulk(m, BURST);
	}
	if (pr->index % 2 == 0)
		rte_thread_unregister();
	return NULL;
}

static void test_producers(void **state)
{
	static struct walked w;
	struct env *e = *state;
	struct producer pr[PRODUCERS];
	pthread_t tid[PRODUCERS];
	uint32_t next[PRODUCERS] = {0};
	struct capture_params p;
	struct capture_stats st;
	unsigned int i, sum = 0, per = BURSTS * BURST / 2;

	params_for(e, &p, "udp dst port 5000");
	p.ring_size = PRODUCERS * per; /* room for all: no drop may hide a miscount */
	make(e, &p);
	assert_int_equal(capture_start(e->cap), 0);
	for (i = 0; i < PRODUCERS; i++) {
		pr[i] = (struct producer){.cap = e->cap, .index = i};
		assert_int_equal(pthread_create(&tid[i], NULL, producer_main, &pr[i]), 0);
	}
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(tid[i], NULL);
		assert_int_equal(pr[i].captured, per);
		sum += pr[i].captured;
	}
	assert_int_equal(capture_stop(e->cap), 0);
	capture_stats_get(e->cap, &st);
	assert_int_equal(st.captured, sum);
	assert_int_equal(st.filtered, PRODUCERS * BURSTS * BURST - sum);
	assert_int_equal(st.dropped_ring + st.dropped_nombuf, 0);
	assert_int_equal(st.written, sum);

	/* Each producer's frames, in its own order, under its own queue. */
	walk_file(e->path, &w);
	assert_int_equal(w.n_epb, sum);
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pcap = pcap_open_offline(e->path, errbuf);
	struct pcap_pkthdr *hdr;
	const u_char *data;

	assert_non_null(pcap);
	for (i = 0; pcap_next_ex(pcap, &hdr, &data) == 1; i++) {
		uint32_t seq = (uint32_t)data[42] << 24 | data[43] << 16 | data[44] << 8 | data[45];
		uint32_t who = seq >> 24;

		assert_true(who < PRODUCERS);
		assert_int_equal(w.epb[i].queue, who);
		assert_int_equal(w.epb[i].iface, who % 2 == 0 ? 0 : 1);
		assert_int_equal(seq & 0xffffff, next[who]);
		next[who] += 2; /* every other frame passed */
	}
	pcap_close(pcap);
	assert_int_equal(i, sum);
}

static int eal_init(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"256",	     "-l",	 "0",		"--log-level=3"};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("test_frames", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	return test_pool == NULL ? -1 : 0;
}

/*
 * The sample of test_capture_tools.py: both ports, both directions, "udp
 * port 5000", snaplen 80; prints "iface-name direction length caplen
 * hex-bytes" for each frame the file must hold.
 */
static int write_sample(const char *path)
{
	const struct {
		uint16_t port;
		enum capture_dir dir;
		struct frame f;
	} frames[] = {
		{PORT_A, CAPTURE_RX, {PROTO_UDP, 1234, 5000, 120, 1}},
		{PORT_B, CAPTURE_TX, {PROTO_UDP, 1234, 5000, 60, 2}},
		{PORT_A, CAPTURE_TX, {PROTO_ICMP, 0, 0, 98, 3}},
		{PORT_B, CAPTURE_RX, {PROTO_UDP, 5000, 7, 300, 4}},
		{PORT_B, CAPTURE_RX, {PROTO_TCP, 1234, 5000, 74, 5}},
		{PORT_A, CAPTURE_TX, {PROTO_UDP, 1234, 5000, 1514, 6}},
	};
	struct capture_params p;
	struct env e = {0};
	uint8_t bytes[FRAME_MAX];
	unsigned int i, j;

	snprintf(e.path, sizeof(e.path), "%s", path);
	params_for(&e, &p, "udp port 5000");
	p.snaplen = 80;
	make(&e, &p);
	for (i = 0; i < RTE_DIM(frames); i++) {
		const struct frame *f = &frames[i].f;
		uint32_t caplen = RTE_MIN(f->len, p.snaplen);

		offer(&e, frames[i].port, 0, frames[i].dir, f, 1, false);
		if (!udp_5000(f))
			continue;
		frame_bytes(f, bytes);
		printf("%s %s %u %u ", two_ports[iface_of(frames[i].port)].name,
		       frames[i].dir == CAPTURE_RX ? "in" : "out", f->len, caplen);
		for (j = 0; j < caplen; j++)
			printf("%02x", bytes[j]);
		printf("\n");
	}
	if (capture_stop(e.cap) != 0)
		return 1;
	capture_free(e.cap);
	return 0;
}

/* An argument runs the tests whose names match it (cmocka's * and ? patterns). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_filter_jit),	  T(test_filter_interpreted), T(test_rx_only),
		T(test_bad_filter),	  T(test_bad_params),	      T(test_ring_full_drops),
		T(test_pool_empty_drops), T(test_empty_capture),      T(test_producers),
#undef T
	};

	if (eal_init() < 0) {
		fprintf(stderr, "test_capture: EAL init failed\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_sample(argv[2]);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
