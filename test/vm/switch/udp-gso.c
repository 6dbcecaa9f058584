/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP segmentation offload end to end. The sender hands the kernel large
 * buffers with the UDP_SEGMENT socket option, so each can leave as one GSO
 * frame; the receiver checks that every datagram arrives exactly once, with
 * its own length and its own bytes.
 *
 *   udp-gso send ADDR PORT SEGMENT TOTAL COUNT
 *   udp-gso recv PORT SEGMENT TOTAL COUNT SECONDS
 *
 * Buffer k (of COUNT) holds TOTAL bytes cut into SEGMENT-byte datagrams;
 * datagram j of it starts with (k, j) and goes on with bytes derived from
 * them. The receiver prints "ready" once bound, then a summary; it exits 0
 * only when all COUNT * ceil(TOTAL / SEGMENT) datagrams arrived intact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOTAL 65000

struct tag {
	uint32_t buffer;
	uint32_t segment;
};

static unsigned long number(const char *s, unsigned long min, unsigned long max, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "udp-gso: %s '%s' is not in %lu..%lu\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static uint8_t pattern(const struct tag *t, uint32_t i)
{
	return (uint8_t)(t->buffer * 7 + t->segment * 13 + i);
}

/* Length of datagram @j of a buffer. */
static uint32_t segment_len(uint32_t j, uint32_t seg, uint32_t total)
{
	return (j + 1) * seg <= total ? seg : total - j * seg;
}

static void fill(uint8_t *buf, uint32_t k, uint32_t seg, uint32_t total)
{
	uint32_t j, i, nseg = (total + seg - 1) / seg;

	for (j = 0; j < nseg; j++) {
		struct tag t = {k, j};
		uint8_t *d = buf + j * seg;
		uint32_t len = segment_len(j, seg, total);

		memcpy(d, &t, sizeof(t));
		for (i = sizeof(t); i < len; i++)
			d[i] = pattern(&t, i);
	}
}

static int do_send(char **argv)
{
	uint32_t seg = number(argv[2], sizeof(struct tag), 8000, "SEGMENT");
	uint32_t total = number(argv[3], seg, MAX_TOTAL, "TOTAL");
	uint32_t count = number(argv[4], 1, 100000, "COUNT"), k;
	struct sockaddr_in to = {.sin_family = AF_INET};
	static uint8_t buf[MAX_TOTAL];
	int fd, gso = (int)seg;

	to.sin_port = htons((uint16_t)number(argv[1], 1, 65535, "PORT"));
	if (inet_pton(AF_INET, argv[0], &to.sin_addr) != 1) {
		fprintf(stderr, "udp-gso: '%s' is not an IPv4 address\n", argv[0]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    setsockopt(fd, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)) < 0) {
		perror("udp-gso: socket, connect or UDP_SEGMENT");
		return 1;
	}
	for (k = 0; k < count; k++) {
		const struct timespec pace = {0, 10000000};

		fill(buf, k, seg, total);
		if (send(fd, buf, total, 0) != (ssize_t)total) {
			perror("udp-gso: send");
			return 1;
		}
		/* Paced, so that a slow guest's receive queue never overflows. */
		nanosleep(&pace, NULL);
	}
	printf("sent %u buffers of %u bytes in %u-byte datagrams\n", count, total, seg);
	return 0;
}

/* NULL if @d (@len bytes) is a datagram of the stream not seen before, else what is wrong. */
static const char *check(const uint8_t *d, uint32_t len, uint32_t seg, uint32_t total,
			 uint32_t count, uint8_t *seen)
{
	uint32_t nseg = (total + seg - 1) / seg, i;
	struct tag t;

	if (len < sizeof(t))
		return "too short";
	memcpy(&t, d, sizeof(t));
	if (t.buffer >= count || t.segment >= nseg)
		return "bad tag";
	if (len != segment_len(t.segment, seg, total))
		return "wrong length";
	for (i = sizeof(t); i < len; i++)
		if (d[i] != pattern(&t, i))
			return "wrong bytes";
	if (seen[t.buffer * nseg + t.segment]++)
		return "duplicate";
	return NULL;
}

static int do_recv(char **argv)
{
	uint32_t seg = number(argv[1], sizeof(struct tag), 8000, "SEGMENT");
	uint32_t total = number(argv[2], seg, MAX_TOTAL, "TOTAL");
	uint32_t count = number(argv[3], 1, 100000, "COUNT");
	int seconds = (int)number(argv[4], 1, 3600, "SECONDS");
	uint32_t nseg = (total + seg - 1) / seg, want = count * nseg, good = 0, bad = 0;
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 32 << 20;
	uint8_t *seen = calloc(want, 1);
	static uint8_t d[MAX_TOTAL];
	struct pollfd pfd;

	me.sin_port = htons((uint16_t)number(argv[0], 1, 65535, "PORT"));
	if (fd < 0 || seen == NULL || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udp-gso: socket or bind");
		return 1;
	}
	/* Room for everything: a slow receiver must not drop what the switch delivered. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	printf("ready\n");
	fflush(stdout);
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	while (good < want && poll(&pfd, 1, seconds * 1000) == 1) {
		ssize_t n = recv(fd, d, sizeof(d), 0);
		const char *why;

		if (n < 0) {
			perror("udp-gso: recv");
			return 1;
		}
		why = check(d, (uint32_t)n, seg, total, count, seen);
		if (why != NULL) {
			if (bad++ < 5)
				fprintf(stderr, "udp-gso: datagram of %zd bytes: %s\n", n, why);
			continue;
		}
		good++;
	}
	printf("received %u of %u datagrams, %u bad\n", good, want, bad);
	return good == want && bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return do_send(argv + 2);
	if (argc == 7 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv + 2);
	fprintf(stderr, "usage: udp-gso send ADDR PORT SEGMENT TOTAL COUNT\n"
			"       udp-gso recv PORT SEGMENT TOTAL COUNT SECONDS\n");
	return 2;
}
