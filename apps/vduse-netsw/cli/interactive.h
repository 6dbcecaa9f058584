/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_INTERACTIVE_H
#define VNS_INTERACTIVE_H

/**
 * @file
 * The interactive CLI (-i), testpmd's prompt on the terminal: DPDK
 * cmdline's line editor (history with the arrows, Ctrl-W, Ctrl-K...), tab
 * completion and '?' help from the command table's tokens, each line run by
 * vns_cli_exec() under the switch's lock. The main loop feeds it what the
 * terminal sent, so the workers, the control socket and the MAC table go
 * on meanwhile. Ctrl-D on an empty line or "quit" ends it; Ctrl-C is
 * SIGINT, which stops the switch as testpmd's does. Control thread only.
 */

#include "switch.h"

/** The prompt, testpmd's with the switch's name. */
#define VNS_PROMPT "vduse-netsw> "

/** The interactive CLI on stdin and stdout (opaque). */
struct vns_interactive;

/**
 * Start it: the terminal (when stdin is one) leaves canonical mode and echo,
 * and the prompt is printed.
 *
 * @return it, or NULL for want of memory.
 */
struct vns_interactive *vns_interactive_open(struct vns_switch *sw);

/** The file descriptor it reads (stdin), for the main loop's poll(). */
int vns_interactive_fd(const struct vns_interactive *cli);

/**
 * Take what stdin has without blocking, edit the line and run it when it
 * ends.
 *
 * @return 0, or 1 when the user ended the session (Ctrl-D, or stdin closed).
 */
int vns_interactive_poll(struct vns_interactive *cli);

/** End it: the terminal as it was. Accepts NULL. */
void vns_interactive_close(struct vns_interactive *cli);

#endif /* VNS_INTERACTIVE_H */
