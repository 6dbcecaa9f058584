/* SPDX-License-Identifier: BSD-3-Clause */
/* The interactive CLI: DPDK's rdline editor over the command table. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_rdline.h>

#include "cli/cli.h"
#include "cli/interactive.h"

struct vns_interactive {
	struct vns_switch *sw;
	struct rdline *rdl;	/* the line editor */
	struct cmdline *tokens; /* DPDK's view of the table, for completion only */
	struct termios saved;	/* the terminal before */
	bool tty;		/* stdin is a terminal, and @saved is set */
	bool ended;		/* Ctrl-D or end of input */
};

static int write_char(struct rdline *rdl, char c)
{
	(void)rdl;
	return fputc(c, stdout) == EOF ? -1 : 0;
}

/* A validated line: run it and print its answer, as testpmd does (no "ok"). */
static void validate(struct rdline *rdl, const char *buf, unsigned int size)
{
	struct vns_interactive *cli = rdline_get_opaque(rdl);
	struct vns_reply *r = vns_reply_new(VNS_REPLY_TEXT);

	(void)size;
	if (r == NULL) {
		fputs("error: out of memory\n", stdout);
		return;
	}
	pthread_mutex_lock(&cli->sw->lock);
	vns_cli_exec(buf, r);
	pthread_mutex_unlock(&cli->sw->lock);
	vns_reply_write(r, stdout, false);
	vns_reply_free(r);
	/* "quit": no prompt after it. */
	if (cli->sw->stop)
		rdline_quit(rdl);
}

static int complete(struct rdline *rdl, const char *buf, char *dst, unsigned int size, int *state)
{
	struct vns_interactive *cli = rdline_get_opaque(rdl);

	return cmdline_complete(cli->tokens, buf, state, dst, size);
}

struct vns_interactive *vns_interactive_open(struct vns_switch *sw)
{
	struct vns_interactive *cli = calloc(1, sizeof(*cli));
	struct termios raw;

	if (cli == NULL)
		return NULL;
	cli->sw = sw;
	/* No input or output of its own: only cmdline_complete() uses it. */
	cli->tokens = cmdline_new(vns_cli_cmdline_ctx(), "", -1, -1);
	cli->rdl = rdline_new(write_char, validate, complete, cli);
	if (cli->tokens == NULL || cli->rdl == NULL) {
		vns_interactive_close(cli);
		return NULL;
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &cli->saved) == 0) {
		/* Keys one by one, echoed by the editor; Ctrl-C stays SIGINT. */
		raw = cli->saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		cli->tty = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	rdline_newline(cli->rdl, VNS_PROMPT);
	fflush(stdout);
	return cli;
}

int vns_interactive_fd(const struct vns_interactive *cli)
{
	(void)cli;
	return STDIN_FILENO;
}

/* A line was run: keep it in the history unless it repeats the last one, and prompt again. */
static void next_line(struct vns_interactive *cli)
{
	const char *line = rdline_get_buffer(cli->rdl);
	const char *last = rdline_get_history_item(cli->rdl, 0);
	size_t len = strcspn(line, "\n");

	if (len > 0 && (last == NULL || strncmp(last, line, len) != 0 || last[len] != '\n'))
		rdline_add_history(cli->rdl, line);
	rdline_newline(cli->rdl, VNS_PROMPT);
}

int vns_interactive_poll(struct vns_interactive *cli)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char buf[256];
	ssize_t n, i;

	while (!cli->ended && poll(&pfd, 1, 0) > 0) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			break;
		if (n <= 0) {
			cli->ended = true;
			break;
		}
		for (i = 0; i < n && !cli->ended; i++) {
			int ret = rdline_char_in(cli->rdl, buf[i]);

			if (ret == RDLINE_RES_VALIDATED)
				next_line(cli);
			else if (ret == RDLINE_RES_EOF || ret == RDLINE_RES_EXITED)
				cli->ended = true;
		}
	}
	fflush(stdout);
	return cli->ended ? 1 : 0;
}

void vns_interactive_close(struct vns_interactive *cli)
{
	if (cli == NULL)
		return;
	if (cli->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &cli->saved);
	if (cli->ended)
		fputc('\n', stdout);
	rdline_free(cli->rdl);
	cmdline_free(cli->tokens);
	free(cli);
}
