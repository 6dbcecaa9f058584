/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table: grammars compiled into DPDK cmdline tokens, the
 * matcher every front end uses, and its answers to lines no row takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "fwd/fwd.h"
#include "log.h"
#include "options.h"

/* Rows the table holds. */
#define MAX_ROWS 128
/* Longest word the table's tokens take (a FILE path, a SPEC). */
#define MAX_WORD 1024

/* How a typed argument is checked and converted. */
enum arg_kind {
	ARG_PORT,     /* a port's name or number */
	ARG_PORT_ALL, /* the same, or "all" */
	ARG_UINT,     /* a decimal number in [min, max] */
	ARG_MAC,      /* six hex bytes */
	ARG_WORD,     /* any word */
	ARG_REST,     /* the rest of the line */
};

/* An upper-case grammar word: its kind, range and what it means. */
struct arg_type {
	const char *name;
	enum arg_kind kind;
	uint64_t min, max;
	const char *help;
};

static const struct arg_type arg_types[] = {
	{"PORT", ARG_PORT, 0, 0, "a port's name or number"},
	{"all|PORT", ARG_PORT_ALL, 0, 0, "all, or a port's name or number"},
	{"QUEUE", ARG_UINT, 0, PORT_MAX_QUEUES - 1, "a queue number"},
	{"VLAN", ARG_UINT, 1, 4094, "a VLAN id"},
	{"VID", ARG_UINT, 0, 4094, "a VLAN id, 0 for untagged"},
	{"SECONDS", ARG_UINT, 0, 1000000, "seconds, 0 for never"},
	{"BURST", ARG_UINT, 1, VNS_BURST, "frames per burst"},
	{"LENGTH", ARG_UINT, VNS_TXPKTS_MIN, VNS_TXPKTS_MAX, "frame bytes without FCS"},
	{"COUNT", ARG_UINT, 1, UINT32_MAX, "a number"},
	{"MAC", ARG_MAC, 0, 0, "a MAC address, e.g. 02:00:00:00:00:01"},
	{"FILE", ARG_WORD, 0, 0, "a file name"},
	{"SPEC", ARG_WORD, 0, 0, "NAME[,KEY=VALUE...] as for --vduse"},
	{"NAME", ARG_WORD, 0, 0, "a VDUSE port's name"},
	{"DEVARGS", ARG_WORD, 0, 0, "an ethdev's devargs, as for EAL's --vdev or -a"},
	{"KEYS", ARG_WORD, 0, 0, "KEY=VALUE[,KEY=VALUE...] as for --port"},
	{"LIST", ARG_WORD, 0, 0, "VLAN ids and ranges, e.g. 10,20-29, or all"},
	{"FLAGS", ARG_WORD, 0, 0, "J (JIT) or - (interpreter)"},
};

/* A typed token: DPDK's header, then what this file needs to check it. */
struct typed_token {
	struct cmdline_token_hdr hdr;
	const struct arg_type *type;
	const char *rest_name; /* ARG_REST: the grammar word ("EXPR...") */
};

/* A compiled row: the DPDK instance (its tokens follow it) and the row. */
struct row {
	const struct vns_cmd *cmd;
	unsigned int nb_tokens;
	char *words[VNS_CMD_MAX_TOKENS]; /* the grammar's words */
	cmdline_parse_inst_t *inst;	 /* for DPDK's completion */
};

static const struct vns_cmd *registered[MAX_ROWS];
static unsigned int nb_registered;
static struct row rows[MAX_ROWS];
static unsigned int nb_rows;
static cmdline_parse_ctx_t *dpdk_ctx;
static struct vns_switch *cli_sw;

void vns_cli_register(const struct vns_cmd *cmds, unsigned int n)
{
	unsigned int i;

	/* Constructors run before main(): a full table is a build mistake. */
	for (i = 0; i < n && nb_registered < MAX_ROWS; i++)
		registered[nb_registered++] = &cmds[i];
	if (i < n)
		abort();
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Characters of the word at @buf. */
static size_t word_len(const char *buf)
{
	size_t n = 0;

	while (buf[n] != '\0' && !is_blank(buf[n]))
		n++;
	return n;
}

/* The line from @buf, trailing blanks and newline left out. */
static size_t rest_len(const char *buf)
{
	size_t n = strcspn(buf, "\r\n");

	while (n > 0 && is_blank(buf[n - 1]))
		n--;
	return n;
}

/* Check the word @w (NUL-terminated) against @t; fill @arg. @return 0 or -1. */
static int arg_convert(const struct arg_type *t, const char *w, struct vns_cmd_arg *arg)
{
	unsigned long v;

	switch (t->kind) {
	case ARG_PORT_ALL:
		if (strcmp(w, "all") == 0) {
			arg->port = NULL;
			return 0;
		}
		/* fallthrough */
	case ARG_PORT:
		arg->port = cli_sw != NULL ? vns_port_find(cli_sw, w) : NULL;
		return arg->port != NULL ? 0 : -1;
	case ARG_UINT:
		if (vns_parse_uint(w, t->max, &v) < 0 || v < t->min)
			return -1;
		arg->u = v;
		return 0;
	case ARG_MAC:
		return vns_parse_mac(w, arg->mac.addr_bytes);
	case ARG_WORD:
	case ARG_REST:
		return 0;
	}
	return -1;
}

/* DPDK token op: the length of what @tk takes at @buf, or -1. */
static int typed_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
		       unsigned int ressize)
{
	const struct typed_token *t = (const struct typed_token *)tk;
	struct vns_cmd_arg arg;
	char word[MAX_WORD];
	size_t n;

	(void)res;
	(void)ressize;
	n = t->type->kind == ARG_REST ? rest_len(buf) : word_len(buf);
	if (n == 0 || n >= sizeof(word))
		return -1;
	memcpy(word, buf, n);
	word[n] = '\0';
	return arg_convert(t->type, word, &arg) < 0 ? -1 : (int)n;
}

/* DPDK token op: how many completions (port names, and "all"). */
static int typed_complete_nb(cmdline_parse_token_hdr_t *tk)
{
	const struct typed_token *t = (const struct typed_token *)tk;
	unsigned int i;
	int n = 0;

	if (t->type->kind != ARG_PORT && t->type->kind != ARG_PORT_ALL)
		return 0;
	for (i = 0; cli_sw != NULL && i < cli_sw->nb_ports; i++)
		n += cli_sw->ports[i] != NULL;
	return n + (t->type->kind == ARG_PORT_ALL);
}

/* DPDK token op: completion @idx. */
static int typed_complete_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned int size)
{
	const struct typed_token *t = (const struct typed_token *)tk;
	unsigned int i;

	if (t->type->kind == ARG_PORT_ALL && idx-- == 0) {
		snprintf(dst, size, "all");
		return 0;
	}
	for (i = 0; cli_sw != NULL && i < cli_sw->nb_ports; i++)
		if (cli_sw->ports[i] != NULL && idx-- == 0) {
			snprintf(dst, size, "%s", cli_sw->ports[i]->port->name);
			return 0;
		}
	return -1;
}

/* What the token wants, e.g. "VLAN: a VLAN id (1..4094)"; the ports there are when @ports. */
static void typed_describe(const struct typed_token *t, char *dst, size_t size, bool ports)
{
	const char *name = t->rest_name != NULL ? t->rest_name : t->type->name;
	size_t len;
	unsigned int i;

	if (t->type->kind == ARG_UINT) {
		snprintf(dst, size, "%s: %s (%" PRIu64 "..%" PRIu64 ")", name, t->type->help,
			 t->type->min, t->type->max);
		return;
	}
	snprintf(dst, size, "%s: %s", name, t->type->help);
	if (!ports || (t->type->kind != ARG_PORT && t->type->kind != ARG_PORT_ALL))
		return;
	len = strlen(dst);
	snprintf(dst + len, size - len, " (");
	for (i = 0; cli_sw != NULL && i < cli_sw->nb_ports; i++) {
		len = strlen(dst);
		if (cli_sw->ports[i] != NULL)
			snprintf(dst + len, size - len, "%s%s", dst[len - 1] == '(' ? "" : ", ",
				 cli_sw->ports[i]->port->name);
	}
	len = strlen(dst);
	snprintf(dst + len, size - len, "%s)", dst[len - 1] == '(' ? "none yet" : "");
}

/*
 * DPDK token op: what the token wants, for '?' in the interactive CLI.
 * DPDK gives a small buffer: no port list here (tab completes them).
 */
static int typed_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	typed_describe((const struct typed_token *)tk, dst, size, false);
	return 0;
}

static struct cmdline_token_ops typed_ops = {
	.parse = typed_parse,
	.complete_get_nb = typed_complete_nb,
	.complete_get_elt = typed_complete_elt,
	.get_help = typed_help,
};

static const struct arg_type rest_type = {"...", ARG_REST, 0, 0, "the rest of the line"};

/* The DPDK token for grammar word @w, last in its grammar when @last. */
static cmdline_parse_token_hdr_t *token_of(const char *w, bool last)
{
	struct cmdline_token_string *s;
	struct typed_token *t;
	size_t len = strlen(w);
	unsigned int i;
	char *choices;

	if (len > 3 && strcmp(w + len - 3, "...") == 0) {
		if (!last)
			return NULL;
		t = calloc(1, sizeof(*t));
		if (t != NULL) {
			t->hdr.ops = &typed_ops;
			t->type = &rest_type;
			t->rest_name = w;
		}
		return t != NULL ? &t->hdr : NULL;
	}
	for (i = 0; i < RTE_DIM(arg_types); i++)
		if (strcmp(w, arg_types[i].name) == 0) {
			t = calloc(1, sizeof(*t));
			if (t != NULL) {
				t->hdr.ops = &typed_ops;
				t->type = &arg_types[i];
			}
			return t != NULL ? &t->hdr : NULL;
		}
	/* ENGINE: the engines' names, as the registry has them. */
	if (strcmp(w, "ENGINE") == 0)
		w = fwd_engine_names();
	else if (w[0] >= 'A' && w[0] <= 'Z' && strchr(w, '|') == NULL)
		return NULL; /* an upper-case word of no type */
	/* Words and choices: DPDK's string token, whose choices are '#'-separated. */
	choices = strdup(w);
	s = calloc(1, sizeof(*s));
	if (choices == NULL || s == NULL) {
		free(choices);
		free(s);
		return NULL;
	}
	for (i = 0; choices[i] != '\0'; i++)
		if (choices[i] == '|')
			choices[i] = '#';
	s->hdr.ops = &cmdline_token_string_ops;
	s->string_data.str = choices;
	return &s->hdr;
}

static void row_free(struct row *rw)
{
	unsigned int i;

	for (i = 0; rw->inst != NULL && i < rw->nb_tokens; i++) {
		cmdline_parse_token_hdr_t *tk = rw->inst->tokens[i];

		if (tk != NULL && tk->ops == &cmdline_token_string_ops)
			free((char *)((struct cmdline_token_string *)tk)->string_data.str);
		free(tk);
	}
	for (i = 0; i < rw->nb_tokens; i++)
		free(rw->words[i]);
	free(rw->inst);
	*rw = (struct row){0};
}

static int row_compile(struct row *rw, const struct vns_cmd *cmd)
{
	char *grammar = strdup(cmd->grammar), *w, *save = NULL;
	unsigned int n = 0;

	rw->cmd = cmd;
	rw->inst = calloc(1, sizeof(*rw->inst) + (VNS_CMD_MAX_TOKENS + 1) * sizeof(void *));
	if (grammar == NULL || rw->inst == NULL)
		goto fail;
	rw->inst->help_str = cmd->help;
	for (w = strtok_r(grammar, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (n == VNS_CMD_MAX_TOKENS)
			goto fail;
		rw->words[n] = strdup(w);
		if (rw->words[n] == NULL)
			goto fail;
		rw->nb_tokens = ++n;
		/* The row's copy: a "..." token keeps its word, and @grammar is freed below. */
		rw->inst->tokens[n - 1] = token_of(rw->words[n - 1], save == NULL || *save == '\0');
		if (rw->inst->tokens[n - 1] == NULL)
			goto fail;
	}
	free(grammar);
	return n > 0 ? 0 : -1;
fail:
	VNS_LOG(ERR, "cli: cannot build the command '%s' (a bad grammar word, or no memory)",
		cmd->grammar);
	free(grammar);
	row_free(rw);
	return -1;
}

static int by_grammar(const void *a, const void *b)
{
	return strcmp((*(const struct vns_cmd *const *)a)->grammar,
		      (*(const struct vns_cmd *const *)b)->grammar);
}

int vns_cli_init(struct vns_switch *sw)
{
	unsigned int i;

	cli_sw = sw;
	/* In the order help lists them and completion offers them; no two rows take one line. */
	qsort(registered, nb_registered, sizeof(registered[0]), by_grammar);
	dpdk_ctx = calloc(nb_registered + 1, sizeof(*dpdk_ctx));
	if (dpdk_ctx == NULL)
		return -1;
	for (i = 0; i < nb_registered; i++) {
		if (row_compile(&rows[i], registered[i]) < 0) {
			vns_cli_fini();
			return -1;
		}
		dpdk_ctx[i] = rows[i].inst;
		nb_rows = i + 1;
	}
	return 0;
}

void vns_cli_fini(void)
{
	unsigned int i;

	for (i = 0; i < nb_rows; i++)
		row_free(&rows[i]);
	nb_rows = 0;
	free(dpdk_ctx);
	dpdk_ctx = NULL;
	cli_sw = NULL;
}

void *vns_cli_cmdline_ctx(void)
{
	return dpdk_ctx;
}

bool vns_cli_is_blank(const char *line)
{
	while (is_blank(*line))
		line++;
	return *line == '\0' || *line == '#';
}

/* How far a row went with a line, to explain a line no row takes. */
struct attempt {
	unsigned int word; /* index of the word that failed (or was missing) */
	bool missing;	   /* the line ended there */
	bool extra;	   /* the row was complete: that word is too many */
};

/*
 * Match @line against @rw, converting each argument into @c; @a says where
 * it stopped otherwise. @line's words are cut (NUL-terminated) in @buf.
 */
static bool row_match(const struct row *rw, const char *line, char *buf, struct vns_cmd_ctx *c,
		      struct attempt *a)
{
	const char *p = line;
	char *out = buf;
	unsigned int i;

	for (i = 0; i < rw->nb_tokens; i++) {
		cmdline_parse_token_hdr_t *tk = rw->inst->tokens[i];
		int n;

		while (is_blank(*p))
			p++;
		if (*p == '\0') {
			*a = (struct attempt){.word = i, .missing = true};
			return false;
		}
		n = tk->ops->parse(tk, p, NULL, 0);
		/* DPDK's string token takes a prefix of a longer word: not a match. */
		if (n <= 0 || (!is_blank(p[n]) && p[n] != '\0')) {
			*a = (struct attempt){.word = i};
			return false;
		}
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		c->argv[i] = (struct vns_cmd_arg){.word = out};
		if (tk->ops == &typed_ops)
			arg_convert(((struct typed_token *)tk)->type, out, &c->argv[i]);
		out += n + 1;
		p += n;
	}
	while (is_blank(*p))
		p++;
	if (*p != '\0') {
		*a = (struct attempt){.word = i, .extra = true};
		return false;
	}
	c->argc = rw->nb_tokens;
	c->cmd = rw->cmd;
	c->words = rw->words;
	return true;
}

/* The @n-th word of @line (0: the first), into @dst. */
static void nth_word(const char *line, unsigned int n, char *dst, size_t size)
{
	const char *p = line;
	size_t len = 0;

	for (;;) {
		while (is_blank(*p))
			p++;
		len = word_len(p);
		if (n-- == 0 || len == 0)
			break;
		p += len;
	}
	snprintf(dst, size, "%.*s", (int)(len < 64 ? len : 64), p);
}

/* Add @s to the " | "-joined list @dst unless it is there. */
static void add_expected(char *dst, size_t size, const char *s)
{
	size_t len = strlen(dst), slen = strlen(s);
	const char *p;

	for (p = strstr(dst, s); p != NULL; p = strstr(p + 1, s))
		if ((p == dst || p[-1] == ' ') && (p[slen] == ' ' || p[slen] == '\0'))
			return;
	snprintf(dst + len, size - len, "%s%s", len > 0 ? " | " : "", s);
}

/* What the token expects, for an error: its choices, or its typed help. */
static void token_expects(cmdline_parse_token_hdr_t *tk, char *dst, size_t size)
{
	if (tk->ops == &cmdline_token_string_ops) {
		const char *s = ((struct cmdline_token_string *)tk)->string_data.str;
		size_t i;

		snprintf(dst, size, "%s", s);
		for (i = 0; dst[i] != '\0'; i++)
			if (dst[i] == '#')
				dst[i] = '|';
		return;
	}
	typed_describe((const struct typed_token *)tk, dst, size, true);
}

/* Explain why no row took @line: the furthest any row went, and what it wanted there. */
static int explain(const char *line, const struct attempt *tries, struct vns_reply *r)
{
	char expected[1024] = "", one[256], word[80];
	unsigned int i, best = 0;
	bool extra = true, missing = false;

	for (i = 0; i < nb_rows; i++)
		if (tries[i].word > best)
			best = tries[i].word;
	for (i = 0; i < nb_rows; i++) {
		if (tries[i].word != best)
			continue;
		if (!tries[i].extra) {
			extra = false;
			token_expects(rows[i].inst->tokens[best], one, sizeof(one));
			add_expected(expected, sizeof(expected), one);
		}
		missing |= tries[i].missing;
	}
	nth_word(line, best, word, sizeof(word));
	if (best == 0)
		return vns_reply_error(r, "unknown command '%s' (see: help)", word);
	if (extra)
		return vns_reply_error(
			r, "word %u '%s': unexpected, the command is complete before it", best + 1,
			word);
	if (missing)
		return vns_reply_error(r, "word %u missing: expected %s", best + 1, expected);
	return vns_reply_error(r, "word %u '%s': expected %s", best + 1, word, expected);
}

int vns_cli_exec(const char *line, struct vns_reply *r)
{
	static struct attempt tries[MAX_ROWS];
	struct vns_cmd_ctx c = {.sw = cli_sw, .r = r};
	size_t len = strlen(line);
	char *buf;
	unsigned int i;
	int ret = -1;

	if (vns_cli_is_blank(line))
		return 0;
	buf = malloc(len + 1);
	if (buf == NULL)
		return vns_reply_error(r, "out of memory");
	for (i = 0; i < nb_rows; i++)
		if (row_match(&rows[i], line, buf, &c, &tries[i]))
			break;
	if (i < nb_rows)
		ret = rows[i].cmd->fn(&c);
	else
		explain(line, tries, r);
	free(buf);
	/* A handler that failed without saying why still fails loudly. */
	if (ret < 0 && !vns_reply_failed(r))
		vns_reply_error(r, "%s failed", rows[i < nb_rows ? i : 0].words[0]);
	return ret < 0 || vns_reply_failed(r) ? -1 : 0;
}

const struct vns_cmd_arg *vns_cmd_arg(const struct vns_cmd_ctx *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->argc; i++)
		if (strcmp(c->words[i], name) == 0)
			return &c->argv[i];
	VNS_LOG(ERR, "cli: '%s' has no word %s", c->cmd->grammar, name);
	abort();
}

int vns_cli_help(struct vns_reply *r, const char *prefix)
{
	size_t len = strlen(prefix);
	unsigned int i, n = 0;

	vns_reply_list(r, "commands", NULL);
	for (i = 0; i < nb_rows; i++) {
		const struct vns_cmd *cmd = rows[i].cmd;

		if (strncmp(cmd->grammar, prefix, len) != 0)
			continue;
		n++;
		vns_reply_open(r, NULL, NULL);
		vns_reply_str(r, "command", "%s\n", cmd->grammar);
		vns_reply_str(r, "help", "    %s\n", cmd->help);
		vns_reply_close(r, NULL);
	}
	vns_reply_close(r, NULL);
	if (n == 0)
		return vns_reply_error(r, "no command starts with '%s' (see: help)", prefix);
	return 0;
}
