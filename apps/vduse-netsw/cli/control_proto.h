/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CONTROL_PROTO_H
#define VNS_CONTROL_PROTO_H

/**
 * @file
 * The control socket's limits, shared by the switch (control.c) and its
 * client (vduse-netsw-ctl), which needs nothing else of the switch.
 *
 * A client sends command lines; each answer is text ending in a line "ok",
 * or in a line starting with "error: ". After the client shuts down its
 * side, the switch answers the lines it has and closes the connection.
 */

/** Where the switch serves and the client looks without --control or --socket. */
#define VNS_CONTROL_DEFAULT "/run/vduse-netsw/control.sock"

/**
 * A line starting with this word is answered in JSON, one line:
 * {"ok": true, "reply": {...}, "messages": [...]}, and on failure "ok": false
 * and "error": "..." (what was wrong, what was expected).
 */
#define VNS_CONTROL_JSON_WORD "json"

/** Most clients connected at once; the next one is told so and closed. */
#define VNS_CONTROL_MAX_CLIENTS 16
/** Longest command line, with its newline. */
#define VNS_CONTROL_MAX_LINE 1024
/** Time from a command's first byte until its answer must be sent, in ms. */
#define VNS_CONTROL_COMMAND_MS 3000
/** Time a client may stay connected between commands, in ms. */
#define VNS_CONTROL_IDLE_MS 60000

#endif /* VNS_CONTROL_PROTO_H */
