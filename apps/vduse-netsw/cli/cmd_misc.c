/* SPDX-License-Identifier: BSD-3-Clause */
/* help and quit. */
#include "cli.h"

static int cmd_help(struct vns_cmd_ctx *c)
{
	return vns_cli_help(c->r, c->argc > 1 ? vns_cmd_arg(c, "WORDS...")->word : "");
}

static int cmd_quit(struct vns_cmd_ctx *c)
{
	/* The main loop sees it within a period, and the switch closes as on SIGTERM. */
	c->sw->stop = true;
	vns_reply_say(c->r, "Bye...");
	return 0;
}

static const struct vns_cmd misc_cmds[] = {
	{"help", "every command, with what it does", cmd_help},
	{"help WORDS...", "the commands that start with WORDS (help show port)", cmd_help},
	{"quit", "stop forwarding, remove the ports and exit", cmd_quit},
};

VNS_CMD_REGISTER(misc_cmds)
