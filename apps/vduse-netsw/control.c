/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket and its small command language. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "control.h"

#define MAX_LINE 256
#define MAX_ARGS 8

int vns_control_open(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "control socket path '%s' is too long\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0) {
		ret = -errno;
		fprintf(stderr, "control socket %s: %s\n", path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

static struct port *find_port(const struct vns_control_ports *ports, const char *name)
{
	unsigned int i;

	for (i = 0; i < ports->count; i++)
		if (strcmp(ports->ports[i]->name, name) == 0)
			return ports->ports[i];
	return NULL;
}

static void print_port_stats(FILE *out, unsigned int index, struct port *port)
{
	struct port_stats s;

	port_stats_get(port, &s);
	fprintf(out, "  ######## NIC statistics for port %u (%s) ########\n", index, port->name);
	fprintf(out,
		"  RX-packets: %-10" PRIu64 " RX-errors: %-10" PRIu64 " RX-bytes: %" PRIu64 "\n",
		s.rx_packets, s.rx_errors, s.rx_bytes);
	fprintf(out, "  RX-nombuf:  %" PRIu64 "\n", s.rx_nombuf);
	fprintf(out,
		"  TX-packets: %-10" PRIu64 " TX-dropped: %-9" PRIu64 " TX-bytes: %" PRIu64 "\n",
		s.tx_packets, s.tx_dropped, s.tx_bytes);
	fprintf(out, "  TX-gso-segments: %" PRIu64 "\n", s.tx_gso_segments);
}

static int cmd_link(char **argv, int argc, FILE *out, const struct vns_control_ports *ports)
{
	struct port *port;
	int ret;

	if (argc != 3 || (strcmp(argv[2], "up") && strcmp(argv[2], "down"))) {
		fprintf(out, "error: usage: link PORT up|down\n");
		return -1;
	}
	port = find_port(ports, argv[1]);
	if (port == NULL) {
		fprintf(out, "error: no port '%s' (see: show ports)\n", argv[1]);
		return -1;
	}
	ret = port_link_set(port, strcmp(argv[2], "up") == 0);
	if (ret != 0) {
		fprintf(out, "error: port %s: cannot set link %s: %s\n", argv[1], argv[2],
			strerror(-ret));
		return -1;
	}
	return 0;
}

static int cmd_show(char **argv, int argc, FILE *out, const struct vns_control_ports *ports)
{
	unsigned int i;

	if (argc == 2 && strcmp(argv[1], "ports") == 0) {
		for (i = 0; i < ports->count; i++) {
			struct port_link link = {0};

			port_link_get(ports->ports[i], &link);
			fprintf(out, "port %u: %s link %s\n", i, ports->ports[i]->name,
				link.up ? "up" : "down");
		}
		return 0;
	}
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "stats") == 0) {
		bool found = false;

		for (i = 0; i < ports->count; i++) {
			if (argc == 3 && strcmp(ports->ports[i]->name, argv[2]) != 0)
				continue;
			print_port_stats(out, i, ports->ports[i]);
			found = true;
		}
		if (!found) {
			fprintf(out, "error: no port '%s' (see: show ports)\n", argv[2]);
			return -1;
		}
		return 0;
	}
	fprintf(out, "error: usage: show ports | show stats [PORT]\n");
	return -1;
}

int vns_control_exec(char *line, FILE *out, const struct vns_control_ports *ports)
{
	char *argv[MAX_ARGS], *save = NULL, *tok;
	int argc = 0, ret;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	if (argc == 0) {
		fprintf(out, "error: empty command (link, show)\n");
		return -1;
	}
	if (strcmp(argv[0], "link") == 0)
		ret = cmd_link(argv, argc, out, ports);
	else if (strcmp(argv[0], "show") == 0)
		ret = cmd_show(argv, argc, out, ports);
	else {
		fprintf(out, "error: unknown command '%s' (link, show)\n", argv[0]);
		ret = -1;
	}
	if (ret == 0)
		fprintf(out, "ok\n");
	return ret;
}

int vns_control_serve(int fd, int timeout_ms, const struct vns_control_ports *ports)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char line[MAX_LINE];
	FILE *conn;
	int cfd, n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return 0; /* the client went away: nothing to serve */
	conn = fdopen(cfd, "r+");
	if (conn == NULL) {
		close(cfd);
		return 0;
	}
	/* A client that sends nothing must not hold the control path. */
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 2},
		   sizeof(struct timeval));
	if (fgets(line, sizeof(line), conn) != NULL)
		vns_control_exec(line, conn, ports);
	fclose(conn);
	return 0;
}
