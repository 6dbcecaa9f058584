/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CLI_H
#define VNS_CLI_H

/**
 * @file
 * The command table: every command of the switch is one row, a grammar, a
 * line of help and a handler, registered by its topic file (cmd_*.c) as
 * grout registers its commands. The interactive CLI (-i), the command file
 * (--cmdline-file) and the control socket all run lines through
 * vns_cli_exec(), so a command behaves the same from each.
 *
 * A grammar is words separated by spaces:
 *
 *     show port stats all|PORT
 *
 * - a lower-case word is typed as is; "a|b|c" is one of them;
 * - an upper-case word is a typed argument, checked before the handler
 *   runs: PORT (a port's name or number; "all|PORT" also takes "all"),
 *   numbers with their range (QUEUE, VLAN, VID, SECONDS, BURST, COUNT),
 *   MAC, ENGINE, and words taken as typed (FILE, SPEC, DEVARGS, KEYS, LIST);
 * - a last word ending in "..." takes the rest of the line (EXPR...).
 *
 * The tokens are DPDK cmdline tokens (DPDK's string token for the words,
 * this file's for the typed arguments), so the interactive CLI completes
 * and explains them with DPDK's own completion. A line no row takes is
 * answered with the word that failed and what was expected there.
 *
 * Control thread only (the caller holds vns_switch::lock).
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "cli/reply.h"
#include "switch.h"

/** Most words of a grammar. */
#define VNS_CMD_MAX_TOKENS 12

/** One argument as the line gave it, converted to its type. */
struct vns_cmd_arg {
	const char *word;	   /**< as typed (the rest of the line for a "..." word) */
	uint64_t u;		   /**< numbers */
	struct vns_port *port;	   /**< PORT: the port; NULL for "all" */
	struct rte_ether_addr mac; /**< MAC */
};

struct vns_cmd;

/** What a handler is given. */
struct vns_cmd_ctx {
	struct vns_switch *sw;	   /**< the switch */
	struct vns_reply *r;	   /**< the reply to describe the answer in */
	const struct vns_cmd *cmd; /**< the row that took the line */
	char *const *words;	   /**< the row's grammar words, one per @p argv entry */
	unsigned int argc;	   /**< words in @p argv: one per grammar word */
	struct vns_cmd_arg argv[VNS_CMD_MAX_TOKENS]; /**< in the grammar's order */
};

/**
 * A command's handler: describe the answer in @p c->r (vns_reply_*()).
 *
 * @return 0, or -1 after vns_reply_error() (nothing changed then, unless the
 *   error says what was).
 */
typedef int(vns_cmd_fn)(struct vns_cmd_ctx *c);

/** A row of the table. */
struct vns_cmd {
	const char *grammar; /**< see the file's comment */
	const char *help;    /**< one line: what it does */
	vns_cmd_fn *fn;	     /**< its handler */
};

/**
 * Add @p n rows to the table (from a constructor, VNS_CMD_REGISTER). The
 * rows must outlive the switch.
 */
void vns_cli_register(const struct vns_cmd *cmds, unsigned int n);

/** Register a topic file's array of rows at start-up. */
#define VNS_CMD_REGISTER(rows)                         \
	RTE_INIT(vns_cmd_register_##rows)              \
	{                                              \
		vns_cli_register(rows, RTE_DIM(rows)); \
	}

/**
 * Build the tokens of every row, for the switch @p sw (ports are looked up
 * in it). Once, before any other call.
 *
 * @return 0, or -1 after logging which grammar is wrong (a bug) or -ENOMEM.
 */
int vns_cli_init(struct vns_switch *sw);

/** Free what vns_cli_init() built. */
void vns_cli_fini(void);

/**
 * Run one command line. Blank lines and comments ('#' first) do nothing.
 *
 * @return 0, or -1 when the line or the command failed (@p r says why).
 */
int vns_cli_exec(const char *line, struct vns_reply *r);

/**
 * Run the commands of file @p path (--cmdline-file), one a line, their
 * answers on @p out, each under the switch's lock. Blank lines and
 * comments are skipped. Stops at the first line that fails, which is
 * printed with its number ("FILE:LINE: ...") before the error.
 *
 * @return 0 when every line ran, -1 otherwise.
 */
int vns_cli_run_file(const char *path, struct vns_switch *sw, FILE *out);

/** Whether @p line has nothing to run: blanks, or a comment ('#' first). */
bool vns_cli_is_blank(const char *line);

/**
 * The argument at grammar word @p name in @p c ("PORT", "rx|tx|both"): its
 * first occurrence. Aborts if the row has no such word: a handler bug.
 */
const struct vns_cmd_arg *vns_cmd_arg(const struct vns_cmd_ctx *c, const char *name);

/**
 * DPDK's cmdline context of the table (NULL-terminated), for the
 * interactive CLI's completion.
 */
void *vns_cli_cmdline_ctx(void);

/** @p mac in lower case, as ip and bridge print MACs, in @p buf. @return @p buf. */
static inline const char *vns_mac_str(const struct rte_ether_addr *mac,
				      char buf[RTE_ETHER_ADDR_FMT_SIZE])
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, RTE_ETHER_ADDR_FMT_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return buf;
}

/**
 * Describe the rows whose grammar starts with @p prefix ("" for all) in
 * @p r, in alphabetical order.
 *
 * @return 0, or -1 after vns_reply_error() when no row starts so.
 */
int vns_cli_help(struct vns_reply *r, const char *prefix);

#endif /* VNS_CLI_H */
