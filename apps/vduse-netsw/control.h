/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CONTROL_H
#define VNS_CONTROL_H

/**
 * @file
 * The control socket: a Unix stream socket taking one command line per
 * connection and answering with text, e.g.
 * `echo "link p0 down" | socat - UNIX-CONNECT:/run/vduse-netsw.sock`.
 *
 * Commands: `link PORT up|down`, `show ports`, `show stats [PORT]`.
 * Answers end with a line "ok" or start with "error: ".
 */

#include <stdio.h>

#include "port.h"

/** The ports the control socket acts on. */
struct vns_control_ports {
	struct port **ports; /**< in port-number order */
	unsigned int count;  /**< number of ports */
};

/**
 * Listen on @p path (an existing socket file there is replaced).
 *
 * @return the listening fd, or a negative errno after printing the cause.
 */
int vns_control_open(const char *path);

/**
 * Wait up to @p timeout_ms for a connection and serve it.
 *
 * @return 0, or a negative errno when waiting failed (EINTR is not a failure).
 */
int vns_control_serve(int fd, int timeout_ms, const struct vns_control_ports *ports);

/**
 * Run one command line and write the answer to @p out.
 *
 * @return 0 when the command succeeded, -1 otherwise.
 */
int vns_control_exec(char *line, FILE *out, const struct vns_control_ports *ports);

#endif /* VNS_CONTROL_H */
