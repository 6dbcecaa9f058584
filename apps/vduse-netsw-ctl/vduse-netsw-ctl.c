/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vduse-netsw-ctl: run one command of a running switch through its control
 * socket, print the answer, and exit 0 when it ends in "ok", 1 when it ends
 * in an "error: " line, 2 when the switch could not be asked (no socket, no
 * answer, a connection closed before the end of the answer).
 *
 *     vduse-netsw-ctl [--socket PATH] [--timeout SECONDS] [--json] COMMAND [WORD...]
 *
 * With --json the answer is one line of JSON, {"ok": true|false, ...}, and
 * its "ok" says how the command ended.
 *
 * One command per connection: the client closes its side after the line,
 * and the switch closes the connection after the answer (control_proto.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/control_proto.h"
#include "client.h"

#define SOCKET_ENV	"VDUSE_NETSW_SOCKET"
#define DEFAULT_TIMEOUT 10

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [--socket PATH] [--timeout SECONDS] [--json] COMMAND [WORD...]\n"
		"  Run a command of a running vduse-netsw and print its answer, e.g.\n"
		"  %s show port stats all (the commands: %s help)\n"
		"  --socket PATH      the switch's control socket (default $%s, else %s)\n"
		"  --timeout SECONDS  wait that long for the whole answer (default %d)\n"
		"  --json             the answer as one line of JSON\n"
		"Exit status: 0 the command succeeded, 1 the switch refused it (error),\n"
		"2 the switch could not be asked.\n",
		prog, prog, prog, SOCKET_ENV, VNS_CONTROL_DEFAULT, DEFAULT_TIMEOUT);
}

/* The command line: the words joined with spaces, and a newline. */
static int join(char **words, int n, char *line, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		int w = snprintf(line + len, size - len, "%s%s", i ? " " : "", words[i]);

		if (w < 0 || (size_t)w >= size - len)
			return -1;
		len += (size_t)w;
	}
	if (len + 1 >= size)
		return -1;
	line[len++] = '\n';
	line[len] = '\0';
	return 0;
}

/* How a JSON answer ended: its "ok". @return the exit status. */
static int json_status(const char *answer, size_t len, const char *path)
{
	json_error_t err;
	json_t *doc = json_loadb(answer, len, 0, &err), *ok;
	int status = 2;

	ok = doc != NULL ? json_object_get(doc, "ok") : NULL;
	if (json_is_boolean(ok))
		status = json_is_true(ok) ? 0 : 1;
	else
		fprintf(stderr, "vduse-netsw-ctl: %s answered no JSON object with \"ok\": %s\n",
			path, doc == NULL ? err.text : "no \"ok\"");
	json_decref(doc);
	return status;
}

/*
 * Copy the answer to stdout as it comes, until the switch closes the connection.
 * @return the exit status: by the answer's last line (its "ok" in JSON), or 2.
 */
static int relay_answer(int fd, int timeout_s, const char *path, bool json)
{
	struct vns_client_answer ans;
	char err[VNS_CLIENT_ERR_SIZE];
	int status;

	if (vns_client_read(fd, path, timeout_s, stdout, &ans, err) < 0) {
		fprintf(stderr, "vduse-netsw-ctl: %s\n", err);
		return 2;
	}
	if (json) {
		status = json_status(ans.text, ans.len, path);
	} else if (strcmp(ans.last, "ok") == 0) {
		status = 0;
	} else if (strncmp(ans.last, "error: ", 7) == 0) {
		status = 1;
	} else {
		fprintf(stderr, "vduse-netsw-ctl: %s closed the connection without an answer\n",
			path);
		status = 2;
	}
	vns_client_answer_free(&ans);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = getenv(SOCKET_ENV);
	char line[VNS_CONTROL_MAX_LINE + 1], err[VNS_CLIENT_ERR_SIZE], *end;
	int timeout = DEFAULT_TIMEOUT, opt, fd, status, skip = 0;
	bool json = false;

	if (path == NULL || path[0] == '\0')
		path = VNS_CONTROL_DEFAULT;
	/* "+": options end at the command, whose words may start with '-'. */
	while ((opt = getopt_long(argc, argv, "+s:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 't':
			errno = 0;
			timeout = (int)strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || timeout < 1 ||
			    timeout > 3600) {
				fprintf(stderr,
					"vduse-netsw-ctl: --timeout '%s': expected seconds "
					"in 1..3600\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "vduse-netsw-ctl: no command\n");
		usage(stderr, argv[0]);
		return 2;
	}
	/* "json COMMAND" typed as the command is --json too. */
	if (strcmp(argv[optind], VNS_CONTROL_JSON_WORD) == 0) {
		json = true;
		optind++;
		if (optind == argc) {
			fprintf(stderr, "vduse-netsw-ctl: no command after json\n");
			return 2;
		}
	}
	if (json) {
		skip = (int)strlen(VNS_CONTROL_JSON_WORD) + 1;
		snprintf(line, sizeof(line), "%s ", VNS_CONTROL_JSON_WORD);
	}
	if (join(argv + optind, argc - optind, line + skip, sizeof(line) - (size_t)skip) < 0) {
		fprintf(stderr, "vduse-netsw-ctl: command longer than %d characters\n",
			VNS_CONTROL_MAX_LINE - 1);
		return 2;
	}
	fd = vns_client_connect(path, err);
	if (fd < 0) {
		if (errno == ENAMETOOLONG)
			fprintf(stderr, "vduse-netsw-ctl: %s\n", err);
		else
			fprintf(stderr,
				"vduse-netsw-ctl: %s (is the switch running? It serves %s unless "
				"given --control PATH; give that PATH here as --socket PATH)\n",
				err, VNS_CONTROL_DEFAULT);
		return 2;
	}
	if (vns_client_send(fd, path, line, err) < 0) {
		fprintf(stderr, "vduse-netsw-ctl: %s\n", err);
		close(fd);
		return 2;
	}
	status = relay_answer(fd, timeout, path, json);
	close(fd);
	return status;
}
