/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CONTROL_H
#define VNS_CONTROL_H

/**
 * @file
 * The control socket: a Unix stream socket taking command lines and
 * answering each with text, e.g.
 * `echo "set link-down port p0" | socat - UNIX-CONNECT:/run/vduse-netsw/control.sock`,
 * or vduse-netsw-ctl.
 *
 * Commands: the command table's (cli.h; "help" lists them). A text answer
 * ends with a line "ok" or with one starting with "error: "; a line
 * starting with the word "json" is answered with one line of JSON
 * (control_proto.h). Blank lines and comments are skipped. Clients are served together, each
 * command within VNS_CONTROL_COMMAND_MS of its first byte.
 */

#include <stdio.h>

#include <sys/types.h>

#include "cli/control_proto.h"
#include "switch.h"

/** A listening control socket and its clients (opaque). */
struct vns_control;

/**
 * Listen on @p path. A stale socket there (nobody accepts on it) is
 * replaced; a live one ("in use") or anything that is not a socket is
 * left alone and refused. The socket is created with mode 0600, or 0660
 * and group @p gid unless @p gid is (gid_t)-1.
 *
 * @return the control socket, or NULL after printing the cause.
 */
struct vns_control *vns_control_open(const char *path, gid_t gid);

/**
 * Wait up to @p timeout_ms for clients, read their commands, run them on
 * @p sw and send the answers; drop clients past their deadline. Never
 * blocks on a client, and a client that went away costs only its answer.
 *
 * @return 0, or a negative errno when waiting failed (EINTR is not a failure).
 */
int vns_control_serve(struct vns_control *ctl, int timeout_ms, struct vns_switch *sw);

/**
 * Disconnect the clients, stop listening and remove the socket file if it
 * is still the one vns_control_open() made. Accepts NULL.
 */
void vns_control_close(struct vns_control *ctl);

#endif /* VNS_CONTROL_H */
